"""The front door: `/` for a person with a browser, `/api/` for a client finding its way around the API."""

import re

import pytest
from django.test import Client
from django.urls import get_resolver
from django.utils import translation
from django.utils.translation import gettext

from crm.front import PRODUCT, SECTION_DESCRIPTIONS

SECTIONS = [
    "auth",
    "users",
    "activity",
    "notifications",
    "contacts",
    "companies",
    "comments",
    "leads",
    "deals",
    "promotions",
    "chat",
    "timetracker",
    "tasks",
    "calendars",
    "dashboard",
    "search",
    "trash",
    "calls",
    "webhooks",
    "files",
]


@pytest.fixture
def client():
    return Client()


def test_front_page_links_the_docs_the_admin_and_the_chats(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for link in ('href="/api/docs/"', 'href="/admin/"', 'href="/chat/"', 'href="/api/"'):
        assert link in page
    assert "<script" not in page
    assert "online shop" in page


def test_front_page_speaks_ukrainian_when_asked(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="uk")
    page = response.content.decode()
    assert response["Content-Language"] == "uk" and 'lang="uk"' in page
    assert "Чати" in page
    with translation.override("uk"):
        assert str(PRODUCT) in page and gettext("API documentation") in page


@pytest.mark.django_db
def test_api_index_lists_every_section_with_a_description_without_signing_in(client):
    response = client.get("/api/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    index = response.json()
    assert [section["name"] for section in index["sections"]] == SECTIONS
    for section in index["sections"]:
        assert section["url"] == f"/api/{section['name']}/"
        assert section["description"], section
    assert (index["schema"], index["docs"]) == ("/api/schema/", "/api/docs/")
    assert index["description"]


@pytest.mark.django_db
def test_api_index_speaks_ukrainian_when_asked(client):
    """In the language asked for; its Ukrainian comes with the catalog (locale/uk), as every other string's."""
    response = client.get("/api/", HTTP_ACCEPT_LANGUAGE="uk")
    assert response["Content-Language"] == "uk"
    contacts = next(section for section in response.json()["sections"] if section["name"] == "contacts")
    with translation.override("uk"):
        assert contacts["description"] == str(SECTION_DESCRIPTIONS["contacts"])


@pytest.mark.django_db
def test_an_invalid_token_does_not_close_the_index(client):
    response = client.get("/api/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 200


@pytest.mark.django_db
def test_unknown_api_path_is_still_a_json_404(client):
    response = client.get("/api/nonexistent/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_every_api_section_of_the_url_conf_has_a_description_and_no_other():
    """The index is read from the URL conf: a new section without a description, or a stale one, fails here."""
    mounted = {
        match.group(1)
        for pattern in get_resolver().url_patterns
        if (match := re.fullmatch(r"api/([\w-]+)/", str(pattern.pattern)))
    } - {"schema", "docs"}
    assert mounted == set(SECTION_DESCRIPTIONS) == set(SECTIONS)
