from django.db import connections
from django.db.models import Count, DecimalField, F, Prefetch, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber

from calls.selectors import call_list
from contacts.models import ContactActivity
from contacts.selectors import CONTACT_BRIEF_FIELDS, return_list
from crm.api.pagination import MergedRows
from deals.models import Deal, DealStatus, Order, OrderItem, Pipeline, Product, Stage
from users.selectors import scope_to_owners, unshown, user_briefs

DEAL_OWNER_FIELDS = ("responsible", "created_by")


def deals_visible(*, user) -> QuerySet[Deal]:
    """Deals of `user` and their subordinates (responsible or creator); the owner and admins see all."""
    return scope_to_owners(Deal.objects.all(), user=user, fields=DEAL_OWNER_FIELDS)


def deals_restorable(user, queryset: QuerySet[Deal]) -> QuerySet[Deal]:
    """Trashed deals `user` may restore: those they could see, and so delete."""
    return scope_to_owners(queryset, user=user, fields=DEAL_OWNER_FIELDS)


def deal_list(*, user) -> QuerySet[Deal]:
    return deals_visible(user=user).select_related("contact", "pipeline", "stage", "responsible")


def deal_rows(*, user) -> QuerySet[Deal]:
    """Deals for a list's page or the kanban: of the related rows, what the row shows."""
    return (
        deals_visible(user=user)
        .select_related("contact", "stage", "responsible")
        .defer(
            *unshown("contact", Deal.contact.field.related_model, CONTACT_BRIEF_FIELDS),
            *unshown("stage", Stage, ("id", "name")),
            *unshown("responsible"),
        )
    )


def pipeline_list() -> QuerySet[Pipeline]:
    return Pipeline.objects.prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("position")))


def stage_list() -> QuerySet[Stage]:
    return Stage.objects.select_related("pipeline")


def product_list() -> QuerySet[Product]:
    return Product.objects.all()


def kanban(*, pipeline: Pipeline, deals: QuerySet[Deal], per_stage: int) -> list[dict]:
    """Every stage of `pipeline` with its count, amount sum and first `per_stage` deals: four queries."""
    deals = deals.filter(pipeline=pipeline)
    totals = {
        row["stage"]: row
        for row in deals.order_by()
        .values("stage")
        .annotate(count=Count("pk"), amount_sum=Coalesce(Sum("amount"), Value(0), output_field=DecimalField()))
    }
    stages = list(pipeline.stages.order_by("position"))
    first_page: dict[int, list[Deal]] = {}
    for deal in deals.filter(pk__in=_newest_per_stage(deals, stages, per_stage)).order_by("-created_at", "-pk"):
        first_page.setdefault(deal.stage_id, []).append(deal)
    return [
        {
            "stage": stage,
            "count": totals.get(stage.pk, {}).get("count", 0),
            "amount_sum": totals.get(stage.pk, {}).get("amount_sum", 0),
            "deals": first_page.get(stage.pk, []),
        }
        for stage in stages
    ]


def _newest_per_stage(deals: QuerySet[Deal], stages: list[Stage], per_stage: int) -> QuerySet:
    """The ids of the newest `per_stage` deals of each stage, as one subquery over the deals table alone.

    Where the database allows it, each stage has a LIMIT of its own that walks the kanban
    index, the stages joined by UNION ALL; ranking every deal of the pipeline with a window
    function is the fallback (SQLite), still without joining anything before the cut.
    """
    newest = ("-created_at", "-pk")
    if stages and connections[deals.db].features.supports_slicing_ordering_in_compound:
        firsts = [deals.filter(stage=stage).order_by(*newest).values("pk")[:per_stage] for stage in stages]
        return firsts[0].union(*firsts[1:], all=True) if len(firsts) > 1 else firsts[0]
    ranked = deals.order_by().annotate(
        rank=Window(RowNumber(), partition_by=F("stage_id"), order_by=[F("created_at").desc(), F("pk").desc()])
    )
    return ranked.filter(rank__lte=per_stage).values("pk")


def orders_visible(*, user) -> QuerySet[Order]:
    """Orders of the deals `user` may see; orders with no deal only for the owner and admins."""
    if user.is_owner_or_admin:
        return Order.objects.all()
    return Order.objects.filter(deal__in=deals_visible(user=user).values("pk"))


def order_list(*, user) -> QuerySet[Order]:
    return (
        orders_visible(user=user)
        .select_related("contact", "deal")
        .prefetch_related(Prefetch("items", queryset=OrderItem.objects.select_related("product")))
    )


def deal_panel(*, deal: Deal, user, recent: int = 10) -> dict:
    """What the deal panel shows beside the deal: its orders, the contact's recent activity, returns and calls."""
    orders = (
        Order.objects.filter(deal=deal)
        .select_related("contact")
        .prefetch_related(Prefetch("items", queryset=OrderItem.objects.select_related("product")))
    )
    activities = ContactActivity.objects.filter(contact_id=deal.contact_id).select_related("responsible")[:recent]
    returns = return_list(user=user).filter(contact_id=deal.contact_id)[:recent]
    calls = call_list(user=user).filter(contact_id=deal.contact_id)[:recent]
    return {
        "deal": deal,
        "orders": list(orders),
        "recent_activities": list(activities),
        "returns": list(returns),
        "recent_calls": list(calls),
    }


def work_items(*, leads: QuerySet, deals: QuerySet) -> MergedRows:
    """Leads and deals as one list of rows, newest first, for "all my leads and deals"."""
    columns = ("type", "id", "name", "status", "amount", "responsible_id", "created_at")
    lead_rows = leads.order_by().annotate(
        type=Value("lead"), amount=Value(None, output_field=DecimalField(max_digits=14, decimal_places=2))
    )
    deal_rows = deals.order_by().annotate(type=Value("deal"), name=F("title"))
    return MergedRows([lead_rows.values(*columns), deal_rows.values(*columns)], ("-created_at", "-id"))


def with_responsible(rows: list[dict]) -> list[dict]:
    """Put the responsible user on each row, fetched in one query."""
    users = user_briefs().in_bulk({row["responsible_id"] for row in rows if row["responsible_id"]})
    return [{**row, "responsible": users.get(row["responsible_id"])} for row in rows]


def center_my_work(*, user, limit: int) -> dict:
    """The communication centre's "my leads and deals": open ones the user is responsible for, newest first."""
    from leads.models import LeadStatus
    from leads.selectors import leads_visible

    leads = (
        leads_visible(user=user).filter(responsible=user).exclude(status__in=[LeadStatus.CONVERTED, LeadStatus.FAILED])
    )
    deals = deals_visible(user=user).filter(responsible=user, status=DealStatus.OPEN)
    rows = work_items(leads=leads, deals=deals)
    items = [{key: value for key, value in row.items() if key != "responsible_id"} for row in rows[:limit]]
    return {"count": rows.count(), "items": items}
