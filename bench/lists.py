# ruff: noqa: S608  (hand-written SQL is the point: every interpolated piece is a constant of this file)
"""The busiest lists and the kanban at 100,000 rows, each beside hand-written SQL.

Not part of the suite. Run from the project root:

    python bench/lists.py            # seeds once, then measures
    python bench/lists.py --reseed   # drops the seeded rows and seeds again

It works on its own PostgreSQL database, `BENCH_DATABASE_URL`
(default postgres://postgres@127.0.0.1:5432/crm_bench), created if missing and
migrated; the seed (bulk SQL, `generate_series`) takes well under a minute.

Each case is one request through the whole Django stack in-process (`APIClient`,
`DEBUG=0`, a real JWT) for an admin and for an employee who owns 1% of the rows,
and beside it two floors that return the same rows, columns and count:

- the Django floor: a plain function view behind the same middleware and the same JWT
  authentication, called through the same test client, that runs the case's hand-written
  SQL and encodes it with the API's JSON encoder (`crm.api.renderers.dumps`);
- the SQL floor: the same SQL through psycopg2, plus `json.dumps`, with no request at all.

The three are timed in interleaved rounds; the table shows medians, the API's p95, the
number of SQL queries, the share of the request spent in SQL, and the ratios to both
floors. The exit status is 1 when a case's median is more than 2x its Django floor's.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench")
os.environ.update(
    DATABASE_URL=BENCH_DATABASE_URL,
    DEBUG="0",
    SECRET_KEY="bench-only-secret-key-0123456789-0123456789-0123456789",
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="0",
    DJANGO_SETTINGS_MODULE="crm.settings",
)
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from bench.machine import yardstick  # noqa: E402
from crm import urls as project_urls  # noqa: E402
from crm.api.periods import period_bounds  # noqa: E402
from crm.api.renderers import dumps  # noqa: E402
from deals.models import Deal, Pipeline, Stage  # noqa: E402
from users.authentication import JWTAuthentication  # noqa: E402
from users.models import Department, Role, User  # noqa: E402

ROWS = 100_000
SELLERS = 100  # the rows are spread over them: each owns 1%
PAGE = 50
PER_STAGE = 10
TARGET_RATIO = 2.0  # the API's median against its Django floor's


def ensure_database():
    import psycopg2
    from psycopg2 import sql

    database = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=database["USER"],
        password=database["PASSWORD"],
        host=database["HOST"],
        port=database["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"])))
    admin.close()


# ---------------------------------------------------------------- seeding


def seed():
    """Users and a department tree through the ORM; the 100,000-row tables through INSERT … SELECT."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE users_user, users_department, contacts_contact, companies_company, deals_pipeline, "
            "tasks_tag, activity_activity, notifications_notification RESTART IDENTITY CASCADE"
        )
    password = make_password("bench-password")
    admin = User.objects.create(email="admin@bench.test", password=password, role=Role.ADMIN, last_name="Admin")
    head = User.objects.create(email="head@bench.test", password=password, role=Role.MANAGER, last_name="Head")
    root = Department.objects.add_root({"name": "Company", "head": head})
    east = Department.objects.add_child(root, {"name": "East"})
    west = Department.objects.add_child(Department.objects.get(pk=root.pk), {"name": "West"})
    sellers = User.objects.bulk_create(
        User(
            email=f"seller{i}@bench.test",
            password=password,
            role=Role.EMPLOYEE,
            first_name=f"Name{i}",
            last_name=f"Seller{i:03d}",
            department=east if i % 2 else west,
        )
        for i in range(SELLERS)
    )
    owners = [user.pk for user in sellers]
    pipeline = Pipeline.objects.create(name="Sales")
    stages = [Stage.objects.create(pipeline=pipeline, name=f"Stage {i}", position=i).pk for i in range(5)]
    deal_type = ContentType.objects.get_for_model(Deal).pk
    owner = "(%(owners)s::bigint[])[1 + g %% 100]"
    ago = "now() - g * interval '3 minutes'"
    params = {"owners": owners, "stages": stages, "pipeline": pipeline.pk, "rows": ROWS, "deal_type": deal_type}
    statements = [
        f"""INSERT INTO companies_company (created_at, updated_at, name, edrpou, responsible_id)
            SELECT {ago}, {ago}, 'Company ' || g, '', {owner} FROM generate_series(1, %(rows)s / 10) g""",
        f"""INSERT INTO contacts_contact (created_at, updated_at, first_name, last_name, patronymic, email,
                payment_method, delivery_method, delivery_company, newsletter, edrpou, loyalty_balance,
                company_id, responsible_id)
            SELECT {ago}, {ago}, 'First' || (g * 37 %% 1009), 'Last' || lpad((g * 7919 %% %(rows)s)::text, 6, '0'),
                '', 'c' || g || '@example.com', '', '', '', g %% 3 = 0, '', 0,
                CASE WHEN g %% 10 = 0 THEN g / 10 END, {owner}
            FROM generate_series(1, %(rows)s) g""",
        """INSERT INTO contacts_phone (number, label, contact_id)
            SELECT '+38050' || lpad(id::text, 7, '0'), '', id FROM contacts_contact""",
        f"""INSERT INTO deals_deal (created_at, updated_at, title, payment_status, payment_type, status,
                company_name, amount, kind, description, failure_reason, contact_id, created_by_id,
                responsible_id, pipeline_id, stage_id)
            SELECT {ago}, {ago}, 'Deal ' || g, 'unpaid', '', 'open', '', g %% 1000, 'standard', '', '', g,
                {owner}, {owner}, %(pipeline)s, (%(stages)s::bigint[])[1 + g / 100 %% 5]
            FROM generate_series(1, %(rows)s) g""",
        f"""INSERT INTO leads_lead (created_at, updated_at, name, phone, email, source, status, notes,
                failure_reason, responsible_id, created_by_id)
            SELECT {ago}, {ago}, 'Lead ' || g, '', '', 'other',
                (ARRAY['new', 'contacted', 'qualified'])[1 + g %% 3], '', '', {owner}, {owner}
            FROM generate_series(1, %(rows)s) g""",
        """INSERT INTO tasks_tag (created_at, updated_at, name)
            SELECT now(), now(), 'tag ' || g FROM generate_series(1, 20) g""",
        f"""INSERT INTO tasks_task (created_at, updated_at, name, description, date, priority, remind,
                remind_text, repeated, file, finished, created_by_id, contact_id)
            SELECT {ago}, {ago}, 'Task ' || g, '', current_date + (g %% 365) - 180, 1 + g %% 4, false, '',
                false, '', false, {owner}, CASE WHEN g %% 4 = 0 THEN g END
            FROM generate_series(1, %(rows)s) g""",
        """INSERT INTO tasks_task_responsible (task_id, user_id)
            SELECT id, created_by_id FROM tasks_task""",
        """INSERT INTO tasks_task_tags (task_id, tag_id)
            SELECT t.id, tag.id FROM tasks_task t JOIN tasks_tag tag ON tag.id = 1 + t.id %% 20
            WHERE t.id %% 2 = 0""",
        f"""INSERT INTO activity_activity (actor_id, verb, target_type_id, target_id, target_repr,
                changed_fields, description, created_at)
            SELECT {owner}, 'updated', %(deal_type)s, g::text, 'Deal ' || g, '["amount"]', '', {ago}
            FROM generate_series(1, %(rows)s) g""",
        f"""INSERT INTO notifications_notification (recipient_id, kind, title, description, target_type_id,
                target_id, created_at, seen_at)
            SELECT {owner}, 'deal_assigned', 'Deal ' || g, '', %(deal_type)s, g::text, {ago},
                CASE WHEN g %% 3 = 0 THEN now() END
            FROM generate_series(1, %(rows)s) g""",
        f"""INSERT INTO notifications_notification (recipient_id, kind, title, description, target_id, created_at)
            SELECT {admin.pk}, 'deal_assigned', 'Deal ' || g, '', '', {ago}
            FROM generate_series(1, %(rows)s / 100) g""",
    ]
    with connection.cursor() as cursor:
        # Generated rows point at rows just inserted: skip the per-row foreign key triggers.
        cursor.execute("SET session_replication_role = replica")
        for statement in statements:
            began = time.perf_counter()
            cursor.execute(statement, params)
            print(f"  {time.perf_counter() - began:5.1f} s  {' '.join(statement.split()[:3])}")
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
    print(f"seeded {ROWS:,} rows a table in {time.perf_counter() - started:.1f} s")


