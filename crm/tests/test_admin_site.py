"""The admin as CRM staff meet it: the CRM's title, their sections first, plumbing apart, audit fields last."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.tests.factories import ContactFactory, PhoneFactory
from crm.admin import CrmModelAdmin, CrmTabularInline, is_audit_field
from crm.admin_site import SYSTEM_MODELS
from deals.tests.factories import DealFactory, PipelineFactory
from leads.tests.factories import LeadFactory
from tasks.tests.factories import TaskFactory
from users.models import Role
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAFF_SECTIONS = ["contacts", "deals", "leads", "tasks", "calls", "chat", "companies"]


@pytest.fixture
def staff_admin(db):
    """An admin who is staff with every permission but not a superuser."""
    user = UserFactory(role=Role.ADMIN, is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return user


def _sections(response):
    return [app["app_label"] for app in response.context["app_list"]]


def test_admin_is_titled_as_the_crm(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:index"))
    assert response.context["site_header"] == "CRM"
    assert "<title>Records and settings | CRM</title>" in response.text
    assert "Django administration" not in response.text


def test_admin_index_lists_staff_sections_first_and_system_last(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:index"))
    sections = _sections(response)
    assert sections[: len(STAFF_SECTIONS)] == STAFF_SECTIONS
    assert sections[-1] == "system"
    assert "token_blacklist" not in sections
    system = response.context["app_list"][-1]
    assert system["name"] == "System"
    assert [model["model"]._meta.label for model in system["models"]] == SYSTEM_MODELS
    contacts = response.context["app_list"][0]
    assert contacts["models"][0]["object_name"] == "Contact"
    deals = response.context["app_list"][1]
    assert deals["models"][0]["object_name"] == "Deal"


def test_admin_hides_system_models_from_an_admin_who_is_not_a_superuser(client, staff_admin):
    client.force_login(staff_admin)
    response = client.get(reverse("admin:index"))
    sections = _sections(response)
    assert sections[: len(STAFF_SECTIONS)] == STAFF_SECTIONS
    assert "system" not in sections
    listed = {model["model"]._meta.label for app in response.context["app_list"] for model in app["models"]}
    assert listed.isdisjoint(SYSTEM_MODELS)
    for label in SYSTEM_MODELS:
        app_label, model_name = label.lower().split(".")
        assert client.get(reverse(f"admin:{app_label}_{model_name}_changelist")).status_code == 403, label
    assert client.get(reverse("admin:app_list", args=["token_blacklist"])).status_code == 404


def _form_fields(model_admin, request, obj=None):
    return [
        name
        for _name, options in model_admin.get_fieldsets(request, obj)
        for entry in options["fields"]
        for name in (entry if isinstance(entry, tuple | list) else [entry])
    ]


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_admin_forms_show_audit_fields_last_and_read_only(rf, owner, model):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = owner
    fields = _form_fields(model_admin, request)
    audit = [name for name in fields if is_audit_field(name)]
    assert fields and not is_audit_field(fields[0])
    if audit:
        assert fields[-len(audit) :] == audit
        assert set(audit) <= set(model_admin.get_readonly_fields(request))


def test_every_project_admin_uses_the_shared_base():
    ours = [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        # the department tree keeps treebeard's own admin, which draws and moves the tree
        if model._meta.app_label not in {"auth", "token_blacklist"} and model._meta.label != "users.Department"
    ]
    for model, model_admin in ours:
        assert isinstance(model_admin, CrmModelAdmin), model._meta.label
        for inline in model_admin.inlines:
            assert issubclass(inline, CrmTabularInline), inline


def _is_big_table(field):
    return field.related_model._meta.label in {
        "contacts.Contact",
        "companies.Company",
        "deals.Deal",
        "deals.Order",
        "deals.Product",
        "leads.Lead",
        "tasks.Task",
        "users.User",
        "chat.Chat",
    }


@pytest.mark.parametrize(
    "model",
    [model for model in admin.site._registry if model._meta.app_label not in {"auth", "token_blacklist"}],
    ids=lambda m: m._meta.label,
)
def test_admin_picks_rows_of_big_tables_by_autocomplete(rf, owner, model):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = owner
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        return  # nothing is picked on a read-only page
    readonly = set(model_admin.get_readonly_fields(request))
    for field in model._meta.get_fields():
        if not (field.is_relation and field.concrete and field.editable) or field.name in readonly:
            continue
        if field.many_to_many and not field.remote_field.through._meta.auto_created:
            continue  # kept through its own model, not on this form
        if _is_big_table(field):
            assert field.name in model_admin.get_autocomplete_fields(request), field.name


def test_deal_form_opens_on_its_own_fields_with_the_contact_by_autocomplete(client, owner):
    deal = DealFactory()
    client.force_login(owner)
    response = client.get(reverse("admin:deals_deal_change", args=[deal.pk]))
    form = response.context["adminform"].form
    assert next(iter(form.fields)) == "title"
    assert "deleted_by" not in form.fields
    assert 'data-ajax--url="/admin/autocomplete/"' in response.text
    assert 'name="contact"' in response.text
    assert "admin-autocomplete" in str(form["contact"])
    assert response.context["title"] == "Change deal"


def test_contact_list_shows_phones(client, owner):
    contact = ContactFactory(last_name="Kovalchuk")
    PhoneFactory(contact=contact, number="+380501234567")
    PhoneFactory(contact=contact, number="+380671234567")
    client.force_login(owner)
    response = client.get(reverse("admin:contacts_contact_changelist"))
    assert "+380501234567, +380671234567" in response.text


def test_trash_filter_names_its_default_not_in_the_trash(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:contacts_contact_changelist"))
    trash = next(spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "trash")
    labels = [str(choice["display"]) for choice in trash.choices(response.context["cl"])]
    assert labels == ["Not in the trash", "In the trash", "All"]


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("admin:contacts_contact_changelist", lambda: PhoneFactory(contact=ContactFactory())),
        ("admin:deals_deal_changelist", lambda: DealFactory(pipeline=PipelineFactory(), responsible=UserFactory())),
        ("admin:leads_lead_changelist", lambda: LeadFactory(responsible=UserFactory())),
        ("admin:tasks_task_changelist", lambda: TaskFactory()),
    ],
)
def test_admin_lists_read_the_same_number_of_queries_for_one_row_and_many(client, owner, url, make):
    client.force_login(owner)
    client.get(reverse(url))  # the session's first request also notes the user's last visit
    make()
    with_one = _count_queries(client, reverse(url))
    for _ in range(4):
        make()
    assert _count_queries(client, reverse(url)) == with_one


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
