from django.urls import path
from rest_framework.routers import SimpleRouter

from crm.webhooks.views import DeliveryViewSet, EndpointViewSet

router = SimpleRouter()
router.register("", EndpointViewSet, basename="endpoint")

urlpatterns = [
    path(
        "<int:endpoint_pk>/deliveries/",
        DeliveryViewSet.as_view({"get": "list"}),
        name="delivery-list",
    ),
    path(
        "<int:endpoint_pk>/deliveries/<int:pk>/redeliver/",
        DeliveryViewSet.as_view({"post": "redeliver"}),
        name="delivery-redeliver",
    ),
    *router.urls,
]
