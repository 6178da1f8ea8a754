"""Duplicates and merge: nothing lost, nothing left pointing at the merged record; only for who may change both."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, models

from activity.models import Activity
from comments.models import Comment
from companies.models import Company
from companies.tests.factories import CompanyFactory
from contacts.models import Contact, LoyaltyTransaction
from contacts.tests.factories import (
    ContactActivityFactory,
    ContactEventFactory,
    ContactFactory,
    LetterFactory,
    PhoneFactory,
    ReturnFactory,
)
from crm.api.relations import generic_foreign_keys, generic_rows, reverse_relations
from deals.tests.factories import DealFactory, OrderFactory
from leads.tests.factories import LeadFactory
from tasks.tests.factories import TaskFactory
from users.models import Role
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def merge(client, kept, other, base="/api/contacts/"):
    return client.post(f"{base}{kept.pk}/merge/", {"other": other.pk}, format="json")


def pointing_at(record) -> dict[str, int]:
    """How many rows of every related table point at `record`, found from the model graph."""
    counts = {}
    for relation in reverse_relations(type(record)):
        if relation.many_to_many:
            through = relation.through
            n = through._base_manager.filter(**{relation.field.m2m_reverse_field_name(): record}).count()
        else:
            n = relation.related_model._base_manager.filter(**{relation.field.name: record}).count()
        counts[relation.related_model._meta.label_lower + "." + relation.field.name] = n
    for model, field in generic_foreign_keys():
        if model is not Activity:
            counts[model._meta.label_lower] = generic_rows(model, field, type(record), [record.pk]).count()
    return counts


def contact_with_everything(responsible, **fields):
    contact = ContactFactory(responsible=responsible, **fields)
    PhoneFactory(contact=contact)
    ContactEventFactory(contact=contact)
    ContactActivityFactory(contact=contact)
    LetterFactory(contact=contact)
    ReturnFactory(contact=contact)
    OrderFactory(contact=contact)
    DealFactory(contact=contact)
    LeadFactory(contact=contact)
    TaskFactory(contact=contact)
    Comment.objects.create(target=contact, text="about this one", author=responsible)
    return contact


def test_merging_moves_every_related_row_and_trashes_the_other(api, manager):
    kept = contact_with_everything(manager, first_name="Taras", email="")
    other = contact_with_everything(
        manager, first_name="Tapac", email="taras@example.com", delivery_method="Nova Poshta"
    )
    client = api.as_user(manager)
    client.post(f"/api/contacts/{other.pk}/loyalty/", {"kind": "accrued", "amount": "25.00"}, format="json")
    before_kept, before_other = pointing_at(kept), pointing_at(other)

    response = merge(client, kept, other)

    assert response.status_code == 200, response.data
    after_kept, after_other = pointing_at(kept), pointing_at(other)
    assert all(n == 0 for n in after_other.values()), after_other
    assert after_kept == {name: before_kept[name] + before_other[name] for name in before_kept}
    assert after_kept["contacts.phone.contact"] == 2 and after_kept["comments.comment"] == 2
    kept.refresh_from_db()
    assert kept.first_name == "Taras"  # a filled field keeps its value
    assert kept.email == "taras@example.com" and kept.delivery_method == "Nova Poshta"  # empty ones are filled
    assert kept.loyalty_balance == Decimal("25.00")
    assert LoyaltyTransaction.objects.filter(contact=kept).count() == 1
    assert Contact.all_objects.get(pk=other.pk).deleted_at is not None
    assert client.get(f"/api/contacts/{other.pk}/").status_code == 404
    assert Activity.objects.filter(verb="merged", target_id=str(kept.pk)).exists()
    assert response.data["email"] == "taras@example.com" and len(response.data["phones"]) == 2


@pytest.mark.django_db(transaction=True)
def test_a_model_added_later_with_a_link_to_contacts_is_moved_too(owner):
    """The merge finds relations from the model graph: a new model needs no line of its own."""
    from crm.merge import merge_records

    attrs = {
        "__module__": "contacts.models",
        "contact": models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+"),
        "Meta": type("Meta", (), {"app_label": "contacts", "db_table": "test_merge_later_model"}),
    }
    later_model = type("LaterModel", (models.Model,), attrs)
    apps.clear_cache()
    try:
        with connection.schema_editor() as editor:
            editor.create_model(later_model)
        kept, other = ContactFactory(), ContactFactory()
        later_model.objects.create(contact=other)
        merge_records(kept=kept, other=other, actor=owner)
        assert list(later_model.objects.values_list("contact_id", flat=True)) == [kept.pk]
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(later_model)
        del apps.all_models["contacts"]["latermodel"]
        apps.clear_cache()


def test_merging_needs_the_right_to_change_both(api, employee):
    colleague = UserFactory(role=Role.EMPLOYEE)
    mine, theirs = contact_with_everything(employee), contact_with_everything(colleague)
    before = pointing_at(theirs)
    client = api.as_user(employee)
    assert merge(client, theirs, mine).status_code == 403
    assert merge(client, mine, theirs).status_code == 403
    assert pointing_at(theirs) == before and Contact.objects.filter(pk=theirs.pk).exists()
    assert not Activity.objects.filter(verb="merged").exists()


def test_merging_with_nothing_or_itself_is_refused(api, owner):
    contact, trashed = ContactFactory(), ContactFactory()
    client = api.as_user(owner)
    client.delete(f"/api/contacts/{trashed.pk}/")
    assert client.post(f"/api/contacts/{contact.pk}/merge/", {"other": 10**30}, format="json").status_code == 400
    assert client.post(f"/api/contacts/{contact.pk}/merge/", {"other": "x"}, format="json").status_code == 400
    assert merge(client, contact, trashed).status_code == 404
    assert merge(client, contact, contact).status_code == 409


def test_merging_companies_moves_their_people_and_passes_the_edrpou(api, owner):
    kept, other = CompanyFactory(edrpou=""), CompanyFactory(edrpou="32855961")
    person = ContactFactory(company=other)
    TaskFactory(company=other)
    response = merge(api.as_user(owner), kept, other, base="/api/companies/")
    assert response.status_code == 200, response.data
    assert response.data["edrpou"] == "32855961"
    person.refresh_from_db()
    assert person.company_id == kept.pk and kept.tasks.count() == 1
    assert Company.all_objects.get(pk=other.pk).edrpou == ""


def test_duplicates_pair_the_same_email_and_alike_names_but_not_trashed_rows(api, employee):
    a = ContactFactory(last_name="Шевченко", first_name="Тарас", email="T@example.com")
    b = ContactFactory(last_name="Коваль", first_name="Олена", email="t@example.com")
    c = ContactFactory(last_name="Шевченко", first_name="Тарас", email="")
    gone = ContactFactory(last_name="Коваль", first_name="Олена", email="")
    Contact.all_objects.filter(pk=gone.pk).update(deleted_at="2026-01-01T00:00Z")
    ContactFactory(last_name="Іваненко", first_name="Петро")

    rows = api.as_user(employee).get("/api/contacts/duplicates/").data
    pairs = {(row["reason"], row["first"]["id"], row["second"]["id"]) for row in rows["results"]}
    assert pairs == {("email", a.pk, b.pk), ("name", a.pk, c.pk)}
    assert rows["count"] == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram similarity is PostgreSQL's")
def test_duplicates_find_a_name_with_a_typo(api, employee):
    a = ContactFactory(last_name="Шевченко", first_name="Тарас")
    b = ContactFactory(last_name="Шевчемко", first_name="Тарас")
    rows = api.as_user(employee).get("/api/contacts/duplicates/").data["results"]
    assert [(row["reason"], row["first"]["id"], row["second"]["id"]) for row in rows] == [("name", a.pk, b.pk)]


def test_company_duplicates_by_name(api, employee):
    # Latin letters: SQLite's lower() folds only ASCII; PostgreSQL's folds Cyrillic too (see the typo test).
    a, b = CompanyFactory(name="Romashka LLC"), CompanyFactory(name="romashka llc ")
    rows = api.as_user(employee).get("/api/companies/duplicates/").data["results"]
    assert [(row["first"]["id"], row["second"]["id"]) for row in rows] == [(a.pk, b.pk)]
