from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from activity.tracking import tracked_delete
from contacts import selectors, services, timeline
from contacts.filters import (
    ContactActivityFilter,
    ContactEventFilter,
    ContactFilter,
    CustomerRequestFilter,
    LetterFilter,
    LoyaltyFilter,
    ReturnFilter,
)
from contacts.models import Contact, ContactActivity, ContactEvent, CustomerRequest, Letter, LoyaltyTransaction, Return
from contacts.resources import ContactResource
from contacts.send_actions import SendMessagesMixin
from contacts.serializers import (
    ContactActivitySerializer,
    ContactEventSerializer,
    ContactSerializer,
    CustomerRequestSerializer,
    LetterSerializer,
    LoyaltyBalanceSerializer,
    LoyaltyTransactionSerializer,
    ReturnFileSerializer,
    ReturnSerializer,
    TimelineEntrySerializer,
)
from crm.api import viewsets
from crm.api.permissions import StaffReadResponsibleWrite, is_admin_or_responsible
from crm.merge.actions import MergeDuplicatesMixin
from crm.spreadsheets.exports import ExportMixin
from crm.spreadsheets.imports import ImportMixin


class ContactViewSet(SendMessagesMixin, MergeDuplicatesMixin, ImportMixin, ExportMixin, viewsets.ModelViewSet):
    """Contacts: all staff read; the owner, admins and the responsible user change them."""

    model = Contact
    serializer_class = ContactSerializer
    resource_class = ContactResource
    permission_classes = [StaffReadResponsibleWrite]
    filterset_class = ContactFilter
    ordering_fields = ["last_name", "first_name", "created_at", "updated_at", "birth_date", "loyalty_balance"]

    def scoped_queryset(self, user):
        if self.action == "list":
            return selectors.contact_rows(user=user)
        return selectors.contact_list(user=user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        phones = data.pop("phones", [])
        serializer.instance = services.contact_create(actor=self.request.user, data=data, phones=phones)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        phones = data.pop("phones", None)
        services.contact_update(contact=serializer.instance, actor=self.request.user, data=data, phones=phones)
        serializer.instance = self.get_object()  # phones prefetched afresh

    def perform_destroy(self, instance):
        services.contact_delete(contact=instance, actor=self.request.user)

    def message_contact(self, obj):
        return obj

    duplicate_pairs = selectors.CONTACT_DUPLICATES

    def merge_combine(self, kept, other):
        return services.contact_merge_balances(kept=kept, other=other)


class ContactNestedViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):
    """A read-only list that belongs to one contact: `/api/contacts/<contact_pk>/<name>/`."""

    def contact(self) -> Contact:
        if not hasattr(self, "_contact"):
            visible = selectors.contacts_visible(user=self.request.user)
            self._contact = get_object_or_404(visible, pk=self.kwargs["contact_pk"])
        return self._contact


class ContactEventViewSet(ContactNestedViewSet):
    model = ContactEvent
    serializer_class = ContactEventSerializer
    filterset_class = ContactEventFilter
    ordering_fields = ["occurred_at"]

    def scoped_queryset(self, user):
        return selectors.contact_events(contact=self.contact())


class ContactActivityViewSet(ContactNestedViewSet):
    model = ContactActivity
    serializer_class = ContactActivitySerializer
    filterset_class = ContactActivityFilter
    search_fields = ["name", "message"]
    ordering_fields = ["occurred_at"]

    def scoped_queryset(self, user):
        return selectors.contact_activities(contact=self.contact())


class LetterViewSet(ContactNestedViewSet):
    model = Letter
    serializer_class = LetterSerializer
    filterset_class = LetterFilter
    search_fields = ["subject", "body"]
    ordering_fields = ["sent_at"]

    def scoped_queryset(self, user):
        return selectors.contact_letters(contact=self.contact())


