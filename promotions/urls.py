from rest_framework.routers import SimpleRouter

from promotions import views

router = SimpleRouter()
router.register("promotions", views.PromotionViewSet, basename="promotion")
router.register("promo-codes", views.PromoCodeViewSet, basename="promo-code")
router.register("discounts", views.DiscountViewSet, basename="discount")

urlpatterns = router.urls
