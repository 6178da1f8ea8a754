from decimal import Decimal

import pytest
from django.urls import reverse

from activity.models import Activity
from contacts.tests.factories import ContactActivityFactory, ContactFactory, ReturnFactory
from crm.tests.support.queries import assert_constant_queries, count_queries
from deals.models import Deal, DealStatus, Stage
from deals.tests.factories import DealFactory, OrderFactory, OrderItemFactory, PipelineFactory, ProductFactory
from leads.tests.factories import LeadFactory
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

LIST = reverse("deals:deal-list")
KANBAN = reverse("deals:deal-kanban")


def action(client, deal, name, data=None):
    return client.post(reverse(f"deals:deal-{name}", args=[deal.pk]), data or {})


def stage(pipeline, position):
    return pipeline.stages.get(position=position)


@pytest.fixture
def team():
    head = UserFactory(role=Role.MANAGER)
    seller = UserFactory(department=make_department("Sales", head=head))
    outsider = UserFactory()
    return head, seller, outsider


def test_create_a_deal_in_the_first_stage(api, employee):
    pipeline = PipelineFactory()
    contact = ContactFactory()
    response = api.as_user(employee).post(
        LIST, {"title": "Sofa", "contact": contact.pk, "pipeline": pipeline.pk, "amount": "1200.50"}
    )
    assert response.status_code == 201, response.data
    assert response.data["stage"] == stage(pipeline, 1).pk
    assert response.data["status"] == "open" and response.data["responsible"] == employee.pk


def test_a_stage_of_another_pipeline_is_refused_on_create(api, employee):
    pipeline, other = PipelineFactory(), PipelineFactory()
    data = {"title": "X", "contact": ContactFactory().pk, "pipeline": pipeline.pk, "stage": stage(other, 2).pk}
    assert api.as_user(employee).post(LIST, data).status_code == 400
    assert not Deal.objects.exists()


def test_a_custom_deal_needs_a_description(api, employee):
    data = {"title": "X", "contact": ContactFactory().pk, "pipeline": PipelineFactory().pk, "kind": "custom"}
    client = api.as_user(employee)
    assert client.post(LIST, data).status_code == 400
    assert client.post(LIST, {**data, "description": "Engraved"}).status_code == 201


def test_the_shop_order_id_is_not_the_users_to_set(api, employee):
    """It links a deal to the shop's order: set by the shop sync and webhook only, so no one claims an order."""
    DealFactory(shop_order_id="1001")
    client = api.as_user(employee)
    data = {"title": "X", "contact": ContactFactory().pk, "pipeline": PipelineFactory().pk}
    for claimed in ("1001", "1002"):  # one taken, one not arrived yet
        response = client.post(LIST, {**data, "shop_order_id": claimed})
        assert response.status_code == 201, response.data
        assert response.data["shop_order_id"] is None
        assert Deal.objects.get(pk=response.data["id"]).shop_order_id is None
    own = DealFactory(responsible=employee, created_by=employee, shop_order_id=None)
    linked = DealFactory(responsible=employee, created_by=employee, shop_order_id="2001")
    for deal, claimed in ((own, "1003"), (linked, "1003"), (linked, None)):
        response = client.patch(reverse("deals:deal-detail", args=[deal.pk]), {"shop_order_id": claimed, "amount": "7"})
        assert response.status_code == 200, response.data
    assert Deal.objects.get(pk=own.pk).shop_order_id is None
    assert Deal.objects.get(pk=linked.pk).shop_order_id == "2001"
    assert Deal.objects.get(pk=own.pk).amount == 7


def test_who_hands_a_deal_to_someone_they_do_not_see_gets_what_they_saved(api, employee):
    deal = DealFactory(responsible=employee)  # created by someone else
    colleague = UserFactory()
    response = api.as_user(employee).patch(reverse("deals:deal-detail", args=[deal.pk]), {"responsible": colleague.pk})
    assert response.status_code == 200, response.data
    assert response.data["responsible"] == colleague.pk
    assert api.as_user(employee).get(reverse("deals:deal-detail", args=[deal.pk])).status_code == 404


def test_move_within_the_pipeline_and_not_across(api, employee):
    deal = DealFactory(responsible=employee)
    other = PipelineFactory()
    client = api.as_user(employee)
    moved = action(client, deal, "move", {"stage": stage(deal.pipeline, 3).pk})
    assert moved.status_code == 200 and moved.data["stage"] == stage(deal.pipeline, 3).pk
    assert action(client, deal, "move", {"stage": stage(other, 1).pk}).status_code == 400
    deal.refresh_from_db()
    assert deal.stage == stage(deal.pipeline, 3)
    assert Activity.objects.filter(verb="moved").count() == 1


