from django.urls import path
from rest_framework.routers import SimpleRouter

from calls.views import ContactCallViewSet
from contacts import views
from tasks.views import ContactTaskViewSet

router = SimpleRouter()
router.register("returns", views.ReturnViewSet, basename="return")
router.register("requests", views.CustomerRequestViewSet, basename="customer-request")
router.register("", views.ContactViewSet, basename="contact")


def nested(viewset, name, actions=None):
    actions = actions or {"get": "list"}
    return path(f"<int:contact_pk>/{name}/", viewset.as_view(actions), name=f"contact-{name}")


urlpatterns = [
    nested(views.ContactEventViewSet, "events"),
    nested(views.ContactActivityViewSet, "activities"),
    nested(views.LetterViewSet, "letters"),
    nested(views.ContactTimelineViewSet, "timeline"),
    nested(ContactTaskViewSet, "tasks"),
    nested(ContactCallViewSet, "calls"),
    nested(views.LoyaltyViewSet, "loyalty", {"get": "list", "post": "create"}),
    path(
        "<int:contact_pk>/loyalty/balance/",
        views.LoyaltyViewSet.as_view({"get": "balance"}),
        name="contact-loyalty-balance",
    ),
    *router.urls,
]
