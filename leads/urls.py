from rest_framework.routers import SimpleRouter

from leads import views

router = SimpleRouter()
router.register("", views.LeadViewSet, basename="lead")

urlpatterns = router.urls
