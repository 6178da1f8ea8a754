from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls.tests.factories import CallFactory
from companies.tests.factories import CompanyFactory
from contacts.models import Contact
from contacts.tests.factories import ContactFactory, CustomerRequestFactory, PhoneFactory
from crm import search
from crm.search.views import SearchGroupSerializer
from deals.tests.factories import DealFactory, OrderFactory
from leads.tests.factories import LeadFactory
from tasks.tests.factories import TaskFactory
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

URL = reverse("search")


def find(client, q, **params):
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200, response.data
    return {group["type"]: group for group in response.data}


def ids(groups, type_):
    return {hit["id"] for hit in groups[type_]["results"]}


def test_contacts_by_name_and_email_with_links(api, employee):
    contact = ContactFactory(first_name="Olena", last_name="Kovalenko", email="olena@shop.ua")
    ContactFactory(first_name="Petro", last_name="Bondar")
    client = api.as_user(employee)
    groups = find(client, "kovalenko")
    assert ids(groups, "contacts") == {contact.pk}
    hit = groups["contacts"]["results"][0]
    assert hit["title"] == "Kovalenko Olena"
    assert hit["url"] == reverse("contacts:contact-detail", args=[contact.pk])
    assert client.get(hit["url"]).status_code == 200
    assert ids(find(client, "olena@shop"), "contacts") == {contact.pk}
    assert ids(find(client, "Olena Kovalenko"), "contacts") == {contact.pk}


@pytest.mark.parametrize(
    "spelling", ["+380 50 123 45 67", "050-123-45-67", "0501234567", "(050) 123 4567", "380501234567", "1234567"]
)
def test_contacts_by_any_phone_spelling(api, employee, spelling):
    contact = ContactFactory(last_name="Hnatiuk")
    PhoneFactory(contact=contact, number="+380501234567")
    PhoneFactory(number="+380671112233")
    assert ids(find(api.as_user(employee), spelling, type="contacts"), "contacts") == {contact.pk}


def test_companies_by_name_and_edrpou(api, employee):
    company = CompanyFactory(name="Roshen Trade", edrpou="32855961")
    CompanyFactory(name="Other", edrpou="14360570")
    client = api.as_user(employee)
    assert ids(find(client, "32855961"), "companies") == {company.pk}
    assert ids(find(client, "roshen"), "companies") == {company.pk}
    contact = ContactFactory(edrpou="32855961")
    assert ids(find(client, "32855961"), "contacts") == {contact.pk}


@pytest.fixture
def colleagues():
    """Me, a colleague in another department, and the head of my department."""
    head = UserFactory(role=Role.MANAGER)
    me = UserFactory(department=make_department("Sales", head=head))
    colleague = UserFactory(department=make_department("Support"))
    return me, colleague, head


def test_a_colleagues_lead_deal_and_task_never_appear_even_by_exact_title(api, colleagues):
    me, colleague, head = colleagues
    theirs = [
        LeadFactory(name="Secret Wholesale", responsible=colleague, created_by=colleague),
        DealFactory(title="Secret Wholesale", responsible=colleague, created_by=colleague),
        TaskFactory(name="Secret Wholesale", created_by=colleague),
    ]
    mine = [
        LeadFactory(name="Secret Wholesale mine", responsible=me),
        DealFactory(title="Secret Wholesale mine", responsible=me),
        TaskFactory(name="Secret Wholesale mine", created_by=me),
    ]
    groups = find(api.as_user(me), "Secret Wholesale")
    for type_, own, other in zip(("leads", "deals", "tasks"), mine, theirs, strict=True):
        assert ids(groups, type_) == {own.pk}, type_
        assert groups[type_]["count"] == 1
        assert other.pk not in ids(groups, type_)
    head_sees = find(api.as_user(head), "Secret Wholesale")
    assert ids(head_sees, "leads") == {mine[0].pk}
    admin_sees = find(api.as_user(UserFactory(role=Role.ADMIN)), "Secret Wholesale")
    assert ids(admin_sees, "leads") == {mine[0].pk, theirs[0].pk}


def test_a_colleagues_order_is_hidden_with_its_deal(api, colleagues):
    me, colleague, _ = colleagues
    hidden = OrderFactory(shop_order_id="WC-77001", deal=DealFactory(responsible=colleague))
    visible = OrderFactory(shop_order_id="WC-77002", deal=DealFactory(responsible=me))
    assert ids(find(api.as_user(me), "WC-770"), "orders") == {visible.pk}
    assert hidden.pk in ids(find(api.as_user(UserFactory(role=Role.OWNER)), "WC-770"), "orders")


