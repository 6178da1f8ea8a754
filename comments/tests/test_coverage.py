"""Comments attach to every record people work on (SPEC.md: comments attach to any object)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from comments import registry
from comments.models import Comment
from deals.tests.factories import DealFactory, OrderFactory
from leads.tests.factories import LeadFactory
from users.models import Role
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/comments/"


def _target(obj):
    return f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}"


def _models_with_a_detail_endpoint(patterns=None):
    """Every model served by a viewset route that answers GET on one object, found by walking the URL conf."""
    found = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            found |= _models_with_a_detail_endpoint(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = pattern.callback
            actions = getattr(view, "actions", None) or {}
            model = getattr(getattr(view, "cls", None), "model", None)
            if actions.get("get") == "retrieve" and model is not None:
                found.add(model._meta.label_lower)
    return found


def test_every_model_with_a_detail_endpoint_is_commentable_or_says_why_not():
    served = _models_with_a_detail_endpoint()
    assert "deals.deal" in served and "contacts.contact" in served  # the walk finds the viewsets
    undecided = served - set(registry.commentable_labels()) - set(registry.not_commentable_labels())
    assert not undecided, (
        f"Register these for comments in their AppConfig.ready() (comments.registry.register) "
        f"or declare them with comments.registry.not_commentable: {sorted(undecided)}"
    )


@pytest.mark.parametrize("factory", [LeadFactory, DealFactory, OrderFactory], ids=["lead", "deal", "order"])
def test_sales_people_discuss_leads_deals_and_orders(api, factory):
    """Finding 4: comments on leads and deals were refused with a 400."""
    seller = UserFactory(role=Role.EMPLOYEE)
    obj = factory(responsible=seller) if factory is not OrderFactory else factory(deal=DealFactory(responsible=seller))
    client = api.as_user(seller)
    response = client.post(LIST, {"target": _target(obj), "text": "Call them on Monday"})
    assert response.status_code == 201, response.content
    assert [row["text"] for row in client.get(LIST, {"target": _target(obj)}).json()["results"]] == [
        "Call them on Monday"
    ]
    outsider = api.as_user(UserFactory(role=Role.EMPLOYEE))
    assert outsider.get(LIST, {"target": _target(obj)}).status_code == 404
    assert outsider.post(LIST, {"target": _target(obj), "text": "Mine now"}).status_code in (400, 404)
    assert Comment.objects.count() == 1
