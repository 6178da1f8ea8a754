from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from users.models import Role, User

pytestmark = pytest.mark.django_db


def test_create_owner_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("CRM_OWNER_PASSWORD", "Owner-passw0rd-long")
    call_command("create_owner", email="Boss@Example.com", first_name="Ivan")
    owner = User.objects.get(email="boss@example.com")
    assert owner.role == Role.OWNER and owner.is_staff and owner.is_superuser
    assert owner.check_password("Owner-passw0rd-long")


def test_create_owner_prompts_for_the_password(monkeypatch):
    monkeypatch.delenv("CRM_OWNER_PASSWORD", raising=False)
    answers = iter(["Owner-passw0rd-long", "Owner-passw0rd-long"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("create_owner", email="boss@example.com")
    assert User.objects.get(email="boss@example.com").check_password("Owner-passw0rd-long")


def test_create_owner_refuses_a_weak_password_and_a_taken_email(monkeypatch, employee):
    monkeypatch.setenv("CRM_OWNER_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("create_owner", email="boss@example.com")
    assert not User.objects.filter(email="boss@example.com").exists()
    monkeypatch.setenv("CRM_OWNER_PASSWORD", "Owner-passw0rd-long")
    with pytest.raises(CommandError):
        call_command("create_owner", email=employee.email)


def test_create_owner_refuses_a_second_owner(monkeypatch, owner):
    monkeypatch.setenv("CRM_OWNER_PASSWORD", "Owner-passw0rd-long")
    with pytest.raises(CommandError, match="has an owner already"):
        call_command("create_owner", email="second@example.com")
    assert list(User.objects.filter(role=Role.OWNER)) == [owner]


IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
REDIS = {
    "default": {
        "BACKEND": "crm.realtime.channel_layer.RedisChannelLayer",
        "CONFIG": {"hosts": ["redis://127.0.0.1:6379/0"]},
    }
}


def test_update_presence_refuses_without_a_layer_the_servers_hear(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY
    with pytest.raises(CommandError, match="REDIS_URL"):
        call_command("update_presence", stdout=StringIO())


def test_update_presence_pushes_through_a_shared_layer(settings):
    settings.CHANNEL_LAYERS = REDIS
    out = StringIO()
    call_command("update_presence", stdout=out)
    assert out.getvalue() == "Pushed 0 presence change(s).\n"
