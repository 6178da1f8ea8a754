"""Real time: the socket base every stream's consumer inherits (`websocket`: tickets, refusals, JSON
framing), the channel layer, pushing events (`broadcast`), and the server's concurrency and runtime.

May import Django, Channels, the libraries and `crm.api`; never an app. The accounts app plugs in
what sockets need of it (`websocket.plug_accounts`, from its `ready()`); import contracts in
pyproject.toml keep it so.
"""
