"""The trash: a delete hides a record everywhere, the trash shows it to whoever could delete it, restore undoes it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from activity.models import Activity
from comments.models import Comment
from companies.models import Company
from companies.tests.factories import CompanyFactory
from contacts.models import Contact, Phone
from contacts.tests.factories import ContactEventFactory, ContactFactory, PhoneFactory
from crm.tests.support.queries import assert_constant_queries
from deals.models import Deal
from deals.tests.factories import DealFactory, OrderFactory
from leads.models import Lead
from leads.tests.factories import LeadFactory
from tasks.models import Task
from tasks.tests.factories import TaskFactory
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

TRASH = "/api/trash/"


def restore_url(kind, pk):
    return f"/api/trash/{kind}/{pk}/restore/"


def records_of(user):
    """One record of every trashable kind that `user` may delete, with the URLs of its list and detail."""
    contact = ContactFactory(responsible=user)
    return [
        ("contact", contact, "/api/contacts/"),
        ("company", CompanyFactory(responsible=user), "/api/companies/"),
        ("lead", LeadFactory(responsible=user, created_by=user), "/api/leads/"),
        ("deal", DealFactory(responsible=user, created_by=user, contact=ContactFactory()), "/api/deals/"),
        ("task", TaskFactory(created_by=user), "/api/tasks/"),
    ]


def test_a_deleted_record_vanishes_from_its_list_detail_and_count_and_comes_back(api, manager):
    client = api.as_user(manager)
    for kind, record, list_url in records_of(manager):
        detail = f"{list_url}{record.pk}/"
        before = client.get(list_url).data["count"]
        assert client.delete(detail).status_code == 204, kind
        assert client.get(detail).status_code == 404, kind
        listed = client.get(list_url).data
        assert listed["count"] == before - 1 and record.pk not in [row["id"] for row in listed["results"]], kind
        assert type(record).all_objects.filter(pk=record.pk, deleted_at__isnull=False).exists(), kind

        response = client.post(restore_url(kind, record.pk))
        assert response.status_code == 200, kind
        assert response.data["kind"] == kind and response.data["id"] == record.pk
        assert client.get(detail).status_code == 200, kind
        verbs = list(Activity.objects.filter(target_id=str(record.pk), target_type__model=kind).values_list("verb"))
        assert ("deleted",) in verbs and ("restored",) in verbs, kind


def test_restore_brings_back_everything_attached(api, manager):
    contact = ContactFactory(responsible=manager)
    PhoneFactory(contact=contact, number="+380501234567")
    ContactEventFactory(contact=contact)
    task = TaskFactory(created_by=manager, contact=contact)
    client = api.as_user(manager)
    client.post("/api/comments/", {"target": f"contacts.contact:{contact.pk}", "text": "VIP"})

    assert client.delete(f"/api/contacts/{contact.pk}/").status_code == 204
    assert client.post(restore_url("contact", contact.pk)).status_code == 200

    body = client.get(f"/api/contacts/{contact.pk}/").data
    assert body["phones"] == ["+380501234567"]
    assert client.get(f"/api/contacts/{contact.pk}/events/").data["count"] == 1
    assert client.get(f"/api/contacts/{contact.pk}/tasks/").data["results"][0]["id"] == task.pk
    comments = client.get("/api/comments/", {"target": f"contacts.contact:{contact.pk}"}).data["results"]
    assert [c["text"] for c in comments] == ["VIP"]


def test_related_lists_hide_trashed_rows(api, manager):
    contact = ContactFactory()
    kept, trashed = (DealFactory(contact=contact, responsible=manager) for _ in range(2))
    Deal.objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    assert list(contact.deals.values_list("pk", flat=True)) == [kept.pk]
    rows = api.as_user(manager).get("/api/deals/", {"contact": contact.pk}).data["results"]
    assert [row["id"] for row in rows] == [kept.pk]


def test_the_trash_lists_only_what_the_user_could_delete(api, employee, owner):
    mine = LeadFactory(responsible=employee, created_by=employee, name="Mine")
    colleague = UserFactory(role=Role.EMPLOYEE)
    theirs = LeadFactory(responsible=colleague, created_by=colleague, name="Theirs")
    their_contact = ContactFactory(responsible=colleague)
    for user, record in ((employee, mine), (colleague, theirs)):
        assert api.as_user(user).delete(f"/api/leads/{record.pk}/").status_code == 204
    assert api.as_user(colleague).delete(f"/api/contacts/{their_contact.pk}/").status_code == 204

    client = api.as_user(employee)
    rows = client.get(TRASH).data["results"]
    assert [(row["kind"], row["id"], row["title"]) for row in rows] == [("lead", mine.pk, "Mine")]
    assert rows[0]["deleted_by"] == employee.pk
    assert client.post(restore_url("lead", theirs.pk)).status_code == 404
    assert client.post(restore_url("contact", their_contact.pk)).status_code == 404
    assert Lead.all_objects.get(pk=theirs.pk).deleted_at is not None

    everything = api.as_user(owner).get(TRASH).data
    assert everything["count"] == 3
    assert {row["kind"] for row in everything["results"]} == {"lead", "contact"}
    assert api.as_user(owner).get(TRASH, {"kind": "contact"}).data["count"] == 1


def test_a_head_restores_a_subordinates_deal(api):
    head, seller = UserFactory(role=Role.MANAGER), UserFactory(role=Role.EMPLOYEE)
    seller.department = make_department("Sales", head=head)
    seller.save()
    deal = DealFactory(responsible=seller, created_by=seller)
    assert api.as_user(seller).delete(f"/api/deals/{deal.pk}/").status_code == 204
    assert api.as_user(head).post(restore_url("deal", deal.pk)).status_code == 200


@pytest.mark.parametrize("kind", ["nothing", "contact,bogus"])
def test_an_unknown_kind_is_a_400(api, employee, kind):
    response = api.as_user(employee).get(TRASH, {"kind": kind})
    assert response.status_code == 400 and "kind" in response.data


@pytest.mark.parametrize("path", ["bogus/1/", "contact/99999999999999999999/", "contact/0/"])
def test_restoring_nothing_is_a_404(api, owner, path):
    assert api.as_user(owner).post(f"/api/trash/{path}restore/").status_code == 404


def test_the_trash_needs_a_login(api):
    assert api.get(TRASH).status_code == 401


def test_the_trash_list_runs_a_constant_number_of_queries(api, owner):
    def add_rows(n):
        for _ in range(n):
            for model, factory in ((Contact, ContactFactory), (Lead, LeadFactory), (Task, TaskFactory)):
                record = factory()
                model.all_objects.filter(pk=record.pk).update(deleted_at=timezone.now(), deleted_by=owner)

    assert_constant_queries(api.as_user(owner), TRASH, add_rows, params={"page_size": 200})


def test_a_contact_with_orders_still_cannot_be_deleted(api, owner):
    order = OrderFactory()
    response = api.as_user(owner).delete(f"/api/contacts/{order.contact_id}/")
    assert response.status_code == 409
    assert Contact.objects.filter(pk=order.contact_id).exists()
    assert not Activity.objects.filter(verb="deleted").exists()


def test_a_phone_held_by_a_trashed_contact_is_a_409_that_says_where(api, owner):
    trashed = ContactFactory()
    PhoneFactory(contact=trashed, number="+380501234567")
    client = api.as_user(owner)
    client.delete(f"/api/contacts/{trashed.pk}/")
    response = client.post("/api/contacts/", {"first_name": "New", "phones": ["050 123 45 67"]}, format="json")
    assert response.status_code == 409
    assert f"#{trashed.pk}" in str(response.data["detail"]) and "trash" in str(response.data["detail"])
    assert Contact.all_objects.count() == 1


def test_an_edrpou_held_by_a_trashed_company_is_a_409_that_says_where(api, owner):
    trashed = CompanyFactory(edrpou="32855961")
    client = api.as_user(owner)
    client.delete(f"/api/companies/{trashed.pk}/")
    response = client.post("/api/companies/", {"name": "Again", "edrpou": "32855961"}, format="json")
    assert response.status_code == 409 and f"#{trashed.pk}" in str(response.data["detail"])
    assert Company.all_objects.count() == 1


def test_purge_erases_what_is_older_than_the_trash_period(api, owner, settings):
    settings.TRASH_DAYS = 30
    old, recent, alive = ContactFactory(), ContactFactory(), ContactFactory()
    PhoneFactory(contact=old)
    client = api.as_user(owner)
    client.post("/api/comments/", {"target": f"contacts.contact:{old.pk}", "text": "gone with it"})
    for contact in (old, recent):
        client.delete(f"/api/contacts/{contact.pk}/")
    Contact.all_objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))

    call_command("purge_trash")

    assert set(Contact.all_objects.values_list("pk", flat=True)) == {recent.pk, alive.pk}
    assert not Phone.objects.filter(contact_id=old.pk).exists()
    assert not Comment.objects.filter(object_id=str(old.pk), content_type__model="contact").exists()
    assert Activity.objects.filter(target_id=str(old.pk), verb="deleted").exists()  # the log keeps the deletion


def test_purge_keeps_a_row_that_something_new_depends_on(owner):
    contact = ContactFactory()
    Contact.all_objects.filter(pk=contact.pk).update(deleted_at=timezone.now() - timedelta(days=400))
    DealFactory(contact=Contact.all_objects.get(pk=contact.pk))
    call_command("purge_trash")
    assert Contact.all_objects.filter(pk=contact.pk).exists()


def test_admin_deletes_into_the_trash_shows_it_and_restores(client, owner):
    lead = LeadFactory()
    client.force_login(owner)
    changelist = "/admin/leads/lead/"
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [lead.pk], "post": "yes"})
    assert response.status_code == 302
    assert Lead.all_objects.get(pk=lead.pk).deleted_at is not None
    assert lead.name not in client.get(changelist).content.decode()
    assert lead.name in client.get(changelist, {"trash": "in"}).content.decode()
    client.post(changelist + "?trash=in", {"action": "restore_from_trash", "_selected_action": [lead.pk]})
    assert Lead.objects.filter(pk=lead.pk).exists()