def test_stage_and_pipeline_do_not_change_through_edits(api, employee):
    deal = DealFactory(responsible=employee)
    response = api.as_user(employee).patch(
        reverse("deals:deal-detail", args=[deal.pk]), {"stage": stage(deal.pipeline, 3).pk, "amount": "5"}
    )
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.stage.position == 1 and deal.amount == 5


def test_win_and_fail_close_a_deal_once(api, employee):
    won, failed = DealFactory(responsible=employee), DealFactory(responsible=employee)
    client = api.as_user(employee)
    assert action(client, won, "win").data["status"] == "won"
    assert action(client, won, "win").status_code == 409
    assert action(client, won, "fail", {"reason": "x"}).status_code == 409
    assert action(client, won, "move", {"stage": stage(won.pipeline, 2).pk}).status_code == 409
    assert action(client, failed, "fail").status_code == 400
    response = action(client, failed, "fail", {"reason": "Too expensive"})
    assert response.data["status"] == "failed" and response.data["failure_reason"] == "Too expensive"
    assert {entry.verb for entry in Activity.objects.all()} == {"won", "failed"}


def test_kanban_groups_deals_by_stage_with_counts_and_sums(api, employee):
    pipeline = PipelineFactory()
    DealFactory.create_batch(3, pipeline=pipeline, stage=stage(pipeline, 1), amount=100, responsible=employee)
    DealFactory(pipeline=pipeline, stage=stage(pipeline, 2), amount=Decimal("50.5"), responsible=employee)
    DealFactory(pipeline=pipeline, stage=stage(pipeline, 2), amount=999)  # not visible to the employee
    DealFactory(responsible=employee)  # another pipeline
    response = api.as_user(employee).get(KANBAN, {"pipeline": pipeline.pk, "page_size": 2})
    assert response.status_code == 200
    columns = response.data["columns"]
    assert [column["stage"]["name"] for column in columns] == ["New", "In progress", "Done"]
    assert [column["count"] for column in columns] == [3, 1, 0]
    assert [column["amount_sum"] for column in columns] == ["300.00", "50.50", "0.00"]
    assert [len(column["deals"]) for column in columns] == [2, 1, 0]


def test_kanban_needs_a_pipeline(api, employee):
    client = api.as_user(employee)
    assert client.get(KANBAN).status_code == 400
    assert client.get(KANBAN, {"pipeline": "abc"}).status_code == 400
    assert client.get(KANBAN, {"pipeline": 99999}).status_code == 400
    assert client.get(KANBAN, {"pipeline": PipelineFactory().pk, "page_size": "0"}).status_code == 400


def test_kanban_takes_constant_queries(api, employee):
    pipeline = PipelineFactory()

    def add_rows(n):
        for i in range(n):
            DealFactory(pipeline=pipeline, stage=stage(pipeline, i % 3 + 1), responsible=employee)

    # the user, the filter's pipeline, the pipeline, the sums, the ranked deals, the stages
    assert assert_constant_queries(api.as_user(employee), KANBAN, add_rows, params={"pipeline": pipeline.pk}) <= 7


def test_an_outsider_sees_no_colleagues_deal_anywhere(api, team):
    _head, seller, outsider = team
    deal = DealFactory(responsible=seller)
    client = api.as_user(outsider)
    assert client.get(LIST).data["count"] == 0
    assert client.get(reverse("deals:deal-detail", args=[deal.pk])).status_code == 404
    assert client.get(reverse("deals:deal-panel", args=[deal.pk])).status_code == 404
    kanban = client.get(KANBAN, {"pipeline": deal.pipeline_id}).data
    assert sum(column["count"] for column in kanban["columns"]) == 0
    assert action(client, deal, "win").status_code == 404
    assert action(client, deal, "move", {"stage": stage(deal.pipeline, 2).pk}).status_code == 404
    assert client.get(reverse("deals:work-item-list")).data["count"] == 0
    deal.refresh_from_db()
    assert deal.status == DealStatus.OPEN and deal.stage.position == 1


def test_a_head_sees_subordinates_deals(api, team):
    head, seller, _outsider = team
    deal = DealFactory(created_by=seller)
    client = api.as_user(head)
    assert [row["id"] for row in client.get(LIST).data["results"]] == [deal.pk]
    kanban = client.get(KANBAN, {"pipeline": deal.pipeline_id}).data
    assert kanban["columns"][0]["deals"][0]["id"] == deal.pk


def test_deal_list_takes_constant_queries(api, employee):
    def add_rows(n):
        DealFactory.create_batch(n, responsible=employee)

    # the user behind the token, the count, the page with contact, pipeline, stage and responsible joined
    assert (
        assert_constant_queries(api.as_user(employee), LIST, add_rows) <= 4
    )  # one more: the ids of the users whose rows the caller sees


