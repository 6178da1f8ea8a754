"""A staff admin and a superuser open the admin in headless Chromium, in English and in Ukrainian.

Screenshots go to $CRM_SCREENSHOTS_DIR (CI keeps it as an artifact), else to the test's temporary folder.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from chat.tests.test_browser import CHROMIUM, CHROMIUM_ARGS
from contacts.tests.factories import ContactFactory, PhoneFactory
from crm.admin import is_audit_field
from deals.models import Deal
from deals.tests.factories import DealFactory
from users.models import Role
from users.tests.factories import PASSWORD, UserFactory

STAFF_SECTIONS = ["contacts", "deals", "leads", "tasks", "calls", "chat", "companies"]


@pytest.fixture
def screenshots(tmp_path):
    folder = Path(os.environ.get("CRM_SCREENSHOTS_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _log_in(page, server, user):
    page.goto(f"{server.url}{reverse('admin:login')}")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{server.url}{reverse('admin:index')}")


def _first_field(page):
    row = page.locator("#content-main fieldset .form-row").first
    classes = row.get_attribute("class").split()
    return next(name.removeprefix("field-") for name in classes if name.startswith("field-"))


def _visit(browser, server, user, language, screenshots, pages):
    context = browser.new_context(
        extra_http_headers={"Accept-Language": language}, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    seen = {}
    try:
        _log_in(page, server, user)
        seen["title"] = page.title()
        seen["sections"] = [
            name.removeprefix("app-")
            for classes in page.locator("#content-main .module").evaluate_all("nodes => nodes.map(n => n.className)")
            for name in classes.split()
            if name.startswith("app-")
        ]
        page.screenshot(path=screenshots / f"{language}-{user.role}-index.png", full_page=True)
        for name, url in pages.items():
            page.goto(f"{server.url}{url}")
            seen[f"{name}-h1"] = page.locator("#content h1").inner_text()
            seen[f"{name}-first-field"] = _first_field(page)
            if name == "deal":
                page.wait_for_selector(".field-contact .select2-container")
                seen["deal-contact-autocomplete"] = page.locator("select#id_contact.admin-autocomplete").count()
            page.screenshot(path=screenshots / f"{language}-{user.role}-{name}.png", full_page=True)
    finally:
        context.close()
    return seen


@pytest.mark.django_db(transaction=True)
def test_staff_and_superuser_find_their_way_in_both_languages(live_server, screenshots):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does it)")
    superuser = UserFactory(role=Role.OWNER, is_staff=True, is_superuser=True, email="owner@example.com")
    staff = UserFactory(role=Role.ADMIN, is_staff=True, email="admin@example.com")
    staff.user_permissions.set(Permission.objects.all())
    contact = ContactFactory(first_name="Оксана", last_name="Коваленко", email="oksana@example.com")
    PhoneFactory(contact=contact, number="+380501234567")
    deal = DealFactory(title="Весняне замовлення", contact=contact, responsible=staff, amount=1250)
    pages = {
        "contact": reverse("admin:contacts_contact_change", args=[contact.pk]),
        "deal": reverse("admin:deals_deal_change", args=[deal.pk]),
    }
    expected = {}
    for language in ("en", "uk"):
        with translation.override(language):
            expected[language] = {
                "title": f"{translation.gettext('Records and settings')} | CRM",
                "deal-h1": translation.gettext("Change %s") % admin.site._registry[Deal]._accusative(),
            }

    # Playwright's sync API runs an event loop in this thread: the database is touched before only.
    seen = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for language in ("en", "uk"):
                for user in (staff, superuser):
                    seen[language, user.role] = _visit(browser, live_server, user, language, screenshots, pages)
        finally:
            browser.close()

    for (language, role), page in seen.items():
        where = f"{language}, {role}"
        assert page["title"] == expected[language]["title"], where
        assert page["sections"][: len(STAFF_SECTIONS)] == STAFF_SECTIONS, where
        assert ("system" in page["sections"]) == (role == Role.OWNER), where
        assert page["sections"][-1] == ("system" if role == Role.OWNER else "auth"), where
        assert not is_audit_field(page["contact-first-field"]), where
        assert page["deal-first-field"] == "title", where
        assert page["deal-contact-autocomplete"] == 1, where
        assert page["deal-h1"] == expected[language]["deal-h1"], where
    assert seen["en", Role.ADMIN]["deal-h1"] == "Change deal"
