from django.db.models import Count, QuerySet

from leads.models import Lead, LeadStatus
from users.selectors import scope_to_owners, unshown

LEAD_OWNER_FIELDS = ("responsible", "created_by")


def leads_visible(*, user) -> QuerySet[Lead]:
    """Leads of `user` and their subordinates (responsible or creator); the owner and admins see all."""
    return scope_to_owners(Lead.objects.all(), user=user, fields=LEAD_OWNER_FIELDS)


def leads_restorable(user, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
    """Trashed leads `user` may restore: those they could see, and so delete."""
    return scope_to_owners(queryset, user=user, fields=LEAD_OWNER_FIELDS)


def lead_list(*, user) -> QuerySet[Lead]:
    return leads_visible(user=user).select_related("responsible", "contact", "deal")


def lead_rows(*, user) -> QuerySet[Lead]:
    """Leads for a list's page: the row shows the contact and deal by id, and the responsible user's summary."""
    return leads_visible(user=user).select_related("responsible").defer(*unshown("responsible"))


def lead_funnel(leads: QuerySet[Lead]) -> list[dict]:
    """Every funnel stage with its number of leads, in funnel order, from one grouped query."""
    counts = dict(leads.order_by().values_list("status").annotate(count=Count("pk")))
    return [{"status": value, "label": label, "count": counts.get(value, 0)} for value, label in LeadStatus.choices]