def test_panel_shows_orders_activity_and_returns(api, employee):
    deal = DealFactory(responsible=employee)
    item = OrderItemFactory(order__deal=deal, order__contact=deal.contact, quantity=2, price="150.00")
    ContactActivityFactory(contact=deal.contact)
    ReturnFactory(contact=deal.contact)
    client = api.as_user(employee)
    url = reverse("deals:deal-panel", args=[deal.pk])
    panel = client.get(url).data
    assert panel["deal"]["id"] == deal.pk
    assert panel["orders"][0]["items"][0]["total"] == "300.00"
    assert panel["orders"][0]["total"] == "300.00"
    assert item.product.sku == panel["orders"][0]["items"][0]["sku"]
    assert len(panel["recent_activities"]) == 1 and len(panel["returns"]) == 1
    few = count_queries(client, url)
    for _ in range(10):
        OrderItemFactory(order__deal=deal, order__contact=deal.contact)
        ContactActivityFactory(contact=deal.contact)
    assert count_queries(client, url) == few


def test_orders_follow_the_deals_visibility(api, team):
    head, seller, outsider = team
    order = OrderFactory(deal=DealFactory(responsible=seller))
    url = reverse("deals:order-list")
    assert api.as_user(outsider).get(url).data["count"] == 0
    assert api.get(reverse("deals:order-detail", args=[order.pk])).status_code == 404
    assert [row["id"] for row in api.as_user(head).get(url).data["results"]] == [order.pk]


def test_order_list_takes_constant_queries(api, admin_user):
    def add_rows(n):
        for _ in range(n):
            order = OrderItemFactory().order
            OrderItemFactory(order=order)

    assert assert_constant_queries(api.as_user(admin_user), reverse("deals:order-list"), add_rows) <= 4


def test_my_work_lists_leads_and_deals_together(api, team):
    head, seller, outsider = team
    lead = LeadFactory(responsible=seller)
    deal = DealFactory(responsible=seller, status=DealStatus.WON)
    LeadFactory(responsible=outsider)
    url = reverse("deals:work-item-list")
    client = api.as_user(head)
    rows = client.get(url).data["results"]
    assert {(row["type"], row["id"]) for row in rows} == {("lead", lead.pk), ("deal", deal.pk)}
    assert {row["responsible"]["id"] for row in rows} == {seller.pk}
    assert [row["id"] for row in client.get(url, {"type": "deal"}).data["results"]] == [deal.pk]
    assert [row["id"] for row in client.get(url, {"status": "won"}).data["results"]] == [deal.pk]
    assert client.get(url, {"type": "both"}).status_code == 400
    assert client.get(url, {"period": "today"}).data["count"] == 2

    def add_rows(n):
        for i in range(n):
            (LeadFactory if i % 2 else DealFactory)(responsible=UserFactory(department=seller.department))

    assert (
        assert_constant_queries(client, url, add_rows) <= 5
    )  # one more: the ids of the users whose rows the caller sees


def test_pipelines_are_edited_by_admins_only(api, employee, admin_user):
    url = reverse("deals:pipeline-list")
    assert api.as_user(employee).post(url, {"name": "Mine", "stage_names": ["A"]}).status_code == 403
    created = api.as_user(admin_user).post(url, {"name": "Retail", "stage_names": ["New", "Paid", "Shipped"]})
    assert created.status_code == 201, created.data
    assert [s["name"] for s in created.data["stages"]] == ["New", "Paid", "Shipped"]
    assert api.post(url, {"name": "Retail", "stage_names": ["A"]}).status_code == 409
    assert api.post(url, {"name": "Empty", "stage_names": []}).status_code == 400


def test_a_stage_with_deals_is_not_deleted(api, admin_user):
    deal = DealFactory()
    assert api.as_user(admin_user).delete(reverse("deals:stage-detail", args=[deal.stage_id])).status_code == 409
    assert Stage.objects.filter(pk=deal.stage_id).exists()


def test_products_are_read_by_all_and_edited_by_admins(api, employee, admin_user):
    product = ProductFactory(sku="A-1")
    url = reverse("deals:product-detail", args=[product.pk])
    assert api.as_user(employee).get(url).status_code == 200
    assert api.patch(url, {"name": "Changed"}).status_code == 403
    assert (
        api.as_user(admin_user).post(reverse("deals:product-list"), {"sku": "A-1", "name": "Twin"}).status_code == 409
    )


def test_huge_stock_filter_is_a_400(api, employee):
    assert api.as_user(employee).get(reverse("deals:product-list"), {"stock_min": "1" * 30}).status_code == 400


def test_the_admin_shows_the_shop_order_id_but_does_not_edit_it(owner, client):
    deal = DealFactory(shop_order_id="3001")
    order = OrderFactory(deal=deal)
    client.force_login(owner)
    for path in (f"/admin/deals/deal/{deal.pk}/change/", f"/admin/deals/order/{order.pk}/change/"):
        page = client.get(path)
        assert page.status_code == 200
        assert b'name="shop_order_id"' not in page.content
