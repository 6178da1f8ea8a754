import pytest

from crm.api import viewsets
from users.models import User


def test_a_viewset_cannot_override_get_queryset():
    with pytest.raises(TypeError, match="scoped_queryset"):

        class Leaky(viewsets.ReadOnlyModelViewSet):
            model = User

            def get_queryset(self):
                return User.objects.all()


def test_a_viewset_without_a_scope_fails_loudly(rf, employee):
    class Unscoped(viewsets.ReadOnlyModelViewSet):
        model = User

    view = Unscoped()
    view.request = rf.get("/")
    view.request.user = employee
    with pytest.raises(NotImplementedError):
        view.get_queryset()
