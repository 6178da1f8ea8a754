import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.tracking import tracked_create, tracked_delete, tracked_transition, tracked_update
from crm.api.exceptions import Conflict, conflict_on_duplicate
from crm.api.permissions import check_handover
from deals import shop
from deals.models import Deal, DealKind, DealStatus, Order, OrderItem, Pipeline, Product, SendStatus, Stage

# Pipelines and stages


@transaction.atomic
def pipeline_create(*, actor, name: str, stages: list[str], position: int = 0) -> Pipeline:
    if not stages:
        raise ValidationError({"stages": [_("A pipeline needs at least one stage.")]})
    if len(set(stages)) != len(stages):
        raise ValidationError({"stages": [_("Stage names must differ.")]})
    with conflict_on_duplicate(_("A pipeline with this name exists already.")):
        pipeline = tracked_create(model=Pipeline, actor=actor, data={"name": name, "position": position})
    Stage.objects.bulk_create(
        [Stage(pipeline=pipeline, name=stage, position=index) for index, stage in enumerate(stages, start=1)]
    )
    return pipeline


def pipeline_update(*, pipeline: Pipeline, actor, data: dict) -> Pipeline:
    with conflict_on_duplicate(_("A pipeline with this name exists already.")):
        tracked_update(instance=pipeline, actor=actor, data=data)
    return pipeline


def pipeline_delete(*, pipeline: Pipeline, actor) -> None:
    try:
        tracked_delete(instance=pipeline, actor=actor)
    except ProtectedError:
        raise Conflict(_("The pipeline has deals; move or delete them first.")) from None


def stage_create(*, actor, data: dict) -> Stage:
    with conflict_on_duplicate(_("The pipeline has a stage with this name or position.")):
        return tracked_create(model=Stage, actor=actor, data=data)


def stage_update(*, stage: Stage, actor, data: dict) -> Stage:
    if "pipeline" in data and data["pipeline"] != stage.pipeline:
        raise ValidationError({"pipeline": [_("A stage cannot move to another pipeline.")]})
    with conflict_on_duplicate(_("The pipeline has a stage with this name or position.")):
        tracked_update(instance=stage, actor=actor, data=data)
    return stage


def stage_delete(*, stage: Stage, actor) -> None:
    try:
        tracked_delete(instance=stage, actor=actor)
    except ProtectedError:
        raise Conflict(_("The stage has deals; move them first.")) from None


# Deals


def _check_kind(kind: str, description: str) -> None:
    if kind == DealKind.CUSTOM and not description.strip():
        raise ValidationError({"description": [_("A custom deal needs a description.")]})


def deal_create(*, actor, data: dict) -> Deal:
    pipeline = data["pipeline"]
    stage = data.get("stage") or pipeline.stages.order_by("position").first()
    if stage is None:
        raise ValidationError({"pipeline": [_("This pipeline has no stages.")]})
    if stage.pipeline_id != pipeline.pk:
        raise ValidationError({"stage": [_("The stage belongs to another pipeline.")]})
    _check_kind(data.get("kind", DealKind.STANDARD), data.get("description", ""))
    data = {"responsible": actor, **data, "stage": stage, "created_by": actor}
    with conflict_on_duplicate(_("A deal for this shop order exists already.")):
        return tracked_create(model=Deal, actor=actor, data=data)


def deal_update(*, deal: Deal, actor, data: dict) -> Deal:
    if "responsible" in data:
        check_handover(
            actor=actor, people_ids=[deal.responsible_id, deal.created_by_id], new_people=[data["responsible"]]
        )
    _check_kind(data.get("kind", deal.kind), data.get("description", deal.description))
    with conflict_on_duplicate(_("A deal for this shop order exists already.")):
        tracked_update(instance=deal, actor=actor, data=data)
    return deal


def _locked_open_deal(deal: Deal) -> Deal:
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if locked.status != DealStatus.OPEN:
        raise Conflict(_("This deal is closed already."))
    return locked


@transaction.atomic
def deal_move(*, deal: Deal, actor, stage: Stage) -> Deal:
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationError({"stage": [_("A deal moves only between stages of its own pipeline.")]})
    locked = _locked_open_deal(deal)
    if locked.stage_id == stage.pk:
        return locked
    locked.stage = stage
    tracked_transition(instance=locked, actor=actor, verb="moved", fields=["stage"], description=stage.name)
    return locked


