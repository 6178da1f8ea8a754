"""The API kernel: the conventions every app's REST API follows.

Owns the scoped viewsets (`viewsets`), access rules (`permissions`), pagination, filters and
periods, strict input (`parsing`, `parsers`), the error body (`exceptions`), shared serializer
fields and targets, ids and phones, throttling by client address, and the middleware.

May import Django, the libraries and `crm.realtime`/`crm.workers`; never an app. What it needs of
an app is plugged in by the app (`permissions.plug_subordinates`, from the accounts app's `ready()`).
The suite's import contracts (pyproject.toml) keep it so.
"""
