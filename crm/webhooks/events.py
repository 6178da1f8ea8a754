"""The events an endpoint may subscribe to, and how each record is rendered.

Most events are read off the activity log: an event is found from the entry's (model, verb, changed
fields), one place for the whole project, and those services emit nothing. The bulk writers that keep no
activity entries queue their own events (WRITTEN_IN_BULK) through `outbox.queue_records`. A record is sent
as the API's detail shows it to the endpoint's owner, and only when the owner's selector lets them see it.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.test import RequestFactory
from rest_framework.request import Request


@dataclass(frozen=True)
class Rule:
    model: str  # the model's label, "contacts.Contact"
    verb: str
    event: str
    field: str | None = None  # the rule holds only when the entry names this changed field


RULES = [
    Rule("contacts.Contact", "created", "contact.created"),
    Rule("contacts.Contact", "updated", "contact.updated"),
    Rule("contacts.Contact", "deleted", "contact.deleted"),
    Rule("leads.Lead", "created", "lead.created"),
    Rule("leads.Lead", "converted", "lead.converted"),
    Rule("deals.Deal", "created", "deal.created"),
    Rule("deals.Deal", "moved", "deal.stage_changed"),
    Rule("deals.Deal", "updated", "deal.stage_changed", field="stage"),
    Rule("deals.Deal", "won", "deal.won"),
    Rule("deals.Deal", "failed", "deal.failed"),
    Rule("deals.Order", "created", "order.created"),
    Rule("tasks.Task", "created", "task.created"),
    Rule("tasks.Task", "finished", "task.done"),
    Rule("contacts.CustomerRequest", "created", "customer_request.created"),
]
# Queued by the writes themselves, in their transaction, once a record reaches the state: the shop sync
# (deals/sync.py) when an order's status becomes one mapped as paid, the telephony workers
# (calls/services.py) when a call ends.
WRITTEN_IN_BULK = {"order.paid": "deals.Order", "call.ended": "calls.Call"}
EVENTS = sorted({rule.event for rule in RULES} | set(WRITTEN_IN_BULK))
DELETIONS = {rule.event for rule in RULES if rule.verb == "deleted"}


def events_for(label: str, verb: str, changed_fields) -> list[str]:
    return [
        rule.event
        for rule in RULES
        if rule.model == label and rule.verb == verb and (rule.field is None or rule.field in changed_fields)
    ]


@dataclass(frozen=True)
class Kind:
    serializer: type
    visible: object  # visible(user=...) -> the queryset of the records `user` may see, joined for the serializer


def _kinds() -> dict[str, Kind]:
    from calls import selectors as call_selectors
    from calls.serializers import CallSerializer
    from contacts import selectors as contact_selectors
    from contacts.serializers import ContactSerializer, CustomerRequestSerializer
    from deals import selectors as deal_selectors
    from deals.serializers import DealSerializer, OrderSerializer
    from leads import selectors as lead_selectors
    from leads.serializers import LeadSerializer
    from tasks import selectors as task_selectors
    from tasks.serializers import TaskSerializer

    return {
        "calls.Call": Kind(CallSerializer, call_selectors.call_list),
        "contacts.Contact": Kind(ContactSerializer, contact_selectors.contact_list),
        "contacts.CustomerRequest": Kind(CustomerRequestSerializer, contact_selectors.request_list),
        "deals.Deal": Kind(DealSerializer, deal_selectors.deal_list),
        "deals.Order": Kind(OrderSerializer, deal_selectors.order_list),
        "leads.Lead": Kind(LeadSerializer, lead_selectors.lead_list),
        "tasks.Task": Kind(TaskSerializer, task_selectors.task_list),
    }


_cache: dict[str, Kind] = {}


def kind(label: str) -> Kind:
    if not _cache:
        _cache.update(_kinds())
    return _cache[label]


def visible(label: str, *, user, pk) -> bool:
    return kind(label).visible(user=user).filter(pk=pk).exists()


def fake_request(user) -> Request:
    """A GET of the site as `user`, for serializers that read the request (links, the caller's rights)."""
    site = urlsplit(settings.SITE_URL)
    factory = RequestFactory(SERVER_NAME=site.hostname or "localhost", SERVER_PORT=str(site.port or ""))
    request = factory.get("/", secure=site.scheme == "https")
    if site.port is None:
        request.META["SERVER_PORT"] = "443" if site.scheme == "https" else "80"
    request.user = user
    drf_request = Request(request)
    drf_request.user = user
    return drf_request


def render(label: str, *, user, pk) -> dict | None:
    """The record as its detail shows it to `user`, or None when `user` may not see it (or it is gone)."""
    return render_many(label, user=user, pks=[pk]).get(str(pk))


def render_many(label: str, *, user, pks) -> dict[str, dict]:
    """Each record of `pks` that `user` may see, as its detail shows it to them, by its pk as text: one
    query (and the selector's prefetches) for any number of records; the ones `user` may not see (or gone)
    are missing."""
    found = list(kind(label).visible(user=user).filter(pk__in=pks))
    if not found:
        return {}
    rows = kind(label).serializer(found, many=True, context={"request": fake_request(user)}).data
    return {str(record.pk): dict(row) for record, row in zip(found, rows, strict=True)}
