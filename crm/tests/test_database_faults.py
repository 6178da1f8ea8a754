"""PostgreSQL going away under a running server: the next requests succeed and nothing is half-written.

Cutting the server's connections with pg_terminate_backend is what a database restart does
to a running server, without disturbing anyone else's database on the shared cluster. The
real restart runs only where CRM_PG_RESTART_TESTS=1 (CI sets it: there the cluster is its own).
"""

import os
import subprocess
import threading
import time

import httpx
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken

from activity.models import Activity
from contacts.models import Contact, Phone
from users.models import Role
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def cut_connections() -> int:
    """Terminate every other session on the test database (the server's); returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def restart_cluster() -> None:
    """Restart the cluster of the test database (CRM_PG_CLUSTER, `main` unless set) and wait until it answers."""
    version = next(iter(sorted(os.listdir("/etc/postgresql"))))
    cluster = os.environ.get("CRM_PG_CLUSTER", "main")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"],
        check=True,
        timeout=120,
    )
    port = str(connection.settings_dict["PORT"] or 5432)
    for _ in range(60):
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", port], check=False).returncode == 0:
            break
        time.sleep(1)
    connection.close()  # this process's own connection died with the others


class Staff:
    """A REST client of a running server, as an admin, that keeps every answer."""

    def __init__(self, server):
        user = UserFactory(role=Role.ADMIN, is_staff=True)
        token = RefreshToken.for_user(user).access_token
        self.client = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30, follow_redirects=False
        )
        self.answers: list[tuple[int, dict | None]] = []
        self.counter = 0

    def create_contact(self) -> httpx.Response:
        self.counter += 1
        number = f"+38050{threading.get_ident() % 1000:03d}{self.counter:04d}"
        response = self.client.post(
            "/api/contacts/",
            json={"first_name": f"Fault {self.counter}", "phones": [number, number.replace("+38050", "+38067")]},
        )
        self.answers.append((response.status_code, response.json() if response.status_code == 201 else None))
        return response

    def list_contacts(self) -> httpx.Response:
        return self.client.get("/api/contacts/", params={"page_size": 5})


def assert_nothing_half_written(staff: Staff) -> None:
    """Every contact has both its phones and its activity entry, and every 201 names a stored contact."""
    created = {body["id"] for status, body in staff.answers if status == 201}
    stored = set(Contact.objects.values_list("pk", flat=True))
    assert created <= stored
    contact_type = ContentType.objects.get_for_model(Contact)
    for contact_id in stored:
        assert Phone.objects.filter(contact_id=contact_id).count() == 2, contact_id
        entries = Activity.objects.filter(target_type=contact_type, target_id=str(contact_id), verb="created")
        assert entries.count() == 1, contact_id


def assert_serves(staff: Staff, times: int = 5) -> None:
    for _ in range(times):
        assert staff.list_contacts().status_code == 200
        response = staff.create_contact()
        assert response.status_code == 201, response.text


def test_requests_succeed_after_the_servers_database_connections_are_cut(servers):
    (server,) = servers(1)
    staff = Staff(server)
    assert_serves(staff)

    # Writes in flight while the connections are cut, several times.
    stop = threading.Event()

    def write_until_stopped():
        while not stop.is_set():
            staff.create_contact()

    writer = threading.Thread(target=write_until_stopped)
    writer.start()
    cuts = 0
    try:
        # Until the server has lost a connection it was using three times.
        for _ in range(200):
            time.sleep(0.05)
            cuts += cut_connections() > 0
            if cuts == 3:
                break
    finally:
        stop.set()
        writer.join(timeout=60)
    assert cuts == 3

    assert_serves(staff)
    assert_nothing_half_written(staff)
    assert sum(1 for status, _body in staff.answers if status == 201) >= 10


@pytest.mark.skipif(
    os.environ.get("CRM_PG_RESTART_TESTS") != "1",
    reason="restarts the PostgreSQL cluster: set CRM_PG_RESTART_TESTS=1 where the cluster is this run's own (CI)",
)
def test_requests_succeed_after_postgresql_restarts_under_the_server(servers):
    (server,) = servers(1)
    staff = Staff(server)
    assert_serves(staff)
    restart_cluster()
    assert_serves(staff)
    assert_nothing_half_written(staff)
