"""Fuzzes every operation of the OpenAPI schema in-process, as the owner.

Any 5xx, or a response that contradicts the schema, fails the test. New
endpoints are covered as soon as they appear in the schema.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from activity.services import activity_record
from comments.models import Comment
from companies.tests.factories import ArticleFactory, CompanyFactory, FolderFactory, KnowledgeFileFactory
from contacts.tests.factories import ContactEventFactory, ContactFactory, PhoneFactory, ReturnItemFactory
from crm.wsgi import application
from deals.tests.factories import DealFactory, OrderItemFactory
from leads.tests.factories import LeadFactory
from notifications.services import notify
from tasks.tests.factories import ProjectFactory, TagFactory, TaskFactory, TaskShareFactory
from users.models import Role
from users.tests.factories import UserFactory, UserGroupFactory, make_department, make_invitation

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def keep_connection_open():
    """As Django's test client does: a request must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def owner_headers(db, keep_connection_open):
    owner = UserFactory(role=Role.OWNER, is_staff=True, is_superuser=True)
    # A little of everything, so that some generated ids find rows.
    group = UserGroupFactory()
    department = make_department("Sales", head=owner)
    colleague = UserFactory(department=department, group=group)
    make_invitation(invited_by=owner)
    activity_record(actor=colleague, verb="updated", target=colleague)
    notify(recipient=owner, kind="test", title="Hello", target=colleague)
    contact = ContactFactory(responsible=owner)
    PhoneFactory(contact=contact)
    ContactEventFactory(contact=contact)
    ReturnItemFactory(return_request__contact=contact, return_request__responsible=owner)
    article = ArticleFactory(company=CompanyFactory(responsible=owner))
    article.folders.add(FolderFactory(company=article.company))
    KnowledgeFileFactory(article=article)
    Comment.objects.create(target=contact, text="Hello", author=owner)
    deal = DealFactory(contact=contact, responsible=owner)
    OrderItemFactory(order__deal=deal, order__contact=contact)
    LeadFactory(responsible=owner)
    task = TaskFactory(
        created_by=colleague, contact=contact, company=article.company, project=ProjectFactory(), tags=[TagFactory()]
    )
    TaskShareFactory(task=task, user=owner)
    return {"Authorization": f"Bearer {RefreshToken.for_user(owner).access_token}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "10")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case, owner_headers):
    case.call_and_validate(headers=owner_headers, checks=CHECKS)
