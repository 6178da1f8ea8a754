"""WooCommerce's order webhooks: a signed push of the same JSON the REST API serves."""

import base64
import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api.parsers import load_json
from deals import sync
from deals.shop import Page, parse_woocommerce_order

TOPICS = {"order.created", "order.updated"}


def signature_valid(body: bytes, signature: str, secret: str) -> bool:
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    # As bytes: compare_digest refuses a str with characters outside ASCII (a TypeError, so a 500).
    return hmac.compare_digest(expected, (signature or "").encode("utf-8", "surrogateescape"))


class WebhookResultSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ShopWebhookView(APIView):
    """Orders pushed by WooCommerce (topics order.created and order.updated), upserted as the sync does.

    The body must be signed: `X-WC-Webhook-Signature` is the base64 HMAC-SHA256 of the raw body with
    SHOP_WEBHOOK_SECRET. Any other topic (and WooCommerce's ping) is acknowledged and ignored.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request={"application/json": {"type": "object"}},
        parameters=[
            OpenApiParameter("X-WC-Webhook-Signature", str, OpenApiParameter.HEADER, required=True),
            OpenApiParameter("X-WC-Webhook-Topic", str, OpenApiParameter.HEADER),
        ],
        responses={200: WebhookResultSerializer, 400: OpenApiResponse(), 401: OpenApiResponse()},
    )
    def post(self, request):
        secret = settings.SHOP_WEBHOOK_SECRET
        if not secret:
            return Response(
                {"detail": _("The shop webhook is not configured."), "code": "not_found"},
                status=status.HTTP_404_NOT_FOUND,
            )
        body = request.body
        if not signature_valid(body, request.headers.get("X-WC-Webhook-Signature", ""), secret):
            return Response(
                {"detail": _("Bad or missing signature."), "code": "authentication_failed"},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        topic = request.headers.get("X-WC-Webhook-Topic", "")
        if topic not in TOPICS:
            return Response({"detail": _("Ignored.")})
        try:
            record = load_json(body, unstorable_text=True)  # the sync drops NULs and skips what cannot be stored
        except ParseError as error:
            return Response({"detail": error.detail, "code": "parse_error"}, status=status.HTTP_400_BAD_REQUEST)
        if not isinstance(record, dict):
            return Response(
                {"detail": _("The body is not a JSON object."), "code": "parse_error"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        importer = sync.OrderImport(backend="woocommerce", parse=parse_woocommerce_order)
        importer.import_page(Page([record]))
        summary = importer.summary
        if summary.skipped:
            return Response(
                {"detail": "; ".join(summary.problems), "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST
            )
        outcome = "created" if summary.created else "updated" if summary.updated else "unchanged"
        return Response({"detail": outcome})