def seeded() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM deals_deal")
        return cursor.fetchone()[0] == ROWS


# ---------------------------------------------------------------- floors: hand-written SQL

USER_COLUMNS = "u.id AS u_id, u.email AS u_email, u.first_name AS u_first, u.last_name AS u_last, u.photo, u.role"


def rows(cursor, query, params=()):
    cursor.execute(query, params)
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def scalar(cursor, query, params=()):
    cursor.execute(query, params)
    return cursor.fetchone()[0]


def visible_ids(cursor, user):
    """The viewer and everyone in a department at or below one they head: one small query."""
    cursor.execute(
        """SELECT %s UNION SELECT m.id FROM users_user m JOIN users_department d ON d.id = m.department_id
           JOIN users_department h ON d.path LIKE h.path || '%%' WHERE h.head_id = %s""",
        [user.pk, user.pk],
    )
    return [row[0] for row in cursor.fetchall()]


def page(cursor, select, where, order, params, count_from):
    results = rows(cursor, f"{select} WHERE {where} ORDER BY {order} LIMIT {PAGE}", params)
    return {"count": capped_count(cursor, f"SELECT 1 FROM {count_from} WHERE {where}", params), "results": results}


def capped_count(cursor, listed, params):
    """The rows of the query `listed` counted as the paginator counts them: exactly up to
    LIST_EXACT_COUNT_LIMIT, past it the planner's estimate."""
    limit = settings.LIST_EXACT_COUNT_LIMIT
    count = scalar(cursor, f"SELECT count(*) FROM ({listed} LIMIT {limit + 1}) x", params)
    if count > limit:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {listed}", params)
        count = max(limit + 1, int(cursor.fetchone()[0][0]["Plan"]["Plan Rows"]))
    return count


