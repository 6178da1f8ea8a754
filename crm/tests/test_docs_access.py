"""The schema and its viewer: public with API_DOCS_PUBLIC (by default, with DEBUG); else for a signed-in user."""

import pytest
from django.urls import reverse

from crm.tests.test_settings import run

pytestmark = pytest.mark.django_db

PAGES = [reverse("schema"), reverse("docs")]


def test_closed_docs_refuse_anonymous_readers(api, settings):
    settings.API_DOCS_PUBLIC = False
    assert api.get(reverse("schema")).status_code == 401
    page = api.get(reverse("docs"))
    assert page.status_code == 302
    assert page["Location"] == f"{reverse('admin:login')}?next=/api/docs/"


@pytest.mark.parametrize("url", PAGES)
def test_closed_docs_open_with_a_jwt(api, settings, employee, url):
    settings.API_DOCS_PUBLIC = False
    assert api.as_user(employee).get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_closed_docs_open_for_staff_signed_in_to_the_admin(client, settings, owner, url):
    settings.API_DOCS_PUBLIC = False
    client.force_login(owner)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_public_docs_open_for_anyone(api, settings, url):
    settings.API_DOCS_PUBLIC = True
    assert api.get(url).status_code == 200


PROBE = "import django; django.setup(); from django.conf import settings as s; print(s.API_DOCS_PUBLIC)"
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "crm.example.com"}


def test_docs_are_closed_by_default_in_production_and_open_in_development():
    assert run(PROBE, **PRODUCTION).stdout.split() == ["False"]
    assert run(PROBE, **PRODUCTION, API_DOCS_PUBLIC="1").stdout.split() == ["True"]
    assert run(PROBE, DEBUG="1").stdout.split() == ["True"]
    assert run(PROBE, DEBUG="1", API_DOCS_PUBLIC="0").stdout.split() == ["False"]
