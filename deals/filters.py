import django_filters
from django.utils.translation import gettext_lazy as _

from crm.api.filters import FilterSet, IdFilter, IntegerFilter, ModelChoiceFilter, PeriodFilterSet
from deals.models import Deal, Order, Pipeline, Product, Stage


class DealFilter(PeriodFilterSet):
    class Meta:
        model = Deal
        fields = ["pipeline", "stage", "status", "responsible", "contact", "payment_status", "kind"]


class KanbanFilter(DealFilter):
    pipeline = ModelChoiceFilter(queryset=Pipeline.objects.all(), required=True)


class WorkItemFilter(PeriodFilterSet):
    """The filters of "all my leads and deals", applied to leads and to deals alike."""

    status = django_filters.CharFilter()
    responsible = IdFilter()
    type = django_filters.ChoiceFilter(choices=[("lead", _("Leads")), ("deal", _("Deals"))], method="filter_type")

    def filter_type(self, queryset, name, value):
        return queryset if queryset.model._meta.model_name == value else queryset.none()


class StageFilter(FilterSet):
    class Meta:
        model = Stage
        fields = ["pipeline"]


class ProductFilter(FilterSet):
    stock_min = IntegerFilter(
        field_name="quantity_in_stock", lookup_expr="gte", min_value=-(2**31), max_value=2**31 - 1
    )

    class Meta:
        model = Product
        fields = ["sku"]


class OrderFilter(PeriodFilterSet):
    date_field = "ordered_at"

    class Meta:
        model = Order
        fields = ["contact", "deal", "shop_order_id", "status"]