def test_leads_by_phone_users_and_requests(api, employee):
    lead = LeadFactory(name="Cafe", phone="+380931234567", responsible=employee)
    colleague = UserFactory(first_name="Iryna", last_name="Melnyk")
    request = CustomerRequestFactory(reason="Damaged parcel", description="The box arrived crushed")
    client = api.as_user(employee)
    assert ids(find(client, "093 123 45 67"), "leads") == {lead.pk}
    groups = find(client, "melnyk")
    assert ids(groups, "users") == {colleague.pk}
    assert groups["users"]["results"][0]["status"] == "Employee"
    groups = find(client, "damaged")
    assert ids(groups, "requests") == {request.pk}
    assert groups["requests"]["results"][0]["status"] == "Open"


def test_types_limit_and_count(api, employee):
    for n in range(7):
        ContactFactory(last_name=f"Savchuk{n}")
    client = api.as_user(employee)
    groups = find(client, "savchuk", type="contacts,companies", limit=3)
    assert set(groups) == {"contacts", "companies"}
    assert groups["contacts"]["count"] == 7
    assert len(groups["contacts"]["results"]) == 3
    assert groups["contacts"]["count_capped"] is False
    assert groups["companies"] == {"type": "companies", "count": 0, "count_capped": False, "results": []}


def test_a_broad_query_reads_ranks_and_counts_at_most_the_cap(api, employee, settings):
    settings.SEARCH_CANDIDATES = 4
    exact = ContactFactory(last_name="Savchuk", first_name="")
    for n in range(3):
        ContactFactory(last_name=f"Savchukova{n}", first_name="Ola")
    group = find(api.as_user(employee), "savchuk", type="contacts")["contacts"]
    assert (group["count"], group["count_capped"]) == (4, False)
    assert group["results"][0]["id"] == exact.pk  # the words cover all of its text
    ContactFactory(last_name="Savchukova4")
    group = find(api.as_user(employee), "savchuk", type="contacts")["contacts"]
    assert (group["count"], group["count_capped"], len(group["results"])) == (4, True, 5)


def _bitmap_plan(sql: str, params) -> list[str]:
    """The lines of the plan of `sql` with only bitmap scans left: a full scan of another index, filtered by the
    text, is no way out either (on a table of a few rows, which the suite's earlier tests can leave, it is the
    cheapest plan)."""
    with connection.cursor() as cursor:
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return [row[0].strip() for row in cursor.fetchall()]


def _search_sql(source, term: str, typos: frozenset[str]) -> tuple[str, list]:
    """The rows of the source's table the global search's condition (`_condition`) picks."""
    condition, params = search._condition(source, term, typos)
    return f"SELECT 1 FROM {connection.ops.quote_name(source.model._meta.db_table)} WHERE {condition}", params


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's")
@pytest.mark.parametrize("type_", search.types())
@pytest.mark.parametrize(
    ("term", "similar"), [("Ivanenko", False), ("Ivanenko", True), ("0501234", False), ("Iv", False)]
)
@pytest.mark.parametrize("written_as", ["the search's SQL", "a list's filter"])
def test_every_search_is_served_by_an_index(employee, type_, term, similar, written_as):
    """A registered type whose migration indexes another expression than `SearchText` compiles to, or none,
    would make every search read the whole table; with sequential scans off, the plan then filters the rows of
    some other scan by the text instead of finding them in the trigram index. (One word: with several, the
    planner may rightly look one up and filter by the others.) The global search writes its SQL from texts
    compiled once (`_condition`), a list filters with `matches()`: both must reach the index."""
    source = search.source(type_)
    typos = frozenset([term] if similar else [])
    if written_as == "a list's filter":
        queryset = source.model._base_manager.filter(search.matches(source, term, similar_words=typos)).order_by()
        sql, params = queryset.query.sql_with_params()
    else:
        sql, params = _search_sql(source, term, typos)
    plan = _bitmap_plan(sql, params)
    text_filters = [line for line in plan if line.startswith("Filter:") and (" ~~ " in line or " %> " in line)]
    assert not text_filters, "\n".join(plan)
    assert any(line.startswith("Index Cond:") and (" ~~ " in line or " %> " in line) for line in plan)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's")
@pytest.mark.parametrize("type_", [type_ for type_ in search.types() if search.source(type_).similar])
def test_a_typo_beside_a_found_word_is_looked_up_with_it_in_one_index_scan(employee, type_):
    """Not in an index of its own, whose many candidates for a typo the planner cannot foresee."""
    source = search.source(type_)
    plan = _bitmap_plan(*_search_sql(source, "Ivanenko Olna", frozenset(["Olna"])))
    [looked_up] = [line for line in plan if line.startswith("Index Cond:")]
    assert " ~~ '%IVANENKO%'" in looked_up and " %> 'OLNA'" in looked_up, "\n".join(plan)