# The text the contacts search matches, as its trigram index has it (crm.search.SearchText).
SEARCHED = " || ' ' || ".join(
    f"COALESCE(c.{f}::text, '')" for f in ("last_name", "first_name", "patronymic", "email", "edrpou")
)


def floor_contacts(cursor, viewer, search=None):
    where, params = "TRUE", []
    if search:
        # As the app's search: the text holds the term, or, when half of it or more is digits (at least 4), a
        # phone holds those digits; the two as a UNION of ids, each answered by its trigram index.
        digits = "".join(ch for ch in search if ch.isdigit())
        where, params = f"UPPER({SEARCHED}) LIKE %s", [f"%{search.upper()}%"]
        if len(digits) >= 4 and len(digits) * 2 >= len(search.replace(" ", "")):
            where = f"""c.id IN (SELECT c.id FROM contacts_contact c WHERE {where}
                UNION SELECT p.contact_id FROM contacts_phone p WHERE UPPER(p.number) LIKE %s)"""
            params.append(f"%{digits}%")
    body = page(
        cursor,
        f"""SELECT c.*, co.name AS company_name, {USER_COLUMNS} FROM contacts_contact c
            LEFT JOIN companies_company co ON co.id = c.company_id LEFT JOIN users_user u ON u.id = c.responsible_id""",
        where,
        "c.last_name, c.first_name, c.id",
        params,
        "contacts_contact c",
    )
    ids = [row["id"] for row in body["results"]]
    phones = rows(cursor, "SELECT contact_id, number FROM contacts_phone WHERE contact_id = ANY(%s) ORDER BY id", [ids])
    for row in body["results"]:
        row["phones"] = [p["number"] for p in phones if p["contact_id"] == row["id"]]
    return body


def floor_companies(cursor, viewer):
    return page(
        cursor,
        f"""SELECT co.*, cp.last_name AS cp_last, cp.first_name AS cp_first, cp.email AS cp_email, {USER_COLUMNS},
                (SELECT count(*) FROM contacts_contact e WHERE e.company_id = co.id) AS employee_count
            FROM companies_company co LEFT JOIN contacts_contact cp ON cp.id = co.contact_person_id
            LEFT JOIN users_user u ON u.id = co.responsible_id""",
        "TRUE",
        "co.name, co.id",
        [],
        "companies_company co",
    )


def owner_scope(cursor, viewer, table, fields=("responsible_id", "created_by_id")):
    if viewer.is_owner_or_admin:
        return "TRUE", []
    ids = visible_ids(cursor, viewer)
    return "(" + " OR ".join(f"{table}.{field} = ANY(%s)" for field in fields) + ")", [ids] * len(fields)


def floor_leads(cursor, viewer):
    where, params = owner_scope(cursor, viewer, "l")
    return page(
        cursor,
        f"SELECT l.*, {USER_COLUMNS} FROM leads_lead l LEFT JOIN users_user u ON u.id = l.responsible_id",
        where,
        "l.created_at DESC, l.id DESC",
        params,
        "leads_lead l",
    )


