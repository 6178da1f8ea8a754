from django.urls import path
from rest_framework.routers import SimpleRouter

from calls import views

router = SimpleRouter()
router.register("", views.CallViewSet, basename="call")

urlpatterns = [
    path("binotel/webhook/", views.BinotelWebhookView.as_view(), name="binotel-webhook"),
    *router.urls,
]
