import pytest
from channels.db import database_sync_to_async

from calls.sync import handle_events
from calls.tests import samples
from contacts.tests.factories import ContactFactory, PhoneFactory
from crm.tests.support.sockets import receive_type
from deals.tests.factories import DealFactory
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


def _structure():
    """head heads Sales, where operator (extension 901) works; peer works elsewhere; admin sees all."""
    head = UserFactory(role=Role.MANAGER)
    sales = make_department("Sales", head=head)
    operator = UserFactory(department=sales, internal_number="901")
    peer = UserFactory(department=make_department("Support"), internal_number="902")
    contact = ContactFactory(first_name="Olena", last_name="Shevchenko")
    PhoneFactory(contact=contact, number="+380501234567")
    deal = DealFactory(contact=contact, title="Sofa")
    return head, operator, peer, UserFactory(role=Role.ADMIN), contact, deal


async def test_a_ringing_call_reaches_its_employee_their_manager_and_admins_with_the_caller(ws):
    head, operator, peer, admin, contact, deal = await db(_structure)()
    sockets = {}
    for name, user in {"head": head, "operator": operator, "peer": peer, "admin": admin}.items():
        sockets[name], connected, _code = await ws("/ws/calls/", user=user)
        assert connected
    start = samples.event("callStart", generalCallID="77", externalNumber="0501234567", internalNumbers=["901"])
    await db(handle_events)([start])
    for name in ("head", "operator", "admin"):
        event = await receive_type(sockets[name], "call.updated")
        assert event["call"]["binotel_id"] == "77" and event["call"]["contact"]["id"] == contact.pk
        assert event["caller"]["contact"]["id"] == contact.pk
        assert [d["id"] for d in event["caller"]["open_deals"]] == [deal.pk]
    assert await sockets["peer"].receive_nothing(timeout=0.3), "another department's operator hears nothing"


async def test_the_answer_and_the_end_reach_the_employee_without_the_caller_card(ws):
    _head, operator, peer, _admin, _contact, _deal = await db(_structure)()
    socket, *_ = await ws("/ws/calls/", user=operator)
    peer_socket, *_ = await ws("/ws/calls/", user=peer)
    answer = samples.event("callAnswer", generalCallID="78", externalNumber="0501234567", callType=0)
    await db(handle_events)([{**answer, "internalNumber": "901"}])
    answered = await receive_type(socket, "call.updated")
    assert answered["call"]["employee"]["id"] == operator.pk and "caller" not in answered
    await db(handle_events)([samples.event("callStop", generalCallID="78")])
    ended = await receive_type(socket, "call.updated")
    assert ended["call"]["disposition"] == "VM-SUCCESS" and "caller" not in ended
    assert await peer_socket.receive_nothing(timeout=0.3)


async def test_anonymous_sockets_are_refused(ws):
    _socket, connected, code = await ws("/ws/calls/")
    assert not connected and code == 4401
