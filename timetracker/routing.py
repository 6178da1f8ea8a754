from django.urls import path

from timetracker import consumers

websocket_urlpatterns = [path("ws/timer/", consumers.TimerConsumer.as_asgi())]
