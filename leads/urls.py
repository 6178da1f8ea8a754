from django.urls import path
from rest_framework.routers import SimpleRouter

from calls.views import LeadCallViewSet
from leads import views

router = SimpleRouter()
router.register("", views.LeadViewSet, basename="lead")

urlpatterns = [
    path("<int:lead_pk>/calls/", LeadCallViewSet.as_view({"get": "list"}), name="lead-calls"),
    *router.urls,
]
