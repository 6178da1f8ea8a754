from rest_framework.routers import SimpleRouter

from notifications import views

router = SimpleRouter()
router.register("preferences", views.NotificationPreferenceViewSet, basename="preference")
router.register("", views.NotificationViewSet, basename="notification")

urlpatterns = router.urls
