from django.urls import path
from rest_framework.routers import SimpleRouter

from chat import views

router = SimpleRouter()
router.register("chats", views.ChatViewSet, basename="chat")
router.register("messages", views.MessageViewSet, basename="message")

urlpatterns = router.urls

# The staff pages, mounted at /chat/ by crm.urls.
page_urlpatterns = [
    path("", views.lobby, name="lobby"),
    path("<int:chat_id>/", views.room, name="room"),
]
