import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from contacts.models import (
    Contact,
    ContactActivity,
    ContactEvent,
    CustomerRequest,
    Letter,
    LoyaltyTransaction,
    Return,
)
from contacts.selectors import contact_search
from crm.api.filters import DateFilter, PeriodFilterSet
from crm.api.phones import normalize_phone


class ContactFilter(PeriodFilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Name, email or phone in any spelling"))
    phone = django_filters.CharFilter(method="filter_phone", label=_("Phone, in any spelling"))

    class Meta:
        model = Contact
        fields = ["company", "responsible", "newsletter", "payment_method", "delivery_method", "edrpou"]

    def filter_search(self, queryset, name, value):
        return contact_search(queryset, value)

    def filter_phone(self, queryset, name, value):
        try:
            number = normalize_phone(value)
        except ValidationError as error:
            raise serializers.ValidationError({"phone": error.messages}) from None
        return queryset.filter(phones__number=number)


class ContactEventFilter(PeriodFilterSet):
    date_field = "occurred_at"

    class Meta:
        model = ContactEvent
        fields = ["type", "call_id"]


class ContactActivityFilter(PeriodFilterSet):
    date_field = "occurred_at"

    class Meta:
        model = ContactActivity
        fields = ["type", "responsible"]


class LetterFilter(PeriodFilterSet):
    date_field = "sent_at"

    class Meta:
        model = Letter
        fields = ["direction"]


class LoyaltyFilter(PeriodFilterSet):
    class Meta:
        model = LoyaltyTransaction
        fields = ["kind"]


class ReturnFilter(PeriodFilterSet):
    date_field = "date"

    class Meta:
        model = Return
        fields = ["status", "contact", "responsible", "order_reference"]


class CustomerRequestFilter(PeriodFilterSet):
    reason = django_filters.CharFilter(lookup_expr="iexact", label=_("Reason (exact, any case)"))
    due_before = DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due on or before"))

    class Meta:
        model = CustomerRequest
        fields = ["status", "channel", "contact", "responsible", "order", "deal"]