DEAL_SELECT = f"""SELECT d.*, c.last_name AS c_last, c.first_name AS c_first, c.email AS c_email,
        s.name AS stage_name, {USER_COLUMNS}
    FROM deals_deal d JOIN contacts_contact c ON c.id = d.contact_id JOIN deals_stage s ON s.id = d.stage_id
    LEFT JOIN users_user u ON u.id = d.responsible_id"""


def floor_deals(cursor, viewer, responsible=None, period=None):
    where, params = owner_scope(cursor, viewer, "d")
    if responsible:
        where += " AND d.responsible_id = %s AND d.created_at >= %s AND d.created_at < %s"
        params = [*params, responsible, *period]
    return page(cursor, DEAL_SELECT, where, "d.created_at DESC, d.id DESC", params, "deals_deal d")


def floor_tasks(cursor, viewer):
    if viewer.is_owner_or_admin:
        where, params = "TRUE", []
    else:
        ids = visible_ids(cursor, viewer)
        where = """(t.created_by_id = ANY(%s)
            OR t.id IN (SELECT task_id FROM tasks_task_responsible WHERE user_id = ANY(%s))
            OR t.id IN (SELECT task_id FROM tasks_taskshare WHERE status = 'accepted' AND user_id = ANY(%s)))"""
        params = [ids, ids, ids]
    body = page(
        cursor,
        f"""SELECT t.*, p.name AS project_name, co.name AS company_name, c.last_name AS c_last,
                c.first_name AS c_first, c.email AS c_email, {USER_COLUMNS}
            FROM tasks_task t LEFT JOIN tasks_project p ON p.id = t.project_id
            LEFT JOIN companies_company co ON co.id = t.company_id LEFT JOIN contacts_contact c ON c.id = t.contact_id
            LEFT JOIN users_user u ON u.id = t.created_by_id""",
        where,
        "t.date, t.priority DESC, t.id",
        params,
        "tasks_task t",
    )
    ids = [row["id"] for row in body["results"]]
    people = rows(
        cursor,
        f"""SELECT r.task_id, {USER_COLUMNS} FROM tasks_task_responsible r JOIN users_user u ON u.id = r.user_id
            WHERE r.task_id = ANY(%s)""",
        [ids],
    )
    tags = rows(
        cursor,
        """SELECT tt.task_id, tag.id, tag.name FROM tasks_task_tags tt JOIN tasks_tag tag ON tag.id = tt.tag_id
           WHERE tt.task_id = ANY(%s)""",
        [ids],
    )
    shares = rows(cursor, "SELECT * FROM tasks_taskshare WHERE task_id = ANY(%s)", [ids])
    for row in body["results"]:
        row["responsible"] = [p for p in people if p["task_id"] == row["id"]]
        row["tags"] = [t for t in tags if t["task_id"] == row["id"]]
        row["shares"] = [s for s in shares if s["task_id"] == row["id"]]
    return body


def floor_activity(cursor, viewer):
    where, params = owner_scope(cursor, viewer, "a", fields=("actor_id",))
    return page(
        cursor,
        f"""SELECT a.*, ct.app_label, ct.model, {USER_COLUMNS} FROM activity_activity a
            LEFT JOIN django_content_type ct ON ct.id = a.target_type_id LEFT JOIN users_user u ON u.id = a.actor_id""",
        where,
        "a.created_at DESC, a.id DESC",
        params,
        "activity_activity a",
    )


def floor_notifications(cursor, viewer):
    return page(
        cursor,
        """SELECT n.*, ct.app_label, ct.model FROM notifications_notification n
           LEFT JOIN django_content_type ct ON ct.id = n.target_type_id""",
        "n.recipient_id = %s",
        "n.created_at DESC, n.id DESC",
        [viewer.pk],
        "notifications_notification n",
    )


