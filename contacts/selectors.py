from django.db.models import CharField, Count, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim

from contacts.models import (
    Contact,
    ContactActivity,
    ContactEvent,
    CustomerRequest,
    Letter,
    LoyaltyTransaction,
    Phone,
    Return,
)
from crm import search
from crm.merge.duplicates import DuplicatePairs, Rule, name_key
from users.selectors import unshown

# What a contact's summary (ContactBriefSerializer) reads.
CONTACT_BRIEF_FIELDS = ("id", "first_name", "last_name", "patronymic", "email")

CONTACT_DUPLICATES = DuplicatePairs(
    Contact,
    exact=[
        Rule("email", key="lower({t}.email)", present="{t}.email <> ''"),
        Rule("edrpou", key="{t}.edrpou", present="{t}.edrpou <> ''"),
    ],
    similar=Rule("name", key=name_key("last_name", "first_name"), present="{t}.last_name <> ''"),
)


def contact_title():
    """A contact's name as one expression: "Last First", or the email when both are empty."""
    name = Trim(Concat("last_name", Value(" "), "first_name"))
    return Coalesce(NullIf(name, Value("")), NullIf("email", Value("")), Cast("id", CharField()))


def contacts_visible(*, user) -> QuerySet[Contact]:
    """Every contact: all staff read the customer base."""
    return Contact.objects.all()


def contact_list(*, user) -> QuerySet[Contact]:
    return (
        contacts_visible(user=user)
        .select_related("company", "responsible")
        .prefetch_related(Prefetch("phones", queryset=Phone.objects.order_by("id")))
    )


def contact_rows(*, user) -> QuerySet[Contact]:
    """`contact_list` for a list's page: of the company and the responsible user, what the row shows."""
    company = Contact.company.field.related_model
    return contact_list(user=user).defer(*unshown("company", company, ("id", "name")), *unshown("responsible"))


def contact_search(queryset: QuerySet[Contact], term: str) -> QuerySet[Contact]:
    """Names, email and EDRPOU, and phones whatever way the number is written: as the global search matches."""
    term = term.strip()
    if not term:
        return queryset
    return queryset.filter(search.matches(search.source("contacts"), term))


def contact_events(*, contact: Contact) -> QuerySet[ContactEvent]:
    return ContactEvent.objects.filter(contact=contact)


def contact_activities(*, contact: Contact) -> QuerySet[ContactActivity]:
    return ContactActivity.objects.filter(contact=contact).select_related("responsible")


def contact_letters(*, contact: Contact) -> QuerySet[Letter]:
    return Letter.objects.filter(contact=contact)


def loyalty_history(*, contact: Contact) -> QuerySet[LoyaltyTransaction]:
    return LoyaltyTransaction.objects.filter(contact=contact).select_related("created_by")


def return_list(*, user) -> QuerySet[Return]:
    """Every return: all staff read them; deciding is for admins and the responsible user."""
    return Return.objects.select_related("contact", "responsible", "decided_by").prefetch_related("items")


def requests_visible(*, user) -> QuerySet[CustomerRequest]:
    """Every customer request: they belong to the customer base, which all staff read."""
    return CustomerRequest.objects.all()


def request_list(*, user) -> QuerySet[CustomerRequest]:
    return requests_visible(user=user).select_related("contact", "order", "deal", "responsible", "created_by")


def contact_related_visible(related: str):
    """A selector for one of a contact's own lists (events, letters, loyalty): all staff read them."""
    models = {"events": ContactEvent, "letters": Letter, "loyalty": LoyaltyTransaction}
    model = models[related]

    def visible(*, user) -> QuerySet:
        return model.objects.all()

    return visible


def contact_activities_visible(*, user) -> QuerySet[ContactActivity]:
    return ContactActivity.objects.all()


def comments_on_contact(contact: Contact) -> Q:
    from django.contrib.contenttypes.models import ContentType

    return Q(content_type=ContentType.objects.get_for_model(Contact), object_id=str(contact.pk))


def center_pending_returns(*, user, limit: int) -> dict:
    """Pending returns the user decides: those they are responsible for; every pending one for the owner and admins."""
    from contacts.models import ReturnStatus
    from users.center import first_rows

    pending = Return.objects.filter(status=ReturnStatus.PENDING)
    if not user.is_owner_or_admin:
        pending = pending.filter(responsible=user)
    return first_rows(
        pending.order_by("date", "id"), "id", "reason", "date", "order_reference", "contact_id", limit=limit
    )


def center_requests_by_reason(*, user, limit: int) -> list[dict]:
    """Open and in-progress customer requests grouped by reason, the most frequent first: one query."""
    from contacts.models import RequestStatus

    open_requests = requests_visible(user=user).filter(status__in=[RequestStatus.OPEN, RequestStatus.IN_PROGRESS])
    grouped = open_requests.order_by().values("reason").annotate(count=Count("pk")).order_by("-count", "reason")
    return list(grouped)
