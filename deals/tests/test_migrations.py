"""Migration 0007: the seeded sales pipeline and its stages speak the install's language."""

import importlib

import pytest
from django.apps import apps

from deals.models import Pipeline, Stage

pytestmark = pytest.mark.django_db

seeded = importlib.import_module("deals.migrations.0004_default_sales_pipeline_and_status_mappings")
translated = importlib.import_module("deals.migrations.0007_default_pipeline_in_the_install_language")


def _names():
    return {pipeline.name: list(pipeline.stages.values_list("name", flat=True)) for pipeline in Pipeline.objects.all()}


def test_a_ukrainian_install_gets_the_seeded_pipeline_in_ukrainian(settings):
    settings.LANGUAGE_CODE = "uk"
    translated.to_install_language(apps, None)  # the test database ran 0004 in English
    assert _names() == {
        "Продажі": ["Нове замовлення", "В обробці", "Відправлено", "Доставлено", "Скасовано"],
    }


def test_an_english_install_keeps_the_seeded_names(settings):
    settings.LANGUAGE_CODE = "en"
    translated.to_install_language(apps, None)
    assert _names() == {"Sales": seeded.STAGES}


def test_only_the_names_still_as_seeded_are_renamed(settings):
    settings.LANGUAGE_CODE = "uk"
    Stage.objects.filter(name="Shipped").update(name="Передано перевізнику")
    Pipeline.objects.create(name="Wholesale", position=1).stages.create(name="New order", position=1)
    translated.to_install_language(apps, None)
    translated.to_install_language(apps, None)  # a second run changes nothing
    assert _names() == {
        "Продажі": ["Нове замовлення", "В обробці", "Передано перевізнику", "Доставлено", "Скасовано"],
        "Wholesale": ["New order"],
    }


def test_a_renamed_pipeline_is_left_as_it_is(settings):
    settings.LANGUAGE_CODE = "uk"
    Pipeline.objects.filter(name="Sales").update(name="Роздріб")
    translated.to_install_language(apps, None)
    assert _names() == {"Роздріб": seeded.STAGES}
