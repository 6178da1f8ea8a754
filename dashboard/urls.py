from django.urls import path
from rest_framework.routers import SimpleRouter

from dashboard import views

router = SimpleRouter()
router.register("employees", views.EmployeeFiguresViewSet, basename="employee")

urlpatterns = [path("metrics/", views.MetricsView.as_view(), name="metrics"), *router.urls]
