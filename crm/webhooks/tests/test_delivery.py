"""The worker renders a claimed batch per (endpoint owner, kind of record): a bounded number of queries however
many deliveries it holds, and each owner still gets only what they may see."""

import pytest
from django.utils import timezone

from calls.models import Call
from calls.tests.factories import CallFactory
from contacts import services as contact_services
from crm.webhooks import delivery as worker
from crm.webhooks import events, outbox, services
from deals.models import Order
from deals.tests.factories import DealFactory, OrderItemFactory
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

# Per owner: contacts and their phones (2), orders and their items (2), calls (1); for the manager, also whom
# they may see (1, read once for the batch). Owner and manager, three kinds: 6 groups, 11 queries.
MAX_QUERIES = 11


@pytest.fixture
def people(owner, settings):
    settings.WEBHOOKS_ALLOW_INSECURE_URLS = True
    manager = UserFactory(role=Role.MANAGER)
    seller = UserFactory(department=make_department("Sales", head=manager))
    stranger = UserFactory()
    for user in (owner, manager):
        services.endpoint_create(
            actor=user, url="http://127.0.0.1:9/hook", events=["contact.created", "order.paid", "call.ended"]
        )
    return owner, manager, seller, stranger


def _queue(count: int, *, owner, seller, stranger) -> None:
    """`count` contacts, paid orders and ended calls, half of the orders and calls the seller's, half a stranger's."""
    orders, calls = [], []
    for number in range(count):
        contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": f"Lee {number}"})
        responsible = seller if number % 2 == 0 else stranger
        orders.append(OrderItemFactory(order__deal=DealFactory(responsible=responsible)).order)
        calls.append(CallFactory(employee=responsible))
    now = timezone.now()
    outbox.queue_records("order.paid", model=Order, records=[(order.pk, now) for order in orders])
    outbox.queue_records("call.ended", model=Call, records=[(call.pk, now) for call in calls])


@pytest.mark.parametrize("count", [1, 20])
def test_a_batch_renders_in_a_bounded_number_of_queries(people, count, django_assert_max_num_queries):
    owner, manager, seller, stranger = people
    _queue(count, owner=owner, seller=seller, stranger=stranger)
    claimed = worker.claim(limit=1000)
    assert len(claimed) == 3 * count * 2

    with django_assert_max_num_queries(MAX_QUERIES):
        bodies = worker.bodies_of(claimed)

    sent = {(row.endpoint.owner_id, row.event) for row in claimed if bodies[row.pk] is not None}
    assert sent == {(owner.pk, "contact.created"), (owner.pk, "order.paid"), (owner.pk, "call.ended")} | {
        (manager.pk, "contact.created"),  # all staff read contacts
        (manager.pk, "order.paid"),
        (manager.pk, "call.ended"),
    }
    # the manager sees the seller's orders and calls only; the stranger's (every other one) are refused
    managers = [row for row in claimed if row.endpoint.owner_id == manager.pk and row.event != "contact.created"]
    assert sum(bodies[row.pk] is None for row in managers) == count // 2 * 2


def test_two_deliveries_render_in_the_same_bounded_number_of_queries(owner, settings, django_assert_max_num_queries):
    settings.WEBHOOKS_ALLOW_INSECURE_URLS = True
    services.endpoint_create(actor=owner, url="http://127.0.0.1:9/hook", events=["contact.created"])
    for number in range(2):
        contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": f"Lee {number}"})
    claimed = worker.claim(limit=10)
    with django_assert_max_num_queries(2):  # the contacts, their phones
        bodies = worker.bodies_of(claimed)
    assert len(bodies) == 2 and all(bodies.values())


def test_a_batch_renders_each_record_as_one_at_a_time_would(people):
    owner, _manager, seller, stranger = people
    _queue(3, owner=owner, seller=seller, stranger=stranger)
    claimed = worker.claim(limit=100)
    bodies = worker.bodies_of(claimed)
    for row in claimed:
        label = row.target_type.model_class()._meta.label
        alone = events.render(label, user=row.endpoint.owner, pk=row.target_id)
        assert (bodies[row.pk] is None) == (alone is None)
        if alone is not None:
            assert bodies[row.pk] == worker._body(row, alone)
