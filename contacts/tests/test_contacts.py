import pytest
from django.urls import reverse

from activity.models import Activity
from contacts.models import Contact, Phone
from contacts.tests.factories import (
    ContactActivityFactory,
    ContactEventFactory,
    ContactFactory,
    LetterFactory,
    PhoneFactory,
    ReturnFactory,
)
from crm.tests.support.queries import assert_constant_queries
from deals.tests.factories import DealFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("contacts:contact-list")


def detail(contact):
    return reverse("contacts:contact-detail", args=[contact.pk])


def ids(response):
    return [row["id"] for row in response.data["results"]]


def test_create_normalises_phones_and_makes_the_creator_responsible(api, employee):
    response = api.as_user(employee).post(
        LIST, {"first_name": "Ivan", "last_name": "Petrenko", "phones": ["050 123 45 67", "(044) 123-45-67"]}
    )
    assert response.status_code == 201, response.data
    assert response.data["phones"] == ["+380501234567", "+380441234567"]
    contact = Contact.objects.get(pk=response.data["id"])
    assert contact.responsible == employee
    entry = Activity.objects.get(verb="created", target_id=str(contact.pk))
    assert "phones" in entry.changed_fields and "last_name" in entry.changed_fields


@pytest.mark.parametrize("spelling", ["050 123 45 67", "+380501234567", "380501234567", "0501234567"])
def test_every_spelling_of_a_number_finds_the_contact(api, employee, spelling):
    contact = ContactFactory()
    PhoneFactory(contact=contact, number="+380501234567")
    ContactFactory()
    client = api.as_user(employee)
    assert ids(client.get(LIST, {"search": spelling})) == [contact.pk]
    assert ids(client.get(LIST, {"phone": spelling})) == [contact.pk]


def test_search_by_name_and_email(api, employee):
    olena = ContactFactory(first_name="Olena", last_name="Koval", email="olena@shop.ua")
    ContactFactory(first_name="Petro", last_name="Bondar")
    client = api.as_user(employee)
    assert ids(client.get(LIST, {"search": "koval olena"})) == [olena.pk]
    assert ids(client.get(LIST, {"search": "shop.ua"})) == [olena.pk]


def test_a_number_of_another_contact_is_a_conflict(api, employee):
    owner_of_number = ContactFactory()
    PhoneFactory(contact=owner_of_number, number="+380501234567")
    client = api.as_user(employee)
    response = client.post(LIST, {"last_name": "Copy", "phones": ["380501234567"]})
    assert response.status_code == 409
    assert not Contact.objects.filter(last_name="Copy").exists()

    mine = client.post(LIST, {"last_name": "Mine", "phones": ["+380671112233"]}).data
    response = client.patch(reverse("contacts:contact-detail", args=[mine["id"]]), {"phones": ["0501234567"]})
    assert response.status_code == 409
    assert list(Phone.objects.filter(contact_id=mine["id"]).values_list("number", flat=True)) == ["+380671112233"]


def test_a_bad_phone_is_a_400(api, employee):
    response = api.as_user(employee).post(LIST, {"last_name": "X", "phones": ["12"]})
    assert response.status_code == 400
    assert "phones" in response.data
    assert api.get(LIST, {"phone": "not a phone"}).status_code == 400


def test_edrpou_of_a_contact_is_validated(api, employee):
    client = api.as_user(employee)
    assert client.post(LIST, {"last_name": "Valid", "edrpou": "14360570"}).status_code == 201
    response = client.post(LIST, {"last_name": "Wrong", "edrpou": "14360571"})
    assert response.status_code == 400 and "edrpou" in response.data


def test_update_replaces_phones_and_records_the_changed_fields(api, employee):
    contact = ContactFactory(responsible=employee)
    PhoneFactory(contact=contact, number="+380501234567")
    response = api.as_user(employee).patch(detail(contact), {"email": "new@example.com", "phones": ["0671112233"]})
    assert response.status_code == 200, response.data
    assert response.data["phones"] == ["+380671112233"]
    entry = Activity.objects.get(verb="updated", target_id=str(contact.pk))
    assert entry.changed_fields == ["email", "phones"]


