"""WebSocket routes of every app, gathered in one list for crm.asgi."""

from activity.routing import websocket_urlpatterns as activity_routes
from calls.routing import websocket_urlpatterns as call_routes
from chat.routing import websocket_urlpatterns as chat_routes
from notifications.routing import websocket_urlpatterns as notification_routes
from timetracker.routing import websocket_urlpatterns as timer_routes
from users.routing import websocket_urlpatterns as presence_routes

websocket_urlpatterns: list = [
    *chat_routes,
    *notification_routes,
    *activity_routes,
    *presence_routes,
    *timer_routes,
    *call_routes,
]
