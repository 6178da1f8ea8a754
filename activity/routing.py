from django.urls import path

from activity import consumers

websocket_urlpatterns = [path("ws/activity/", consumers.ActivityConsumer.as_asgi())]