def test_a_word_of_two_letters_is_looked_for_at_the_start_of_a_word(api, employee):
    """Inside a word, two letters have no trigram to be looked up by: every row would be read and checked."""
    by_surname = ContactFactory(last_name="Ivanenko", first_name="Petro")
    by_first_name = ContactFactory(last_name="Koval", first_name="Ivanna")
    ContactFactory(last_name="Lyivska", first_name="Olha")  # "iv" inside a word
    client = api.as_user(employee)
    assert ids(find(client, "iv", type="contacts"), "contacts") == {by_surname.pk, by_first_name.pk}
    assert ids(find(client, "koval iv", type="contacts"), "contacts") == {by_first_name.pk}
    response = api.as_user(employee).get(reverse("contacts:contact-list"), {"search": "iv"})
    assert {row["id"] for row in response.data["results"]} == {by_surname.pk, by_first_name.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="typos are looked for on PostgreSQL")
def test_a_word_of_two_letters_is_never_a_typo(employee):
    """pg_trgm has no trigram to look up in it: the typo phase would read whole indexes to find nothing useful."""
    ContactFactory(last_name="Ivanenko", responsible=employee)
    with CaptureQueriesContext(connection) as queries:
        groups = search.search(user=employee, term="Iv")
    assert [group["count"] for group in groups if group["type"] == "contacts"] == [1]
    with CaptureQueriesContext(connection) as nothing_found:
        search.search(user=employee, term="Zq")
    assert len(nothing_found) == len(queries) - 1, "no typo phase, and no ranking"
    groups = {group["type"]: group for group in search.search(user=employee, term="Ivanenkx Iv")}
    assert groups["contacts"]["count"] == 1, "the long word as a typo, the short one as typed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner settings are PostgreSQL's")
def test_a_search_inside_a_callers_transaction_gives_the_planner_back_as_it_was(employee):
    """The search turns whole-table and b-tree scans off for its own queries only."""
    ContactFactory(last_name="Ivanenko", responsible=employee)
    search.search(user=employee, term="Ivanenko")  # the test's transaction is the caller's
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')")
        assert cursor.fetchone() == ("on", "on")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one round trip for all types is PostgreSQL's")
@pytest.mark.parametrize(("term", "phases"), [("Ivanenko", 1), ("Ivanenkx", 2), ("Ivanenko Olna", 3)])
def test_every_type_is_searched_in_one_round_trip(employee, term, phases):
    """The ids of every type's hits come in one query, whatever the number of types (a typo's second phase in one
    more, and the check of which words are typos in a third), and the rows of the best in one more on PostgreSQL
    (SQLite reads them a type at a time)."""
    ContactFactory(last_name="Ivanenko", first_name="Olena", responsible=employee)
    LeadFactory(name="Ivanenko", responsible=employee)
    DealFactory(title="Ivanenko", responsible=employee)
    with CaptureQueriesContext(connection) as queries:
        groups = search.search(user=employee, term=term)
    with_hits = sum(1 for group in groups if group["count"])
    assert with_hits >= 1
    # the savepoint, the planner settings, the employee's visible owners, the settings back, the release
    overhead = 5
    rows = 1 if connection.vendor == "postgresql" else with_hits
    assert len(queries) == overhead + phases + rows, [query["sql"][:80] for query in queries]
    assert len(search.types()) > phases + 1


def test_the_rows_of_every_type_are_read_as_they_are_stored(employee):
    """On PostgreSQL the best rows of every type come as JSON: each field must still read as the ORM reads it."""
    ContactFactory(last_name="Ivanenko", loyalty_balance=Decimal("12345678.91"))
    CompanyFactory(name="Ivanenko")
    DealFactory(title="Ivanenko", amount=Decimal("1234567890.12"), responsible=employee)
    OrderFactory()
    TaskFactory(name="Ivanenko", responsible=[employee])
    CallFactory(employee=employee)
    LeadFactory(name="Ivanenko", responsible=employee)
    CustomerRequestFactory(reason="Ivanenko")
    best = {
        name: [(pk, 0.5) for pk in search.source(name).model._base_manager.values_list("pk", flat=True)]
        for name in search.types()
    }
    loaded = search._rows(best)
    for name, hits in loaded.items():
        model = search.source(name).model
        assert [row.pk for row, _rank in hits] == [pk for pk, _rank in best[name]] != []
        for row, rank in hits:
            stored = model._base_manager.get(pk=row.pk)
            for field in model._meta.concrete_fields:
                value, expected = getattr(row, field.attname), getattr(stored, field.attname)
                assert (value, type(value)) == (expected, type(expected)), (name, field.name)
            assert rank == 0.5 and not row._state.adding
    assert search._rows({name: [] for name in search.types()}) == {name: [] for name in search.types()}