class LoyaltyViewSet(ContactNestedViewSet, mixins.CreateModelMixin):
    """A contact's loyalty history; accruing or spending bonuses is for the owner, admins and the responsible user."""

    model = LoyaltyTransaction
    serializer_class = LoyaltyTransactionSerializer
    filterset_class = LoyaltyFilter
    ordering_fields = ["created_at"]

    def scoped_queryset(self, user):
        return selectors.loyalty_history(contact=self.contact())

    def create(self, request, *args, **kwargs):
        contact = self.contact()
        if not is_admin_or_responsible(request.user, contact.responsible_id):
            self.permission_denied(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.loyalty_add(contact=contact, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=LoyaltyBalanceSerializer)
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def balance(self, request, contact_pk=None):
        contact = self.contact()
        return Response(LoyaltyBalanceSerializer({"contact": contact.pk, "balance": contact.loyalty_balance}).data)


class ReturnViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Returns of goods. All staff read them; the owner, admins and the responsible user decide."""

    model = Return
    serializer_class = ReturnSerializer
    permission_classes = [StaffReadResponsibleWrite]
    filterset_class = ReturnFilter
    search_fields = ["reason", "comment", "order_reference", "items__sku"]
    ordering_fields = ["date", "created_at", "status"]

    def scoped_queryset(self, user):
        return selectors.return_list(user=user)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        return_request = services.return_create(actor=request.user, **data)
        return self.fresh_response(return_request, status=status.HTTP_201_CREATED)

    def _decide(self, request, action_name):
        return_request = services.return_decide(
            return_request=self.get_object(), actor=request.user, action=action_name
        )
        return self.fresh_response(return_request)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, "approve")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, "reject")

    @extend_schema(request=None, description="Cancel the return and its delivery.")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._decide(request, "cancel")

    @extend_schema(request=ReturnFileSerializer, responses=ReturnSerializer)
    @action(detail=True, methods=["put"], parser_classes=[MultiPartParser])
    def file(self, request, pk=None):
        return_request = self.get_object()
        serializer = ReturnFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.return_attach_file(
            return_request=return_request, actor=request.user, file=serializer.validated_data["file"]
        )
        return self.fresh_response(return_request)


class CustomerRequestViewSet(viewsets.ModelViewSet):
    """Customer requests ("звернення"). All staff read them; the owner, admins and the responsible user change them."""

    model = CustomerRequest
    serializer_class = CustomerRequestSerializer
    permission_classes = [StaffReadResponsibleWrite]
    filterset_class = CustomerRequestFilter
    search_fields = ["reason", "description"]
    ordering_fields = ["created_at", "due_date", "status", "reason"]
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def scoped_queryset(self, user):
        return selectors.request_list(user=user)

    def perform_create(self, serializer):
        serializer.instance = services.customer_request_create(
            actor=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        services.customer_request_update(
            customer_request=serializer.instance, actor=self.request.user, data=dict(serializer.validated_data)
        )
        serializer.instance = self.fresh(serializer.instance)

    def perform_destroy(self, instance):
        tracked_delete(instance=instance, actor=self.request.user)

    def _move(self, action_name):
        customer_request = services.customer_request_transition(
            customer_request=self.get_object(), actor=self.request.user, action=action_name
        )
        return self.fresh_response(customer_request)

    @extend_schema(request=None, description="Open → in progress; any other status is a 409.")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move("start")

    @extend_schema(request=None, description="Open or in progress → resolved; otherwise a 409.")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._move("resolve")

    @extend_schema(request=None, description="Open or in progress → rejected; otherwise a 409.")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._move("reject")

    @extend_schema(request=None, description="Resolved or rejected → open again; otherwise a 409.")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._move("reopen")


class ContactTimelineViewSet(ContactNestedViewSet):
    """Everything about a contact, newest first: one UNION query per page, whatever the kinds."""

    model = Contact
    serializer_class = TimelineEntrySerializer
    filterset_class = None

    def scoped_queryset(self, user):
        return timeline.contact_timeline(contact=self.contact(), user=user, kinds=self._kinds())

    def _kinds(self) -> list[str] | None:
        raw = self.request.query_params.get("kind", "")
        wanted = [name.strip() for name in raw.split(",") if name.strip()]
        unknown = sorted(set(wanted) - set(timeline.kinds()))
        if unknown:
            raise serializers.ValidationError(
                {"kind": [_("Unknown kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)}]}
            )
        return wanted or None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind", str, description=_("Comma-separated kinds: orders, calls, events, letters, requests, ...")
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        entries = [timeline.entry(row) for row in page]
        return self.get_paginated_response(self.get_serializer(entries, many=True).data)
