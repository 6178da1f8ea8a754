import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from contacts.models import Contact, LoyaltyTransaction
from contacts.services import loyalty_add
from contacts.tests.factories import ContactFactory
from crm.api.exceptions import DomainError
from users.tests.factories import UserFactory


def url(contact):
    return reverse("contacts:contact-loyalty", args=[contact.pk])


@pytest.mark.django_db
def test_accrue_then_spend_keeps_history_and_balance(api, employee):
    contact = ContactFactory(responsible=employee)
    client = api.as_user(employee)
    assert client.post(url(contact), {"kind": "accrued", "amount": "100.00", "reason": "Order A-1"}).status_code == 201
    spent = client.post(url(contact), {"kind": "spent", "amount": "30.50", "order_reference": "A-2"})
    assert spent.status_code == 201
    assert spent.data["balance_after"] == "69.50"
    history = client.get(url(contact)).data["results"]
    assert [row["kind"] for row in history] == ["spent", "accrued"]
    balance = client.get(reverse("contacts:contact-loyalty-balance", args=[contact.pk])).data
    assert balance == {"contact": contact.pk, "balance": "69.50"}
    assert client.get(reverse("contacts:contact-detail", args=[contact.pk])).data["loyalty_balance"] == "69.50"


@pytest.mark.django_db
def test_spending_more_than_the_balance_is_refused_and_changes_nothing(api, employee):
    contact = ContactFactory(responsible=employee)
    loyalty_add(contact=contact, actor=employee, kind="accrued", amount=Decimal("10"))
    response = api.as_user(employee).post(url(contact), {"kind": "spent", "amount": "10.01"})
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.loyalty_balance == Decimal("10")
    assert LoyaltyTransaction.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0", "-5", "abc"])
def test_amount_must_be_a_positive_number(api, employee, amount):
    contact = ContactFactory(responsible=employee)
    assert api.as_user(employee).post(url(contact), {"kind": "accrued", "amount": amount}).status_code == 400
    assert not LoyaltyTransaction.objects.exists()


@pytest.mark.django_db
def test_only_admins_and_the_responsible_move_bonuses(api, employee):
    contact = ContactFactory(responsible=UserFactory())
    client = api.as_user(employee)
    assert client.get(url(contact)).status_code == 200
    assert client.post(url(contact), {"kind": "accrued", "amount": "1000"}).status_code == 403
    contact.refresh_from_db()
    assert contact.loyalty_balance == 0


@pytest.mark.django_db(transaction=True)
def test_two_spends_at_once_never_overdraw():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested here; SQLite locks the whole database")
    actor = UserFactory()
    contact = ContactFactory()
    loyalty_add(contact=contact, actor=actor, kind="accrued", amount=Decimal("100"))
    barrier = threading.Barrier(2)
    outcomes = []

    def spend():
        try:
            barrier.wait()
            loyalty_add(contact=Contact.objects.get(pk=contact.pk), actor=actor, kind="spent", amount=Decimal("70"))
            outcomes.append("spent")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "spent"]
    contact.refresh_from_db()
    assert contact.loyalty_balance == Decimal("30")
    assert LoyaltyTransaction.objects.filter(kind="spent").count() == 1
