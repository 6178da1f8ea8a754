from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from users import views

router = SimpleRouter()
router.register("me/tokens", views.ApiTokenViewSet, basename="api-token")
router.register("invitations", views.InvitationViewSet, basename="invitation")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("groups", views.UserGroupViewSet, basename="usergroup")
router.register("", views.UserViewSet, basename="user")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/status/", views.MeStatusView.as_view(), name="me-status"),
    path("me/center/", views.CenterView.as_view(), name="me-center"),
    path("structure/", views.StructureView.as_view(), name="structure"),
    *router.urls,
    # After the router, so that numeric ids reach the invitation viewset and tokens reach this view.
    re_path(
        r"^invitations/(?P<token>[A-Za-z0-9_-]{20,128})/$",
        views.InvitationQuestionnaireView.as_view(),
        name="invitation-questionnaire",
    ),
]