@transaction.atomic
def deal_win(*, deal: Deal, actor) -> Deal:
    locked = _locked_open_deal(deal)
    locked.status, locked.closed_at = DealStatus.WON, timezone.now()
    tracked_transition(instance=locked, actor=actor, verb="won", fields=["status", "closed_at"])
    return locked


@transaction.atomic
def deal_fail(*, deal: Deal, actor, reason: str) -> Deal:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the deal failed.")]})
    locked = _locked_open_deal(deal)
    locked.status, locked.closed_at, locked.failure_reason = DealStatus.FAILED, timezone.now(), reason.strip()
    fields = ["status", "closed_at", "failure_reason"]
    tracked_transition(instance=locked, actor=actor, verb="failed", fields=fields, description=reason)
    return locked


def deal_delete(*, deal: Deal, actor) -> None:
    tracked_delete(instance=deal, actor=actor)


# Products


def product_create(*, actor, data: dict) -> Product:
    with conflict_on_duplicate(_("A product with this SKU exists already.")):
        return tracked_create(model=Product, actor=actor, data=data)


def product_update(*, product: Product, actor, data: dict) -> Product:
    with conflict_on_duplicate(_("A product with this SKU exists already.")):
        tracked_update(instance=product, actor=actor, data=data)
    return product


def product_delete(*, product: Product, actor) -> None:
    tracked_delete(instance=product, actor=actor)


# Orders made in the CRM

logger = logging.getLogger(__name__)


def order_create(*, actor, deal: Deal, items: list[dict], payment_method: str = "", delivery_method: str = "") -> Order:
    """Store an order of `deal`'s contact with its items, then send it to the shop if the shop can take it.

    `items` are dicts of product (or None), name, quantity and price. A shop failure leaves the order
    stored and marked "not sent" with the error; `order_send` tries again.
    """
    if not items:
        raise ValidationError({"items": [_("An order needs at least one item.")]})
    can_write = shop.shop_can_write()
    with transaction.atomic():
        order = tracked_create(
            model=Order,
            actor=actor,
            data={
                "contact": deal.contact,
                "deal": deal,
                "ordered_at": timezone.now(),
                "status": "pending",
                "payment_method": payment_method,
                "delivery_method": delivery_method,
                "amount": sum((item["quantity"] * item["price"] for item in items), start=Decimal("0")),
                "send_status": SendStatus.NOT_SENT if can_write else SendStatus.LOCAL,
                "created_by": actor,
            },
        )
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                product=item.get("product"),
                name=item.get("name") or (item["product"].name if item.get("product") else ""),
                quantity=item["quantity"],
                price=item["price"],
            )
            for item in items
        )
    if can_write:
        order = order_send(order=order, actor=actor)
    return order


def order_send(*, order: Order, actor) -> Order:
    """Create `order` in the shop and keep the shop's id, so the next sync updates it instead of adding it.

    The row stays locked while the shop is called, so two clicks never create two shop orders.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update(of=("self",)).select_related("contact", "deal").get(pk=order.pk)
        if locked.send_status == SendStatus.SENT:
            raise Conflict(_("This order is in the shop already."))
        if locked.send_status == SendStatus.FROM_SHOP:
            raise Conflict(_("This order came from the shop."))
        try:
            client = shop.get_shop()
            if not client.can_write:
                raise Conflict(_("The shop backend cannot take orders."))
            shop_id = client.create_order(locked)
        except shop.ShopError as error:
            logger.warning("Order %s was not sent to the shop: %s", locked.pk, error)
            locked.send_status, locked.send_error = SendStatus.NOT_SENT, str(error)
            tracked_transition(instance=locked, actor=actor, verb="send_failed", fields=["send_status", "send_error"])
            return locked
        locked.shop_order_id, locked.send_status, locked.send_error = shop_id, SendStatus.SENT, ""
        with conflict_on_duplicate(_("The shop's order is in the CRM already.")):
            tracked_transition(
                instance=locked, actor=actor, verb="sent", fields=["shop_order_id", "send_status", "send_error"]
            )
        deal = locked.deal
        if deal is not None and not deal.shop_order_id:
            # the sync finds the deal by the shop's order id, as it finds the order
            deal.shop_order_id = shop_id
            with conflict_on_duplicate(_("A deal for this shop order exists already.")):
                deal.save(update_fields=["shop_order_id", "updated_at"])
        return locked
