"""The REST API under gunicorn (crm/gunicorn.py), the production layout's WSGI half, as a real process."""

import os
import subprocess
import sys
import time

import httpx
import psutil
import pytest
from django.conf import settings
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken

from contacts.tests.factories import ContactFactory
from crm.tests.support.sockets import free_port, shared_services_or_skip
from users.tests.factories import UserFactory

START_TIMEOUT = 60


@pytest.fixture
def gunicorn(tmp_path):
    """`gunicorn -c crm/gunicorn.py` with `workers` sync workers, on this test's database and Redis."""
    started = []

    def start(workers: int) -> tuple[str, subprocess.Popen]:
        port = free_port()
        log = open(tmp_path / "gunicorn.log", "w+b")  # noqa: SIM115 - closed below
        env = {
            **os.environ,
            **shared_services_or_skip(),
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "crm/gunicorn.py"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((process, log))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{url}/api/", timeout=2).status_code == 200:
                    return url, process
            except httpx.HTTPError:
                time.sleep(0.2)
        log.seek(0)
        pytest.fail(f"gunicorn did not start: {log.read().decode(errors='replace')[-2000:]}")

    yield start
    for process, log in started:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_one_sync_worker_serves_the_api_on_one_kept_database_connection(gunicorn):
    url, _process = gunicorn(workers=1)
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
    url, process = gunicorn(workers=3)

    assert httpx.get(f"{url}/api/", timeout=10).status_code == 200
    # The first worker may answer while the master is still forking the others.
    assert workers_once_forked(process, expected=3) == 3


def workers_once_forked(process: subprocess.Popen, expected: int) -> int:
    """The master's children once `expected` of them exist, or however many there are at the deadline."""
    master = psutil.Process(process.pid)
    deadline = time.monotonic() + START_TIMEOUT
    while len(master.children()) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # and no more than that: a fourth would be forked by now
    return len(master.children())
