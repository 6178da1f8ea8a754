from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.api import viewsets
from crm.api.permissions import IsOwnerOrAdmin
from crm.webhooks import selectors, services
from crm.webhooks.models import Delivery, Endpoint
from crm.webhooks.serializers import DeliverySerializer, EndpointCreatedSerializer, EndpointSerializer


class EndpointViewSet(viewsets.ModelViewSet):
    """Outbound webhooks: the URLs that receive the CRM's events, signed (Standard Webhooks). Owner and admins only."""

    model = Endpoint
    serializer_class = EndpointSerializer
    permission_classes = [IsOwnerOrAdmin]
    ordering_fields = ["created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self, user):
        return selectors.endpoint_list(user=user)

    @extend_schema(responses={201: EndpointCreatedSerializer})
    def create(self, request):
        """Register an endpoint; the answer holds its signing secret, which is never shown again."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = services.endpoint_create(actor=request.user, **serializer.validated_data)
        return Response(EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        services.endpoint_update(endpoint=serializer.instance, actor=self.request.user, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.endpoint_delete(endpoint=instance, actor=self.request.user)


class DeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The delivery log of one endpoint: every event queued for it, newest first, with each attempt."""

    model = Delivery
    serializer_class = DeliverySerializer
    permission_classes = [IsOwnerOrAdmin]
    filter_backends = []

    def scoped_queryset(self, user):
        endpoint = get_object_or_404(selectors.endpoint_list(user=user), pk=self.kwargs["endpoint_pk"])
        return selectors.delivery_list(endpoint=endpoint)

    @extend_schema(request=None, responses=DeliverySerializer, summary=_("Webhook deliveries: send again"))
    @action(detail=True, methods=["post"])
    def redeliver(self, request, endpoint_pk=None, pk=None):
        """Queue a new round of attempts with the same message id (`webhook-id`); 409 while one is in flight."""
        delivery = services.delivery_redeliver(delivery=self.get_object())
        return Response(
            DeliverySerializer(selectors.delivery_list(endpoint=delivery.endpoint).get(pk=delivery.pk)).data
        )
