from rest_framework.routers import SimpleRouter

from dashboard import views

router = SimpleRouter()
router.register("metrics", views.MetricsViewSet, basename="metrics")
router.register("employees", views.EmployeeFiguresViewSet, basename="employee")

urlpatterns = router.urls
