"""Joining a chat: invite links (revocable, optionally expiring) and direct chats found or created by the pair."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chat.models import Chat, ChatInvite
from chat.tests.factories import chat_with
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DIRECT = reverse("chat:chat-direct")
JOIN = reverse("chat:chat-join")


def invites(chat):
    return reverse("chat:chat-invites", args=[chat.pk])


def test_direct_chat_is_found_or_created_by_the_pair(api, employee):
    colleague = UserFactory()
    first = api.as_user(employee).post(DIRECT, {"user": colleague.pk}, format="json")
    assert first.status_code == 201 and first.data["is_direct"]
    again = api.as_user(colleague).post(DIRECT, {"user": employee.pk}, format="json")
    assert again.status_code == 200 and again.data["id"] == first.data["id"]
    assert Chat.objects.filter(kind=Chat.Kind.DIRECT).count() == 1
    assert {m["user"]["id"] for m in again.data["members"]} == {employee.pk, colleague.pk}


def test_direct_chat_stays_between_two(api, employee):
    colleague = UserFactory()
    chat_id = api.as_user(employee).post(DIRECT, {"user": colleague.pk}, format="json").data["id"]
    response = api.as_user(employee).post(
        reverse("chat:chat-add-member", args=[chat_id]), {"user": UserFactory().pk}, format="json"
    )
    assert response.status_code == 409
    assert api.as_user(employee).post(DIRECT, {"user": employee.pk}, format="json").status_code == 400
    outsider = UserFactory()
    assert api.as_user(outsider).get(reverse("chat:chat-detail", args=[chat_id])).status_code == 404


def test_invite_link_makes_the_opener_a_member(api, employee):
    chat = chat_with()
    created = api.as_user(chat.owner).post(invites(chat), {}, format="json")
    assert created.status_code == 201 and created.data["state"] == "active"
    token = created.data["token"]
    assert not ChatInvite.objects.filter(token_hash=token).exists(), "only the hash is stored"
    joined = api.as_user(employee).post(JOIN, {"token": token}, format="json")
    assert joined.status_code == 200 and joined.data["id"] == chat.pk
    assert chat.memberships.filter(user=employee, is_admin=False).exists()


def test_revoked_expired_and_unknown_invites_are_refused(api, employee):
    chat = chat_with()
    client = api.as_user(chat.owner)
    revoked = client.post(invites(chat), {}, format="json").data
    response = client.delete(reverse("chat:chat-revoke-invite", args=[chat.pk, revoked["id"]]))
    assert response.status_code == 200 and response.data["state"] == "revoked"
    soon = (timezone.now() + timedelta(hours=1)).isoformat()
    expiring = client.post(invites(chat), {"expires_at": soon}, format="json").data
    ChatInvite.objects.filter(pk=expiring["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    joiner = api.as_user(employee)
    assert joiner.post(JOIN, {"token": revoked["token"]}, format="json").status_code == 410
    assert joiner.post(JOIN, {"token": expiring["token"]}, format="json").status_code == 410
    assert joiner.post(JOIN, {"token": "nonsense"}, format="json").status_code == 404
    assert not chat.memberships.filter(user=employee).exists()
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    client = api.as_user(chat.owner)
    assert client.post(invites(chat), {"expires_at": past}, format="json").status_code == 400


def test_only_owner_and_admins_handle_invites(api, employee):
    chat = chat_with(employee)
    invite = api.as_user(chat.owner).post(invites(chat), {}, format="json").data
    member = api.as_user(employee)
    assert member.get(invites(chat)).status_code == 403
    assert member.post(invites(chat), {}, format="json").status_code == 403
    assert member.delete(reverse("chat:chat-revoke-invite", args=[chat.pk, invite["id"]])).status_code == 403
    outsider = api.as_user(UserFactory())
    assert outsider.get(invites(chat)).status_code == 404
    assert outsider.post(invites(chat), {}, format="json").status_code == 404
    assert [row["id"] for row in api.as_user(chat.owner).get(invites(chat)).data] == [invite["id"]]


def test_a_group_cannot_take_over_the_direct_chat_of_a_pair(api, employee):
    """Finding 3: a group named `direct-<A>-<B>` received what A then sent B "directly"."""
    first, second = UserFactory(), UserFactory()
    low, high = sorted([first.pk, second.pk])
    taken = api.as_user(employee).post(
        reverse("chat:chat-list"),
        {"name": f"direct-{low}-{high}", "display_name": "Mine", "members": [first.pk, second.pk]},
        format="json",
    )
    assert taken.status_code == 400 and "name" in taken.json()
    response = api.as_user(first).post(DIRECT, {"user": second.pk}, format="json")
    assert response.status_code == 201
    assert {m["user"]["id"] for m in response.data["members"]} == {first.pk, second.pk}


def test_the_direct_chat_is_the_pair_even_if_a_group_holds_its_old_name(api, employee):
    """A group that took the name before it was reserved neither receives the pair's messages nor breaks them."""
    first, second = UserFactory(), UserFactory()
    low, high = sorted([first.pk, second.pk])
    squatter = chat_with(employee, name=f"direct-{low}-{high}")  # created before names were checked
    response = api.as_user(first).post(DIRECT, {"user": second.pk}, format="json")
    assert response.status_code == 201
    assert response.data["id"] != squatter.pk
    assert {m["user"]["id"] for m in response.data["members"]} == {first.pk, second.pk}
    again = api.as_user(second).post(DIRECT, {"user": first.pk}, format="json")
    assert again.status_code == 200 and again.data["id"] == response.data["id"]


def test_one_direct_chat_per_pair_is_enforced_by_the_database(employee):
    from django.db import IntegrityError, transaction

    colleague = UserFactory()
    low, high = sorted([employee, colleague], key=lambda user: user.pk)
    Chat.objects.create(name="a", display_name="a", kind=Chat.Kind.DIRECT, direct_low=low, direct_high=high)
    with pytest.raises(IntegrityError), transaction.atomic():
        Chat.objects.create(name="b", display_name="b", kind=Chat.Kind.DIRECT, direct_low=low, direct_high=high)
    with pytest.raises(IntegrityError), transaction.atomic():
        Chat.objects.create(name="c", display_name="c", kind=Chat.Kind.DIRECT, direct_low=high, direct_high=low)
