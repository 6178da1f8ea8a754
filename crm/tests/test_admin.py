"""Every model registered in admin opens: its list, a search, its filters and a row."""

import pytest
from django.contrib import admin
from django.urls import reverse

from activity.services import activity_record
from contacts.tests.factories import ContactFactory, PhoneFactory
from notifications.services import notify
from users.services import ws_ticket_issue
from users.tests.factories import UserGroupFactory, make_department, make_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_with_rows(client, owner):
    make_department("Sales", head=owner)
    UserGroupFactory()
    make_invitation(invited_by=owner)
    activity_record(actor=owner, verb="updated", target=owner)
    notify(recipient=owner, kind="test", title="Hello")
    ws_ticket_issue(user=owner)
    client.force_login(owner)
    return client


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_admin_pages_open(admin_client_with_rows, model):
    client = admin_client_with_rows
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist, {"q": "a"}).status_code == 200
    row = model._default_manager.first()
    if row is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
        assert client.get(change).status_code == 200


def test_contact_admin_searches_as_the_api_does(client, owner):
    wanted = ContactFactory(last_name="Kovalchuk", first_name="Oksana")
    PhoneFactory(contact=wanted, number="+380501234567")
    ContactFactory(last_name="Melnyk", first_name="Oksana")
    client.force_login(owner)
    changelist = reverse("admin:contacts_contact_changelist")
    for term in ("kovalchuk oksana", "050 123 45 67", "1234567"):
        shown = client.get(changelist, {"q": term}).context["cl"].result_list
        assert list(shown) == [wanted], term