def test_a_types_names_must_be_among_its_fields(monkeypatch):
    monkeypatch.setattr(search, "_sources", dict(search._sources))
    with pytest.raises(ImproperlyConfigured):
        search.register(
            "people", Contact, visible_to=Contact.objects.all, fields=["email"], similar=["last_name"], url_name="x"
        )
    assert "people" not in search.types()


def test_a_type_whose_selector_shows_nothing_finds_nothing(api, employee, monkeypatch):
    """`.none()` compiles to no SQL at all; the search must still answer, with nothing of that type."""
    contacts = search.source("contacts")
    monkeypatch.setitem(search._sources, "contacts", replace(contacts, visible_to=lambda user: Contact.objects.none()))
    ContactFactory(last_name="Ivanenko")
    LeadFactory(name="Ivanenko", responsible=employee)
    groups = find(api.as_user(employee), "Ivanenko")
    assert (groups["contacts"]["count"], groups["leads"]["count"]) == (0, 1)


def _counted(monkeypatch, type_, visible_to):
    """Register `type_` with `visible_to`, counting its calls."""
    calls = []

    def counted(*, user):
        calls.append(user.pk)
        return visible_to(user=user)

    monkeypatch.setitem(search._sources, type_, replace(search.source(type_), visible_to=counted))
    return calls


def test_a_scope_is_compiled_once_for_a_user_and_follows_their_rights(api, colleagues, monkeypatch):
    me, colleague, head = colleagues
    calls = _counted(monkeypatch, "leads", search.source("leads").visible_to)
    theirs = LeadFactory(name="Secret Wholesale", responsible=colleague, created_by=colleague)
    client = api.as_user(me)
    for _ in range(3):
        assert find(client, "Secret", type="leads")["leads"]["count"] == 0
    compiled = 1 if connection.vendor == "postgresql" else 3  # SQLite compiles every search's
    assert calls == [me.pk] * compiled
    # Made the colleague's head: their leads show at once, as in the list.
    make_department("Support desk", head=me)
    colleague.department = me.headed_departments.get()
    colleague.save()
    assert ids(find(client, "Secret", type="leads"), "leads") == {theirs.pk}
    assert calls == [me.pk] * (compiled + 1)
    # Seen by the head of my department, who sees mine but never the colleague's.
    mine = LeadFactory(name="Secret Retail", responsible=me, created_by=me)
    assert ids(find(api.as_user(head), "Secret", type="leads"), "leads") == {mine.pk}
    me.role = Role.ADMIN
    me.save()
    assert ids(find(api.as_user(me), "Secret", type="leads"), "leads") == {theirs.pk, mine.pk}


def test_a_scope_that_reads_the_database_or_the_clock_is_compiled_for_every_search(api, employee, monkeypatch):
    read = _counted(
        monkeypatch,
        "contacts",
        lambda user: Contact.objects.filter(pk__in=list(Contact.objects.values_list("pk", flat=True))),
    )
    timed = _counted(
        monkeypatch, "leads", lambda user: search.source("leads").model.objects.filter(created_at__lte=timezone.now())
    )
    client = api.as_user(employee)
    for name in ("Ivanenko", "Ivanchuk"):
        ContactFactory(last_name=name)
        LeadFactory(name=name, responsible=employee)
        groups = find(client, name, type="contacts,leads")
        assert (groups["contacts"]["count"], groups["leads"]["count"]) == (1, 1)
    assert (len(read), len(timed)) == (2, 2)


def test_a_row_found_by_its_phone_alone_may_have_an_empty_text(api, employee, monkeypatch):
    """Ranked by how much of its text the words cover: an empty text must not divide by zero."""
    leads = search.source("leads")
    monkeypatch.setitem(search._sources, "leads", replace(leads, fields=("name",), similar=("name",)))
    lead = LeadFactory(name="", phone="+380501234567", responsible=employee)
    assert ids(find(api.as_user(employee), "050 123 45", type="leads"), "leads") == {lead.pk}


