"""Helpers for the test suites of every app: query counts (`queries`) and sockets opened on the ASGI
application (`sockets`). The suite imports them; the server never does.
"""
