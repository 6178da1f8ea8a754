import pytest
from django.urls import reverse

from activity.models import Activity
from contacts.models import Contact
from contacts.tests.factories import ContactFactory, PhoneFactory
from crm.tests.support.queries import assert_constant_queries
from deals.models import Deal, Pipeline, ShopStatusMapping
from deals.tests.factories import PipelineFactory
from leads.models import Lead, LeadStatus
from leads.tests.factories import LeadFactory
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

LIST = reverse("leads:lead-list")


def action(client, lead, name, data=None):
    return client.post(reverse(f"leads:lead-{name}", args=[lead.pk]), data or {})


@pytest.fixture
def team():
    head = UserFactory(role=Role.MANAGER)
    seller = UserFactory(department=make_department("Sales", head=head))
    outsider = UserFactory()
    return head, seller, outsider


def test_create_a_lead_normalises_the_phone(api, employee):
    response = api.as_user(employee).post(LIST, {"name": "Anna", "phone": "050 123 45 67", "source": "website"})
    assert response.status_code == 201, response.data
    assert response.data["phone"] == "+380501234567"
    assert response.data["responsible"] == employee.pk


def test_status_converted_or_failed_only_through_actions(api, employee):
    client = api.as_user(employee)
    assert client.post(LIST, {"name": "X", "status": "converted"}).status_code == 400
    lead = LeadFactory(responsible=employee)
    assert client.patch(reverse("leads:lead-detail", args=[lead.pk]), {"status": "failed"}).status_code == 400
    assert client.patch(reverse("leads:lead-detail", args=[lead.pk]), {"status": "qualified"}).status_code == 200


def test_funnel_counts_leads_per_status_under_the_filters(api, employee):
    LeadFactory.create_batch(2, responsible=employee, status=LeadStatus.NEW, source="shop")
    LeadFactory(responsible=employee, status=LeadStatus.QUALIFIED, source="phone")
    LeadFactory(status=LeadStatus.NEW)  # someone else's
    client = api.as_user(employee)
    funnel = {row["status"]: row["count"] for row in client.get(reverse("leads:lead-funnel")).data}
    assert funnel == {"new": 2, "contacted": 0, "qualified": 1, "converted": 0, "failed": 0}
    funnel = {row["status"]: row["count"] for row in client.get(reverse("leads:lead-funnel"), {"source": "phone"}).data}
    assert funnel["new"] == 0 and funnel["qualified"] == 1


def test_convert_creates_a_contact_and_a_deal_once(api, employee):
    pipeline = Pipeline.objects.first()  # the sales pipeline a fresh install has
    lead = LeadFactory(responsible=employee, name="Ivan Franko", phone="+380671112233", email="ivan@example.com")
    client = api.as_user(employee)
    response = action(client, lead, "convert", {"amount": "500.00"})
    assert response.status_code == 200, response.data
    assert response.data["status"] == "converted"
    contact = Contact.objects.get(pk=response.data["contact"])
    assert (contact.first_name, contact.last_name) == ("Ivan", "Franko")
    assert list(contact.phones.values_list("number", flat=True)) == ["+380671112233"]
    deal = Deal.objects.get(pk=response.data["deal"])
    assert deal.pipeline == pipeline and deal.stage.position == 1 and deal.amount == 500
    assert Activity.objects.filter(verb="converted", actor=employee).count() == 1

    again = action(client, lead, "convert")
    assert again.status_code == 409
    assert Deal.objects.count() == 1 and Contact.objects.count() == 1


@pytest.mark.parametrize("match", ["phone", "email"])
def test_convert_reuses_the_contact_with_the_same_phone_or_email(api, employee, match):
    PipelineFactory()
    existing = ContactFactory(email="known@example.com")
    PhoneFactory(contact=existing, number="+380501234567")
    lead = LeadFactory(
        responsible=employee,
        phone="+380501234567" if match == "phone" else "",
        email="KNOWN@example.com" if match == "email" else "",
    )
    response = action(api.as_user(employee), lead, "convert")
    assert response.status_code == 200
    assert response.data["contact"] == existing.pk
    assert Contact.objects.count() == 1


def test_convert_without_a_pipeline_is_a_400(api, employee):
    ShopStatusMapping.objects.all().delete()
    Pipeline.objects.all().delete()
    lead = LeadFactory(responsible=employee)
    assert action(api.as_user(employee), lead, "convert").status_code == 400
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW and not Contact.objects.exists()


def test_fail_needs_a_reason_and_closes_the_lead(api, employee):
    lead = LeadFactory(responsible=employee)
    client = api.as_user(employee)
    assert action(client, lead, "fail", {"reason": ""}).status_code == 400
    assert action(client, lead, "fail", {"reason": "Went to a competitor"}).data["status"] == "failed"
    assert action(client, lead, "fail", {"reason": "Again"}).status_code == 409
    assert client.patch(reverse("leads:lead-detail", args=[lead.pk]), {"notes": "x"}).status_code == 409


def test_an_outsider_does_not_see_or_touch_a_colleagues_lead(api, team):
    _head, seller, outsider = team
    lead = LeadFactory(responsible=seller)
    PipelineFactory()
    client = api.as_user(outsider)
    assert client.get(LIST).data["count"] == 0
    assert client.get(reverse("leads:lead-detail", args=[lead.pk])).status_code == 404
    assert action(client, lead, "convert").status_code == 404
    assert action(client, lead, "fail", {"reason": "x"}).status_code == 404
    assert client.delete(reverse("leads:lead-detail", args=[lead.pk])).status_code == 404
    assert sum(row["count"] for row in client.get(reverse("leads:lead-funnel")).data) == 0
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_a_head_sees_and_converts_subordinates_leads(api, team):
    head, seller, _outsider = team
    PipelineFactory()
    lead = LeadFactory(responsible=seller)
    client = api.as_user(head)
    assert [row["id"] for row in client.get(LIST).data["results"]] == [lead.pk]
    assert action(client, lead, "convert").status_code == 200


def test_lead_list_takes_constant_queries(api, team):
    head, seller, _outsider = team

    def add_rows(n):
        for _ in range(n):
            LeadFactory(responsible=UserFactory(department=seller.department), contact=ContactFactory())

    # the user behind the token, the count, the page with the responsible user, contact and deal joined
    assert (
        assert_constant_queries(api.as_user(head), LIST, add_rows) <= 4
    )  # one more: the ids of the users whose rows the caller sees
