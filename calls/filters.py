import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from calls.models import Call
from calls.sync import client_number
from crm.api.filters import PeriodFilterSet


class CallFilter(PeriodFilterSet):
    date_field = "started_at"

    number = django_filters.CharFilter(
        method="filter_number", label=_("Client number, in any spelling (0501234567, +380 50 123 45 67)")
    )

    class Meta:
        model = Call
        fields = ["type", "disposition", "employee", "contact", "lead"]

    def filter_number(self, queryset, name, value):
        number = client_number(value)
        if not number:
            raise serializers.ValidationError({"number": [_("Enter a phone number.")]})
        return queryset.filter(Q(external_number=number) | Q(internal_number=value.strip()))
