import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max, Q

from calls.models import Call
from chat.models import Chat, ChatMember, Message
from companies.models import Company
from companies.validators import validate_edrpou
from contacts.models import Contact, Phone
from contacts.tests.factories import ContactFactory
from crm import demo
from crm.api.phones import normalize_phone
from deals.models import Deal, Order, Pipeline
from leads.models import Lead, LeadStatus
from promotions.models import Discount, PromoCode, Promotion
from tasks.models import ShareStatus, Task, TaskShare
from users.models import Department, Role, User
from users.tests.factories import UserFactory

PASSWORD = "demo-password-42"


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **{"password": PASSWORD, **options})
    return out.getvalue()


def demo_staff():
    return User.objects.filter(email__endswith=f"@{demo.DEMO_EMAIL_DOMAIN}")


def project_rows() -> dict[str, tuple]:
    """Every table of the project's apps: its row count, highest id and latest update."""
    rows = {}
    for app in apps.get_app_configs():
        if Path(app.path).parent == Path(settings.BASE_DIR):
            for model in app.get_models():
                queryset = model._base_manager.all()
                names = {f.name for f in model._meta.concrete_fields}
                aggregates = {"last_pk": Max("pk")}
                if "updated_at" in names:
                    aggregates["last_update"] = Max("updated_at")
                rows[model._meta.label] = (queryset.count(), *queryset.aggregate(**aggregates).values())
    return rows


def test_seed_demo_fills_a_fresh_install_with_what_it_promises(owner):
    output = seed()

    staff = demo_staff()
    assert staff.count() == 8
    assert {user.role for user in staff} == {Role.ADMIN, Role.MANAGER, Role.EMPLOYEE}
    assert all(user.check_password(PASSWORD) and user.department_id for user in staff)
    assert User.objects.filter(role=Role.OWNER).get() == owner  # the owner stays, and no other is made
    assert max(department.depth for department in Department.objects.all()) == 3
    assert Department.objects.find_problems() == ([], [], [], [], [])

    assert Contact.objects.count() == 300
    numbers = list(Phone.objects.values_list("number", flat=True))
    assert all(number.startswith("+380") and normalize_phone(number) == number for number in numbers)
    assert len(set(numbers)) == len(numbers) >= 300
    assert Company.objects.count() >= 10
    for code in Company.objects.values_list("edrpou", flat=True):
        validate_edrpou(code)

    assert set(Lead.objects.values_list("status", flat=True)) == set(LeadStatus.values)
    assert Lead.objects.values("source").distinct().count() > 3
    pipeline = Pipeline.objects.get(name="Sales")  # the migrations' pipeline, not one of its own
    assert Pipeline.objects.count() == 1
    assert Deal.objects.filter(pipeline=pipeline).values("stage").distinct().count() == pipeline.stages.count()
    assert Order.objects.filter(items__isnull=False).distinct().count() == Order.objects.count() > 0

    assert Task.objects.filter(remind=True).exists()
    assert set(TaskShare.objects.values_list("status", flat=True)) == set(ShareStatus.values)
    assert Chat.objects.filter(kind=Chat.Kind.DIRECT).count() == 1
    general = Chat.objects.get(name="zahalnyi")
    assert ChatMember.objects.filter(chat=general).count() == 9  # the demo staff and the owner
    assert Message.objects.filter(chat=general).count() > 5

    calls = Call.objects.all()
    assert calls.count() == 120
    assert all(call.binotel_id.startswith(demo.CALL_ID_PREFIX) for call in calls)
    assert calls.filter(contact__isnull=False).exists() and calls.filter(employee__isnull=True).count() == 0
    assert Promotion.objects.exists() and PromoCode.objects.exists() and Discount.objects.exists()

    assert "contacts: 300" in output and PASSWORD not in output  # a password given is not printed back


def test_seed_demo_a_second_run_writes_nothing_and_says_so(db):
    first = seed(password=None)
    password = re.search(r"Password: (\S+)", first).group(1)  # made up, and printed once
    assert all(user.check_password(password) for user in demo_staff())
    before = project_rows()

    output = seed()

    assert project_rows() == before
    assert "nothing was changed" in output and password not in output


@pytest.mark.parametrize(
    "real_data",
    [lambda: ContactFactory(), lambda: UserFactory(role=Role.EMPLOYEE)],
    ids=["a contact", "a colleague's account"],
)
def test_seed_demo_refuses_a_database_in_use_and_writes_nothing(owner, real_data):
    real_data()
    before = project_rows()

    with pytest.raises(CommandError, match="in use"):
        seed()

    assert project_rows() == before
    assert not demo_staff().exists()


def test_seeded_data_shows_through_the_api_by_the_access_rules(api, owner):
    seed()
    iryna = demo_staff().get(email__startswith="iryna.")  # an employee of retail sales
    taras = demo_staff().get(email__startswith="taras.")  # who heads retail sales

    response = api.as_user(iryna).get("/api/deals/", {"page_size": 200})

    own = Deal.objects.filter(Q(responsible=iryna) | Q(created_by=iryna))
    assert response.status_code == 200
    assert 0 < response.data["count"] == own.count() < Deal.objects.count()
    assert {deal["id"] for deal in response.data["results"]} == set(own.values_list("pk", flat=True))

    retail = User.objects.filter(department=taras.department)
    response = api.as_user(taras).get("/api/deals/", {"page_size": 200})
    assert response.data["count"] == Deal.objects.filter(responsible__in=retail).count() > own.count()

    assert api.as_user(iryna).get("/api/contacts/").data["count"] == 300  # contacts: all staff read
    assert api.as_user(owner).get("/api/deals/").data["count"] == Deal.objects.count()


def test_seed_demo_refuses_an_install_without_a_pipeline(owner):
    Pipeline.objects.all().delete()

    with pytest.raises(CommandError, match="pipeline"):
        seed()

    assert not demo_staff().exists()
