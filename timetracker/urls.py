from rest_framework.routers import SimpleRouter

from timetracker import views

router = SimpleRouter()
router.register("timer", views.TimerViewSet, basename="timer")
router.register("periods", views.WorkPeriodViewSet, basename="period")

urlpatterns = router.urls
