import ipaddress

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from calls import selectors
from calls.binotel import unflatten
from calls.filters import CallFilter
from calls.models import Call
from calls.serializers import CallSerializer, WebhookAnswerSerializer, WebhookSerializer
from calls.sync import MalformedCall, Summary, piece_from_webhook, recording_url, write_pieces
from contacts.selectors import contacts_visible
from crm.api import viewsets
from crm.api.parsers import JSONParser
from leads.selectors import leads_visible

CALL_SEARCH = ["external_number", "internal_number", "binotel_id"]
CALL_ORDERING = ["started_at", "talk_seconds", "wait_seconds"]


class CallViewSet(viewsets.ReadOnlyModelViewSet):
    """Calls of the caller and their subordinates; the owner and admins see all."""

    model = Call
    serializer_class = CallSerializer
    filterset_class = CallFilter
    search_fields = CALL_SEARCH
    ordering_fields = CALL_ORDERING

    def scoped_queryset(self, user):
        return selectors.call_list(user=user)

    @extend_schema(
        responses={
            302: OpenApiResponse(description=_("Redirect to Binotel's short-lived link to the recording.")),
            404: OpenApiResponse(description=_("The call has no recording.")),
            502: OpenApiResponse(description=_("Binotel failed or answered with a link that is not its storage.")),
        }
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def recording(self, request, pk=None):
        url = recording_url(call=self.get_object())
        return Response(status=status.HTTP_302_FOUND, headers={"Location": url})


class NestedCallViewSet(viewsets.NestedListViewSet):
    model = Call
    serializer_class = CallSerializer
    filterset_class = CallFilter
    search_fields = CALL_SEARCH
    ordering_fields = CALL_ORDERING
    rows = staticmethod(selectors.call_list)


class ContactCallViewSet(NestedCallViewSet):
    """The calls of one contact that the caller may see; 404 for a contact that does not exist."""

    parent_kwarg, parent_field, parents = "contact_pk", "contact", staticmethod(contacts_visible)


class LeadCallViewSet(NestedCallViewSet):
    """The calls of one lead the caller may see; 404 for a lead they may not see."""

    parent_kwarg, parent_field, parents = "lead_pk", "lead", staticmethod(leads_visible)


def _networks(entries) -> list:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def webhook_sender(request):
    """The sender's address: the peer, or, when the peer is one of our trusted proxies, the last hop it names."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    proxies = _networks(settings.BINOTEL_WEBHOOK_TRUSTED_PROXIES)
    if peer is None or not any(peer in network for network in proxies):
        return peer
    hops = [_address(hop) for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    while hops and hops[-1] is not None and any(hops[-1] in network for network in proxies):
        hops.pop()
    return hops[-1] if hops else peer


class BinotelWebhookView(APIView):
    """Binotel's CRM integration posts call events here (form-encoded, PHP-style nested keys).

    Only Binotel's sender addresses (BINOTEL_WEBHOOK_ALLOWED_IPS) are heard; Binotel signs nothing.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    @extend_schema(
        # Binotel's own format, form-encoded; JSON (tests, hand-made replays) is also understood.
        request={"application/x-www-form-urlencoded": WebhookSerializer},
        responses={200: WebhookAnswerSerializer, 400: OpenApiResponse(), 403: OpenApiResponse()},
        auth=[],
    )
    def post(self, request):
        sender = webhook_sender(request)
        if sender is None or not any(sender in net for net in _networks(settings.BINOTEL_WEBHOOK_ALLOWED_IPS)):
            raise PermissionDenied(_("This address may not post Binotel webhooks."))
        data = request.data
        body = (
            unflatten((key, value) for key, values in data.lists() for value in values)
            if isinstance(data, QueryDict)
            else data
        )
        if not isinstance(body, dict) or not isinstance(body.get("requestType"), str):
            raise ValidationError({"requestType": [_("This field is required.")]})
        try:
            piece = piece_from_webhook(body)
        except (MalformedCall, LookupError, TypeError, ValueError, AttributeError) as error:
            raise ValidationError({"callDetails": [str(error)]}) from None
        if piece is not None:
            summary = Summary()
            write_pieces([(piece.binotel_id, piece)], summary)
            if summary.skipped:  # the database refused it: Binotel is told, and may send it again
                raise ValidationError({"callDetails": summary.skipped})
        return Response({"status": "success"})
