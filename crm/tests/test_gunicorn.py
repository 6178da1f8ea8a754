"""The REST API under gunicorn (crm/gunicorn.py), the production layout's WSGI half, as a real process."""

import time

import httpx
import pytest
from django.conf import settings
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken

from contacts.tests.factories import ContactFactory
from crm.gunicorn import default_workers
from crm.tests.support.sockets import GunicornProcess, shared_services_or_skip
from users.tests.factories import UserFactory


@pytest.fixture
def gunicorn(tmp_path):
    """`gunicorn -c crm/gunicorn.py` with `workers` sync workers, on this test's database and Redis."""
    started = []

    def start(workers: int) -> GunicornProcess:
        env = {
            **shared_services_or_skip(),
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "SECURE_SSL_REDIRECT": "0",
        }
        process = GunicornProcess(workers, env, tmp_path)
        started.append(process)
        process.wait_ready()
        return process

    yield start
    for process in started:
        process.stop()


def other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_one_sync_worker_serves_the_api_on_one_kept_database_connection(gunicorn):
    url = gunicorn(workers=1).url
    user = UserFactory()
    contact = ContactFactory(responsible=user)
    headers = {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}

    for _ in range(5):
        listed = httpx.get(f"{url}/api/contacts/", headers=headers, timeout=10)
        assert listed.status_code == 200 and [row["id"] for row in listed.json()["results"]] == [contact.pk]
    changed = httpx.patch(f"{url}/api/contacts/{contact.pk}/", json={"last_name": "Kept"}, headers=headers, timeout=10)

    assert changed.status_code == 200
    contact.refresh_from_db()
    assert contact.last_name == "Kept"
    # With DEBUG=0 the worker keeps its connection (CONN_MAX_AGE) instead of opening one per request.
    assert other_connections() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_count_comes_from_web_concurrency(gunicorn):
    workers = default_workers() + 1  # not the count crm/gunicorn.py would start without the variable
    server = gunicorn(workers=workers)

    assert httpx.get(f"{server.url}/api/", timeout=10).status_code == 200
    time.sleep(0.5)  # and no more than that: one worker more would be forked by now
    assert len(server.forked()) == workers
