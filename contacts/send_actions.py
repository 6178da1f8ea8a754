"""`send_email` and `send_sms` on any record that leads to a contact: the viewset mixin that contacts,
companies and deals share. A module of its own, so that other apps mount it without importing the
contacts' views."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from contacts import messaging
from contacts.models import Contact
from contacts.serializers import SendEmailSerializer, SendResultSerializer, SendSmsSerializer

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    description="A retry with the same key answers what the first request answered and sends nothing again.",
)


class SendMessagesMixin:
    """`send_email` and `send_sms` actions on a record that leads to a contact (`message_contact`).

    Sending needs the right to change the record: `get_object()` applies the viewset's object permissions.
    """

    def message_contact(self, obj) -> Contact:
        raise NotImplementedError

    def _send(self, request, serializer_class, channel):
        obj = self.get_object()
        params = serializer_class(data=request.data)
        params.is_valid(raise_exception=True)
        contact = self.message_contact(obj)
        if contact is None:
            raise serializers.ValidationError({"contact": [_("There is no contact to write to.")]})
        send = messaging.contact_send_email if channel == "email" else messaging.contact_send_sms
        outcome = messaging.idempotent(
            user=request.user,
            key=request.headers.get("Idempotency-Key"),
            scope=f"{request.method} {request.path}",
            run=lambda: send(contact=contact, actor=request.user, **params.validated_data),
        )
        return Response(SendResultSerializer(outcome).data)

    @extend_schema(request=SendEmailSerializer, responses=SendResultSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def send_email(self, request, pk=None):
        return self._send(request, SendEmailSerializer, "email")

    @extend_schema(request=SendSmsSerializer, responses=SendResultSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def send_sms(self, request, pk=None):
        return self._send(request, SendSmsSerializer, "sms")