def floor_my_work(cursor, viewer):
    lead_where, lead_params = owner_scope(cursor, viewer, "l")
    deal_where, deal_params = owner_scope(cursor, viewer, "d")
    lead = f"""SELECT 'lead' AS type, l.id, l.name, l.status, NULL::numeric AS amount, l.responsible_id,
            l.created_at FROM leads_lead l WHERE {lead_where}"""
    deal = f"""SELECT 'deal', d.id, d.title, d.status, d.amount, d.responsible_id, d.created_at
            FROM deals_deal d WHERE {deal_where}"""
    params = [*lead_params, *deal_params]
    # A page of each part as far as the page's end, then of their union (crm.api.pagination.MergedRows).
    newest = f"ORDER BY created_at DESC, id DESC LIMIT {PAGE}"
    results = rows(cursor, f"({lead} {newest}) UNION ALL ({deal} {newest}) {newest}", params)
    count = capped_count(cursor, f"SELECT 1 FROM ({lead} UNION ALL {deal}) w", params)
    users = rows(
        cursor,
        f"SELECT {USER_COLUMNS} FROM users_user u WHERE u.id = ANY(%s)",
        [[r["responsible_id"] for r in results]],
    )
    return {"count": count, "results": results, "users": users}


def floor_kanban(cursor, viewer, pipeline):
    where, params = owner_scope(cursor, viewer, "d")
    stages = rows(
        cursor, "SELECT id, name, position FROM deals_stage WHERE pipeline_id = %s ORDER BY position", [pipeline]
    )
    totals = rows(
        cursor,
        f"""SELECT d.stage_id, count(*), coalesce(sum(d.amount), 0) FROM deals_deal d
            WHERE d.pipeline_id = %s AND {where} GROUP BY d.stage_id""",
        [pipeline, *params],
    )
    deals = rows(
        cursor,
        f"""SELECT s.id AS column_id, x.* FROM deals_stage s CROSS JOIN LATERAL (
                {DEAL_SELECT} WHERE d.pipeline_id = s.pipeline_id AND d.stage_id = s.id AND {where}
                ORDER BY d.created_at DESC, d.id DESC LIMIT {PER_STAGE}) x
            WHERE s.pipeline_id = %s""",
        [*params, pipeline],
    )
    return {"stages": stages, "totals": totals, "deals": deals}


# ---------------------------------------------------------------- floors: a plain Django view

FLOORS = {}  # the floor function of each case, by the case's slug


def django_floor(request, slug):
    """The least a Django view can do for a list: the API's middleware (this view is called through the same
    client) and JWT authentication, the case's hand-written SQL, and the API's JSON encoder."""
    found = JWTAuthentication().authenticate(request)
    if found is None:
        return HttpResponse(status=401)
    request.user = found[0]  # as DRF leaves it for the middleware after the view (last seen)
    with connection.cursor() as cursor:
        body = FLOORS[slug](cursor, request.user)
    return HttpResponse(dumps(body), content_type="application/json")


def bench_urlconf() -> str:
    """The project's URLs with the Django floors in front (one pattern, tried first: the floor's path is the
    cheaper, the API's pays one failed match)."""
    module = types.ModuleType("bench_lists_urls")
    module.urlpatterns = [path("api/bench-floor/<slug:slug>/", django_floor), *project_urls.urlpatterns]
    sys.modules[module.__name__] = module
    return module.__name__


# ---------------------------------------------------------------- measuring


def percentile95(samples):
    return statistics.quantiles(samples, n=20, method="inclusive")[-1] if len(samples) > 1 else samples[0]


class Case:
    def __init__(self, name, viewer, url, params, floor):
        self.name, self.viewer, self.url, self.params, self.floor = name, viewer, url, params, floor
        self.slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        FLOORS[self.slug] = floor
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(viewer)}")
        self.api_ms: list[float] = []
        self.django_ms: list[float] = []
        self.floor_ms: list[float] = []
        self.queries = 0
        self.sql_share = 0.0

    def call_api(self):
        started = time.perf_counter()
        response = self.client.get(self.url, self.params)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (self.name, response.status_code, response.content[:300])
        return elapsed, response

    def call_django_floor(self):
        started = time.perf_counter()
        response = self.client.get(f"/api/bench-floor/{self.slug}/", self.params)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (self.name, response.status_code, response.content[:300])
        return elapsed, response

    def call_floor(self):
        started = time.perf_counter()
        raw = connection.connection
        with raw.cursor() as cursor:
            json.dumps(self.floor(cursor, self.viewer), default=str)
        raw.commit()
        return (time.perf_counter() - started) * 1000

    def differences(self) -> str:
        """What the floors answer otherwise than the API (count, ids of the rows), if all are a page."""
        _elapsed, response = self.call_api()
        raw = connection.connection
        with raw.cursor() as cursor:
            floor = self.floor(cursor, self.viewer)
        raw.commit()
        viewed = self.call_django_floor()[1].json()
        if not ("results" in response.data and "results" in floor):
            return ""
        api = (response.data["count"], [row["id"] for row in response.data["results"]])
        for which, body in (("SQL floor", floor), ("Django floor", viewed)):
            own = (body["count"], [row["id"] for row in body["results"]])
            if api != own:
                return f"{self.name}: the API answers {api}, its {which} {own}"
        return ""

    def round(self):
        self.api_ms.append(self.call_api()[0])
        self.django_ms.append(self.call_django_floor()[0])
        self.floor_ms.append(self.call_floor())

    def profile(self):
        with CaptureQueriesContext(connection) as captured:
            elapsed, _ = self.call_api()
        self.queries = len(captured)
        self.sql_share = sum(float(q["time"]) for q in captured.captured_queries) * 1000 / elapsed

    def row(self):
        median, p95 = statistics.median(self.api_ms), percentile95(self.api_ms)
        django, floor = statistics.median(self.django_ms), statistics.median(self.floor_ms)
        ratio = median / django
        ok = ratio <= TARGET_RATIO
        return ok, (
            f"| {self.name} | {median:.1f} | {p95:.1f} | {django:.1f} | {ratio:.2f} | {floor:.1f} | "
            f"{median / floor:.1f} | {self.queries} | {self.sql_share:.0%} | {'ok' if ok else 'OVER'} |"
        )


