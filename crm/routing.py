"""WebSocket routes of every app, gathered in one list for crm.asgi."""

from activity.routing import websocket_urlpatterns as activity_routes
from notifications.routing import websocket_urlpatterns as notification_routes
from users.routing import websocket_urlpatterns as presence_routes

websocket_urlpatterns: list = [*notification_routes, *activity_routes, *presence_routes]
