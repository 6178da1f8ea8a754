import pytest
from channels.db import database_sync_to_async

from activity.services import activity_record
from crm.tests.support.sockets import receive_type
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


def _structure():
    """director heads Company > Sales (headed by sales_head) > worker; outsider and peer elsewhere."""
    director, sales_head = UserFactory(role=Role.MANAGER), UserFactory(role=Role.MANAGER)
    company = make_department("Company", head=director)
    sales = make_department("Sales", parent=company, head=sales_head)
    worker = UserFactory(department=sales)
    other = make_department("Other", parent=company)
    peer = UserFactory(department=other)
    return director, sales_head, worker, peer, UserFactory(role=Role.ADMIN)


async def test_entry_reaches_the_actor_and_their_managers_up_the_tree_and_admins(ws):
    director, sales_head, worker, peer, admin = await db(_structure)()
    users = {"director": director, "head": sales_head, "worker": worker, "peer": peer, "admin": admin}
    sockets = {}
    for name, user in users.items():
        sockets[name], *_ = await ws("/ws/activity/", user=user)
    await db(activity_record)(actor=worker, verb="updated", target=worker, changed_fields=["phone"])
    for name in ("director", "head", "worker", "admin"):
        event = await receive_type(sockets[name], "activity.created")
        assert event["activity"]["verb"] == "updated" and event["activity"]["actor"]["id"] == worker.pk
    assert await sockets["peer"].receive_nothing(timeout=0.3), "a colleague in another department sees nothing"


async def test_a_managers_own_entry_does_not_reach_their_subordinates(ws):
    _director, sales_head, worker, _peer, _admin = await db(_structure)()
    worker_socket, *_ = await ws("/ws/activity/", user=worker)
    await db(activity_record)(actor=sales_head, verb="updated", target=sales_head)
    assert await worker_socket.receive_nothing(timeout=0.3)