def cases(admin, employee, pipeline):
    seller = employee.pk
    result = []
    for role, viewer in (("admin", admin), ("employee", employee)):

        def add(name, url, params, floor, viewer=viewer, role=role):
            result.append(Case(f"{name}, {role}", viewer, url, {"page_size": PAGE, **params}, floor))

        add("contacts", "/api/contacts/", {}, floor_contacts)
        add(
            "contacts ?search=", "/api/contacts/", {"search": "Last0123"}, lambda c, v: floor_contacts(c, v, "Last0123")
        )
        add("companies", "/api/companies/", {}, floor_companies)
        add("leads", "/api/leads/", {}, floor_leads)
        add("deals", "/api/deals/", {}, floor_deals)
        add(
            "deals ?period=month&responsible=",
            "/api/deals/",
            {"period": "month", "responsible": seller},
            lambda c, v: floor_deals(c, v, responsible=seller, period=period_bounds("month")),
        )
        add("tasks", "/api/tasks/", {}, floor_tasks)
        add("activity", "/api/activity/", {}, floor_activity)
        add("notifications", "/api/notifications/", {}, floor_notifications)
        add("my-work", "/api/deals/my-work/", {}, floor_my_work)
        result.append(
            Case(
                f"kanban 5×{PER_STAGE}, {role}",
                viewer,
                "/api/deals/kanban/",
                {"pipeline": pipeline, "page_size": PER_STAGE},
                lambda c, v: floor_kanban(c, v, pipeline),
            )
        )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseed", action="store_true", help="seed again even if the rows are there")
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds (default 20)")
    parser.add_argument("--only", default="", help="measure only the cases whose name contains this")
    args = parser.parse_args()

    ensure_database()
    call_command("migrate", verbosity=0)
    if args.reseed or not seeded():
        seed()
    admin = User.objects.get(email="admin@bench.test")
    employee = User.objects.get(email="seller0@bench.test")
    pipeline = Pipeline.objects.get(name="Sales").pk
    selected = [case for case in cases(admin, employee, pipeline) if args.only in case.name]
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        print(yardstick(cursor))

    with override_settings(ROOT_URLCONF=bench_urlconf()):
        return measure(selected, args.rounds, jit)


def measure(selected, rounds, jit) -> int:
    # Warm up (caches, plans, imports), checking that each floor answers what the API does.
    differences = [difference for case in selected if (difference := case.differences())]
    if differences:
        print("\n".join(differences), file=sys.stderr)
        return 2
    started = time.perf_counter()
    for _ in range(rounds):
        for case in selected:
            case.round()
    for case in selected:
        case.profile()
    print(
        f"\n{len(selected)} cases, {rounds} interleaved rounds in {time.perf_counter() - started:.0f} s; "
        f"{PAGE} rows a page, jit={jit}; times in ms of server time\n"
    )
    print("| list | median | p95 | Django floor | ÷ Django | SQL floor | ÷ SQL | queries | SQL | target |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    failed = 0
    for case in selected:
        ok, line = case.row()
        failed += not ok
        print(line)
    print(f"\n{failed} of {len(selected)} over target (median ≤ {TARGET_RATIO}× the Django floor's)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