def test_an_update_that_changes_nothing_records_nothing(api, employee):
    contact = ContactFactory(responsible=employee, email="same@example.com")
    assert api.as_user(employee).patch(detail(contact), {"email": "same@example.com"}).status_code == 200
    assert not Activity.objects.filter(verb="updated").exists()


def test_staff_read_any_contact_but_change_only_their_own(api, employee):
    theirs = ContactFactory(responsible=UserFactory(), last_name="Theirs")
    client = api.as_user(employee)
    assert client.get(detail(theirs)).status_code == 200
    assert client.patch(detail(theirs), {"last_name": "Mine now"}).status_code == 403
    assert client.delete(detail(theirs)).status_code == 403
    theirs.refresh_from_db()
    assert theirs.last_name == "Theirs"
    assert not Activity.objects.exists()


def test_admin_changes_and_deletes_any_contact(api, admin_user):
    contact = ContactFactory(responsible=UserFactory())
    client = api.as_user(admin_user)
    assert client.patch(detail(contact), {"newsletter": True}).status_code == 200
    assert client.delete(detail(contact)).status_code == 204
    assert Activity.objects.filter(verb="deleted", actor=admin_user).exists()


def test_a_contact_with_returns_is_not_deleted(api, admin_user):
    contact = ContactFactory()
    ReturnFactory(contact=contact)
    response = api.as_user(admin_user).delete(detail(contact))
    assert response.status_code == 409
    assert response.data["detail"] == "This contact has returns; it cannot be deleted."
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_refused_delete_names_what_stops_it(api, admin_user):
    contact = ContactFactory()
    DealFactory(contact=contact)
    ReturnFactory(contact=contact)
    response = api.as_user(admin_user).delete(detail(contact))
    assert response.status_code == 409
    assert response.data["detail"] == "This contact has deals and returns; it cannot be deleted."
    uk = api.as_user(admin_user).delete(detail(contact), HTTP_ACCEPT_LANGUAGE="uk")
    assert uk.data["detail"] == "У контакту є повернення та угоди; його не можна видалити."


def test_contact_list_takes_constant_queries(api, employee):
    def add_rows(n):
        from companies.models import Company

        company = Company.objects.create(name=f"Co {Contact.objects.count()}")
        for _ in range(n):
            contact = ContactFactory(company=company, responsible=UserFactory())
            PhoneFactory(contact=contact)
            PhoneFactory(contact=contact)

    # the user behind the token, the count, the page with company and responsible, the phones
    assert assert_constant_queries(api.as_user(employee), LIST, add_rows) <= 4


@pytest.mark.parametrize(
    ("name", "factory", "filters", "date_field"),
    [
        ("events", ContactEventFactory, {"type": "call"}, "occurred_at"),
        ("activities", ContactActivityFactory, {"type": "call"}, "occurred_at"),
        ("letters", LetterFactory, {"direction": "outgoing"}, "sent_at"),
    ],
)
def test_nested_lists_of_a_contact(api, employee, name, factory, filters, date_field):
    contact = ContactFactory()
    mine = factory(contact=contact)
    factory(contact=ContactFactory())
    client = api.as_user(employee)
    url = reverse(f"contacts:contact-{name}", args=[contact.pk])
    assert ids(client.get(url)) == [mine.pk]
    assert ids(client.get(url, {**filters, "period": "today"})) == [mine.pk]
    assert client.get(url, {"period": "someday"}).status_code == 400
    assert client.get(reverse(f"contacts:contact-{name}", args=[999999])).status_code == 404

    def add_rows(n):
        factory.create_batch(n, contact=contact)

    # the user behind the token, the contact, the count, the page (with the responsible user joined)
    assert assert_constant_queries(client, url, add_rows) <= 4


def test_a_partial_update_answers_with_every_field(api, employee):
    contact = ContactFactory(responsible=employee)
    response = api.as_user(employee).patch(detail(contact), {"first_name": "Oksana"})
    assert response.status_code == 200
    assert response.data["company_name"] is None
