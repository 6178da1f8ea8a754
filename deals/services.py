from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.tracking import tracked_create, tracked_delete, tracked_transition, tracked_update
from crm.exceptions import Conflict, conflict_on_duplicate
from crm.permissions import check_handover
from deals.models import Deal, DealKind, DealStatus, Pipeline, Product, Stage

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
