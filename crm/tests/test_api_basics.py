"""What a newcomer meets first: JSON errors everywhere under /api/, one log line per request, JSON bodies."""

import logging

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("path", ["/api/nothing/", "/api/deals/999999999/", "/api/deals/not-a-number/panel/"])
def test_an_unknown_api_path_is_a_json_404_even_in_debug(api, employee, settings, debug, path):
    settings.DEBUG = debug
    response = api.as_user(employee).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def _handlers_reached(name: str) -> list[logging.Handler]:
    """The handlers a record of logger `name` goes through, as the logging module walks them (pytest's aside)."""
    reached, logger = [], logging.getLogger(name)
    while logger is not None:
        reached += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        if not logger.propagate:
            break
        logger = logger.parent
    return reached


@pytest.mark.parametrize("name", ["django.channels.server", "django.server", "django.request", "crm"])
def test_each_request_is_logged_once(name):
    assert len(_handlers_reached(name)) == 1


def test_bodies_are_json_not_forms(api, employee):
    client = api.as_user(employee)
    form = client.post(reverse("leads:lead-list"), {"name": "Form lead"}, format="multipart")
    assert form.status_code == 415
    encoded = client.generic("POST", reverse("leads:lead-list"), "name=x", "application/x-www-form-urlencoded")
    assert encoded.status_code == 415
    assert client.post(reverse("leads:lead-list"), {"name": "JSON lead"}, format="json").status_code == 201


# Webhooks take what the sender sends, not what the project would choose.
THIRD_PARTY_FORMATS = {"/api/calls/binotel/webhook/": "application/x-www-form-urlencoded"}


def test_the_schema_declares_json_bodies_and_multipart_only_where_a_file_goes():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if not content:
                continue
            assert len(content) == 1, f"{method} {path} declares {sorted(content)}"
            ((kind, body),) = content.items()
            ref = body["schema"].get("$ref", "").rsplit("/", 1)[-1]
            properties = schema["components"]["schemas"][ref]["properties"] if ref else {}
            takes_file = any(field.get("format") == "binary" for field in properties.values())
            expected = "multipart/form-data" if takes_file else "application/json"
            if path in THIRD_PARTY_FORMATS:
                expected = THIRD_PARTY_FORMATS[path]
            assert kind == expected, f"{method} {path}: {kind}"
