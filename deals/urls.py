from django.urls import path
from rest_framework.routers import SimpleRouter

from deals import views, webhooks

router = SimpleRouter()
router.register("pipelines", views.PipelineViewSet, basename="pipeline")
router.register("stages", views.StageViewSet, basename="stage")
router.register("products", views.ProductViewSet, basename="product")
router.register("orders", views.OrderViewSet, basename="order")
router.register("my-work", views.WorkItemViewSet, basename="work-item")
router.register("", views.DealViewSet, basename="deal")

urlpatterns = [
    path("shop/webhook/", webhooks.ShopWebhookView.as_view(), name="shop-webhook"),
    *router.urls,
]