def test_the_answer_is_what_the_schema_declares(api, employee):
    ContactFactory(last_name="Ivanenko")
    LeadFactory(name="Ivanenko", responsible=employee)
    response = api.as_user(employee).get(URL, {"q": "Ivanenko"})
    assert response.status_code == 200
    declared = SearchGroupSerializer(response.json(), many=True).data
    assert response.json() == declared and [group["type"] for group in declared] == search.types()
    assert {hit["title"] for group in declared for hit in group["results"]} == {"Ivanenko"} | {
        str(contact) for contact in Contact.objects.filter(last_name="Ivanenko")
    }


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "a"}, {"q": " a "}, {"q": "ab", "type": "planets"}, {"q": "ab", "limit": "x"}, {"q": "ab", "limit": 0}],
)
def test_bad_queries_are_400(api, employee, params):
    assert api.as_user(employee).get(URL, params).status_code == 400


def test_anonymous_is_refused(api):
    assert api.get(URL, {"q": "abc"}).status_code == 401


def test_queries_per_type_do_not_grow_with_the_hits(api, employee):
    client = api.as_user(employee)
    client.get(URL, {"q": "Marchenko"})  # warm up per-user state

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"q": "Marchenko", "limit": 50}).status_code == 200
        return len(captured)

    ContactFactory(last_name="Marchenko")
    LeadFactory(name="Marchenko", responsible=employee)
    few = queries()
    for _ in range(30):
        ContactFactory(last_name="Marchenko")
        LeadFactory(name="Marchenko", responsible=employee)
    assert queries() == few
    # One per type, and on PostgreSQL a second by similarity for a type where nothing contains the words;
    # plus the employee's visible owner ids, read before the scoped types (users.selectors.scope_to_owners);
    # plus, on PostgreSQL, a transaction (here a savepoint) keeping sequential scans off, and setting them back.
    assert few <= 2 * len(search.types()) + 4 + 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram similarity needs PostgreSQL's pg_trgm")
def test_cyrillic_name_with_a_typo_is_found_by_similarity_and_ranked_first(api, employee):
    wanted = ContactFactory(first_name="Тарас", last_name="Шевченко")
    ContactFactory(first_name="Іван", last_name="Франко")
    close = ContactFactory(first_name="Ганна", last_name="Шевчук")
    client = api.as_user(employee)
    groups = find(client, "Шевчнко", type="contacts")
    found = [hit["id"] for hit in groups["contacts"]["results"]]
    assert found[0] == wanted.pk
    assert set(found) <= {wanted.pk, close.pk}
    assert ids(find(client, "шевченко тарас"), "contacts") == {wanted.pk}
    assert ids(find(client, "Тарас Шевчнеко"), "contacts") == {wanted.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram similarity needs PostgreSQL's pg_trgm")
def test_a_typo_beside_a_word_that_is_found_is_looked_for_among_its_rows(api, employee):
    wanted = ContactFactory(first_name="Олена", last_name="Бондаренко")
    ContactFactory(first_name="Оксана", last_name="Бондаренко")
    ContactFactory(first_name="Олена", last_name="Бондар")  # like "Бондаренко", but it is not a typo here
    assert ids(find(api.as_user(employee), "Бондаренко Олна", type="contacts"), "contacts") == {wanted.pk}


def test_task_description_by_its_words(api, employee):
    task = TaskFactory(
        name="Call back", description="Customer wants the invoice for the wholesale order", created_by=employee
    )
    assert ids(find(api.as_user(employee), "invoice wholesale", type="tasks"), "tasks") == {task.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram similarity needs PostgreSQL's pg_trgm")
def test_a_word_found_as_typed_in_one_type_is_not_a_typo_in_the_others(api, employee):
    contact = ContactFactory(first_name="Тарас", last_name="Шевченко")
    company = CompanyFactory(name="Шевчнко і партнери")
    client = api.as_user(employee)
    groups = find(client, "Шевчнко", type="contacts,companies")
    assert (ids(groups, "companies"), ids(groups, "contacts")) == ({company.pk}, set())
    assert ids(find(client, "Шевчнко", type="contacts"), "contacts") == {contact.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram similarity needs PostgreSQL's pg_trgm")
def test_a_word_of_several_found_as_typed_in_one_type_is_not_a_typo_in_the_others(api, employee):
    """The rule of a single word holds for each word of several: it is a typo only where no type has it as typed."""
    contact = ContactFactory(first_name="Тарас", last_name="Шевченко")
    company = CompanyFactory(name="Шевчнко і партнери")
    client = api.as_user(employee)
    assert ids(find(client, "Шевчнко Тарас", type="contacts,companies"), "contacts") == set()
    company.delete()
    assert ids(find(client, "Шевчнко Тарас", type="contacts,companies"), "contacts") == {contact.pk}
