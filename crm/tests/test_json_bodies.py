"""JSON bodies (and socket messages) the project cannot take are a 400 with a `detail`, whichever view they reach."""

import base64
import hashlib
import hmac
import json

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from rest_framework.exceptions import ParseError

from chat.tests.factories import chat_with
from crm.api.parsers import MAX_DEPTH, load_json, too_deep
from crm.tests.support.sockets import receive_type
from users.tests.factories import UserFactory

NESTED = "[" * 5000 + "]" * 5000


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (NESTED, "nested"),
        ('{"a":' * 5000 + "1" + "}" * 5000, "nested"),
        (nested(MAX_DEPTH + 1), "nested"),
        ('{"a": [' + nested(MAX_DEPTH) + "]}", "nested"),
        ("1e400", "out of range"),
        ('{"n": -1e400}', "out of range"),
        ('{"n": NaN}', "out of range"),
        ("[Infinity]", "out of range"),
        ('{"text": "a\\u0000b"}', "NUL"),
        ('{"a\\u0000": 1}', "NUL"),
        ('["\\ud800"]', "surrogate"),
        ('{"\\udfff": 1}', "surrogate"),
        ("9" * 5000, "JSON parse error"),
        ("{", "JSON parse error"),
        ("", "JSON parse error"),
        (b"\xff\xfe", "not text"),
    ],
)
def test_load_json_refuses_with_a_reason(raw, says):
    with pytest.raises(ParseError) as refused:
        load_json(raw)
    assert says in str(refused.value.detail)


def test_load_json_takes_what_the_project_stores():
    assert load_json(nested(MAX_DEPTH)) == json.loads(nested(MAX_DEPTH))
    assert load_json('{"emoji": "\\ud83d\\ude00", "n": 99999999999999999999, "x": 1.5e308}') == {
        "emoji": "😀",
        "n": 99999999999999999999,
        "x": 1.5e308,
    }
    assert load_json("[\\u0041]".replace("\\u0041", '"\\\\u0000"')) == ["\\u0000"], "an escaped backslash is text"


@pytest.mark.parametrize(
    ("raw", "deep"),
    [
        (nested(MAX_DEPTH), False),
        (nested(MAX_DEPTH + 1), True),
        ('{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), True),
        ('["' + "[" * 1000 + '"]', False),
        ('["\\"' + "[" * 1000 + '"]', False),
        ("[" * (MAX_DEPTH + 1), True),
        ("[]" * 1000, False),
        ('[{"a": [1, 2]}, {"b": {"c": []}}]' * 100, False),
        (NESTED, True),
    ],
)
def test_too_deep_counts_brackets_outside_strings(raw, deep):
    assert too_deep(raw.encode()) is deep


@pytest.mark.django_db
def test_deep_nesting_is_a_400_on_views_with_drfs_own_json_parser(api, employee):
    """chat, comments and the Binotel webhook name DRF's JSONParser: the middleware stands before them."""
    chat = chat_with(employee, UserFactory(), owner=employee)
    messages = reverse("chat:message-list")
    body = f'{{"chat": {chat.pk}, "text": {NESTED}}}'
    response = api.as_user(employee).post(messages, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    for text in ("\ud800", "a\x00b"):  # DRF's CharField refuses these
        response = api.post(messages, data=json.dumps({"chat": chat.pk, "text": text}), content_type="application/json")
        assert response.status_code == 400
    emoji = api.post(messages, data={"chat": chat.pk, "text": "😀"}, format="json")
    assert emoji.status_code == 201


@pytest.mark.django_db
def test_deep_nesting_is_a_400_on_both_webhooks(api, settings):
    settings.SHOP_WEBHOOK_SECRET = "secret"
    body = NESTED.encode()
    signature = base64.b64encode(hmac.new(b"secret", body, hashlib.sha256).digest()).decode()
    response = api.post(
        reverse("deals:shop-webhook"),
        data=body,
        content_type="application/json",
        HTTP_X_WC_WEBHOOK_SIGNATURE=signature,
        HTTP_X_WC_WEBHOOK_TOPIC="order.created",
    )
    assert response.status_code == 400
    response = api.post(
        reverse("calls:binotel-webhook"), data=body, content_type="application/json", REMOTE_ADDR="194.88.218.116"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_json_body_past_the_upload_limit_is_a_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(reverse("auth:token"), data={"email": "x" * 2000, "password": "x"}, format="json")
    assert response.status_code == 413
    assert response.json()["detail"]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_deeply_nested_socket_message_is_an_error_frame_and_the_socket_stays(ws):
    user = await database_sync_to_async(UserFactory)()
    socket, connected, _code = await ws("/ws/presence/", user=user)
    assert connected
    for text in (NESTED, '{"type": "\\ud800"}', '{"type": 1e400}'):
        await socket.send_to(text_data=text)
        assert (await receive_type(socket, "error"))["detail"]
    await socket.send_to(text_data='{"type": "no-such-thing"}')
    assert (await receive_type(socket, "error"))["detail"] == "Unknown message type."
