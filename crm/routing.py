"""WebSocket routes of every app, gathered in one list for crm.asgi."""

websocket_urlpatterns: list = []
