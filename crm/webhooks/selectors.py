from django.db.models import Prefetch, QuerySet

from crm.webhooks.models import Attempt, Delivery, Endpoint


def endpoint_list(*, user) -> QuerySet[Endpoint]:
    """The owner and admins see every endpoint; nobody else sees any."""
    if not user.is_owner_or_admin:
        return Endpoint.objects.none()
    return Endpoint.objects.select_related("owner")


def delivery_list(*, endpoint: Endpoint) -> QuerySet[Delivery]:
    return endpoint.deliveries.prefetch_related(Prefetch("log", queryset=Attempt.objects.order_by("number")))
