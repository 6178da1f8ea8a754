from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from contacts.send_actions import SendMessagesMixin
from crm.api import rows, viewsets
from crm.api.filters import passes_all
from crm.api.parsing import parse_int, query_param
from crm.api.permissions import ReadOnlyOrOwnerOrAdmin
from crm.spreadsheets.exports import ExportMixin
from crm.spreadsheets.imports import ImportMixin
from deals import selectors, services
from deals.filters import DealFilter, KanbanFilter, OrderFilter, ProductFilter, StageFilter, WorkItemFilter
from deals.models import Deal, Order, Pipeline, Product, Stage
from deals.resources import DealResource, ProductResource
from deals.serializers import (
    DealFailSerializer,
    DealMoveSerializer,
    DealPanelSerializer,
    DealSerializer,
    KanbanSerializer,
    OrderCreateSerializer,
    OrderSerializer,
    PipelineSerializer,
    ProductSerializer,
    StageSerializer,
    WorkItemSerializer,
)
from leads.selectors import leads_visible
from users.selectors import owner_ids_read_once

PAGE_SIZE_PER_STAGE = OpenApiParameter(
    "page_size", OpenApiTypes.INT, description=_("Deals shown per stage, 1 to 200 (25 by default).")
)


class PipelineViewSet(viewsets.ModelViewSet):
    """Deal pipelines ("deal pages") with their ordered stages; the owner and admins edit them."""

    model = Pipeline
    serializer_class = PipelineSerializer
    permission_classes = [ReadOnlyOrOwnerOrAdmin]
    search_fields = ["name"]
    ordering_fields = ["position", "name"]

    def scoped_queryset(self, user):
        return selectors.pipeline_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        stages = data.pop("stage_names", [])
        pipeline = services.pipeline_create(actor=self.request.user, stages=stages, **data)
        serializer.instance = self.fresh(pipeline)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "stage_names"}
        services.pipeline_update(pipeline=serializer.instance, actor=self.request.user, data=data)
        serializer.instance = self.fresh(serializer.instance)

    def perform_destroy(self, instance):
        services.pipeline_delete(pipeline=instance, actor=self.request.user)


