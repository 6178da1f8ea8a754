from rest_framework.routers import SimpleRouter

from activity import views

router = SimpleRouter()
router.register("", views.ActivityViewSet, basename="activity")

urlpatterns = router.urls
