import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_errors_speak_ukrainian_when_asked(api, owner):
    response = api.as_user(owner).post(reverse("users:user-deactivate", args=[owner.pk]), HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 400
    assert response.data["detail"] == "Ви не можете деактивувати себе."


def test_errors_speak_english_by_default(api, owner):
    response = api.as_user(owner).post(reverse("users:user-deactivate", args=[owner.pk]))
    assert response.data["detail"] == "You cannot deactivate yourself."