class StageViewSet(viewsets.ModelViewSet):
    """The stages of a pipeline, in their order (`position`); a deal moves through them on the kanban.

    Everyone reads them; the owner and admins add, rename, reorder and delete them. A stage that
    still has deals cannot be deleted (409): move the deals first.
    """

    model = Stage
    serializer_class = StageSerializer
    permission_classes = [ReadOnlyOrOwnerOrAdmin]
    filterset_class = StageFilter
    ordering_fields = ["position"]

    def scoped_queryset(self, user):
        return selectors.stage_list()

    def perform_create(self, serializer):
        serializer.instance = services.stage_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        services.stage_update(stage=serializer.instance, actor=self.request.user, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.stage_delete(stage=instance, actor=self.request.user)


class ProductViewSet(ImportMixin, ExportMixin, viewsets.ModelViewSet):
    """Products: all staff read; the owner and admins edit."""

    model = Product
    serializer_class = ProductSerializer
    resource_class = ProductResource
    permission_classes = [ReadOnlyOrOwnerOrAdmin]
    filterset_class = ProductFilter
    search_fields = ["sku", "name"]
    ordering_fields = ["sku", "name", "quantity_in_stock"]

    def scoped_queryset(self, user):
        return selectors.product_list()

    def perform_create(self, serializer):
        serializer.instance = services.product_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        services.product_update(product=serializer.instance, actor=self.request.user, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.product_delete(product=instance, actor=self.request.user)


class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Shop orders with their items, as far as the caller sees their deals; orders made here for a deal."""

    model = Order
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    search_fields = ["shop_order_id", "items__name"]
    ordering_fields = ["ordered_at"]

    def scoped_queryset(self, user):
        return selectors.order_list(user=user)

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer})
    def create(self, request):
        """Store an order with its items for a deal the caller may change; with a shop that takes orders
        (WooCommerce) it is created there too. A shop failure leaves it "not_sent" with the error."""
        serializer = OrderCreateSerializer(data=request.data, deals=selectors.deals_visible(user=request.user))
        serializer.is_valid(raise_exception=True)
        order = services.order_create(actor=request.user, **serializer.validated_data)
        return self.fresh_response(order, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send an order made here that the shop did not take (409 when it is there already)."""
        order = self.get_object()
        if order.deal_id is None or not selectors.deals_visible(user=request.user).filter(pk=order.deal_id).exists():
            raise PermissionDenied(_("Only who may change the order's deal sends it."))
        return self.fresh_response(services.order_send(order=order, actor=request.user))


class DealViewSet(SendMessagesMixin, ExportMixin, viewsets.ModelViewSet):
    """Deals: visible to their responsible user and creator, their managers, admins and the owner."""

    model = Deal
    serializer_class = DealSerializer
    resource_class = DealResource
    filterset_class = DealFilter
    search_fields = ["title", "shop_order_id", "company_name", "contact__last_name", "contact__email"]
    ordering_fields = ["created_at", "amount", "updated_at", "closed_at"]

    def scoped_queryset(self, user):
        if self.action in ("list", "kanban"):
            return selectors.deal_rows(user=user)
        return selectors.deal_list(user=user)

    def perform_create(self, serializer):
        deal = services.deal_create(actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(deal)

    def perform_update(self, serializer):
        services.deal_update(deal=serializer.instance, actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(serializer.instance)

    def perform_destroy(self, instance):
        services.deal_delete(deal=instance, actor=self.request.user)

    def message_contact(self, obj):
        return obj.contact

    @extend_schema(request=DealMoveSerializer, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        serializer = DealMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deal = services.deal_move(deal=self.get_object(), actor=request.user, stage=serializer.validated_data["stage"])
        return self.fresh_response(deal)

    @extend_schema(request=None, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def win(self, request, pk=None):
        return self.fresh_response(services.deal_win(deal=self.get_object(), actor=request.user))

    @extend_schema(request=DealFailSerializer, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def fail(self, request, pk=None):
        serializer = DealFailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deal = services.deal_fail(
            deal=self.get_object(), actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self.fresh_response(deal)

    @extend_schema(responses=DealPanelSerializer)
    @action(detail=True, methods=["get"])
    def panel(self, request, pk=None):
        panel = selectors.deal_panel(deal=self.get_object(), user=request.user)
        return Response(DealPanelSerializer(panel, context=self.get_serializer_context()).data)

    @extend_schema(responses=KanbanSerializer, filters=True, parameters=[PAGE_SIZE_PER_STAGE])
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=KanbanFilter)
    def kanban(self, request):
        """Every stage of a pipeline with its count, amount sum and first page of deals (`page_size`, 25)."""
        per_stage = query_param(request, "page_size", parse_int, default=25, min_value=1, max_value=200)
        deals = self.filter_queryset(self.get_queryset())  # the KanbanFilter checks `pipeline`
        pipeline = Pipeline.objects.get(pk=query_param(request, "pipeline", parse_int))
        columns = selectors.kanban(pipeline=pipeline, deals=deals, per_stage=per_stage)
        data = {"pipeline": pipeline.pk, "columns": columns}
        body = rows.represent(KanbanSerializer, data, self.get_serializer_context())
        return Response(body, status=status.HTTP_200_OK)


class WorkItemViewSet(viewsets.GenericViewSet):
    """All my leads and deals: the caller's (and their subordinates') work in one list, newest first."""

    model = Deal
    serializer_class = WorkItemSerializer
    filterset_class = WorkItemFilter

    def scoped_queryset(self, user):
        return selectors.deals_visible(user=user)

    def list(self, request):
        with owner_ids_read_once():  # whose leads and deals the caller sees, read once for both halves
            leads = self._filtered(leads_visible(user=request.user))
            deals = self._filtered(self.get_queryset())
        page = self.paginate_queryset(selectors.work_items(leads=leads, deals=deals))
        items = selectors.with_responsible(page)
        return self.get_paginated_response(rows.represent_many(WorkItemSerializer, items, {}))

    def _filtered(self, queryset):
        if passes_all(WorkItemFilter, self.request.query_params):
            return queryset
        filterset = WorkItemFilter(self.request.query_params, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs
