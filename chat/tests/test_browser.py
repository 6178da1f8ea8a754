"""Two staff members, each logged in through the admin in their own headless Chromium, talk on the room page."""

import shutil

import pytest
from django.conf import global_settings
from django.urls import reverse

from chat.models import Message
from chat.tests.factories import chat_with
from users.tests.factories import PASSWORD, UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _log_in(page, server, user, next_url):
    page.goto(f"{server.url}{reverse('admin:login')}?next={next_url}")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{server.url}{next_url}")
    page.wait_for_selector("#connection[data-state=open]")


@pytest.mark.django_db(transaction=True)
def test_two_users_exchange_a_message_on_the_room_page(servers, settings):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does it)")
    (server,) = servers(1)
    # The server process checks passwords with the project's real hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    alice = UserFactory(is_staff=True, first_name="Alice", last_name="A")
    bob = UserFactory(is_staff=True, first_name="Bob", last_name="B")
    chat = chat_with(bob, owner=alice, display_name="Team room")
    room = reverse("chat-pages:room", args=[chat.pk])

    # Playwright's sync API runs an event loop in this thread: the database is touched before and after only.
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            alice_page = browser.new_context().new_page()
            bob_page = browser.new_context().new_page()
            _log_in(alice_page, server, alice, room)
            _log_in(bob_page, server, bob, room)

            alice_page.fill("#message-input", "Hello Bob")
            alice_page.click("#send")
            bob_page.wait_for_selector("#messages li:has-text('Hello Bob')", timeout=10000)

            bob_page.fill("#message-input", "Hi Alice")
            bob_page.press("#message-input", "Enter")
            alice_page.wait_for_selector("#messages li:has-text('Hi Alice')", timeout=10000)
            texts = alice_page.locator("#messages li .text").all_inner_texts()
        finally:
            browser.close()

    assert texts == ["Hello Bob", "Hi Alice"]
    assert list(Message.objects.order_by("id").values_list("author__email", "text")) == [
        (alice.email, "Hello Bob"),
        (bob.email, "Hi Alice"),
    ]
