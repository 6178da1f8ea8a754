from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from crm.api import viewsets
from promotions import selectors
from promotions.filters import DiscountFilter, PeriodForm, PromoCodeFilter, PromotionFilter, bounds_from
from promotions.models import Discount, PromoCode, Promotion
from promotions.serializers import (
    DiscountSerializer,
    PromoCodeSerializer,
    PromoCodeUsageSerializer,
    PromotionSerializer,
    PromotionsReportSerializer,
)

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period",
        str,
        enum=["today", "yesterday", "week", "month", "year"],
        description=_(
            "The period, in the project's time zone: what was in force in it, and the orders of it by their date."
        ),
    ),
    OpenApiParameter("date_after", str, description="YYYY-MM-DD"),
    OpenApiParameter("date_before", str, description="YYYY-MM-DD, inclusive"),
]


def period_of(request) -> tuple:
    form = PeriodForm(request.query_params, queryset=PromoCode.objects.none(), request=request)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return bounds_from(form.form.cleaned_data)


class PromotionViewSet(viewsets.ReadOnlyModelViewSet):
    """Promotions copied from the shop by sync_shop_promotions; a period filter keeps those in force in it."""

    model = Promotion
    serializer_class = PromotionSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = PromotionFilter
    search_fields = ["name", "description"]
    ordering_fields = ["starts_at", "ends_at", "name"]

    def scoped_queryset(self, user):
        return selectors.promotion_list()

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=PromotionsReportSerializer)
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def report(self, request):
        """How many promotions, promo codes and discounts were in force in the period; promo codes' usage."""
        start, end = period_of(request)
        return Response(PromotionsReportSerializer(selectors.promotions_report(start=start, end=end)).data)


class PromoCodeViewSet(viewsets.ReadOnlyModelViewSet):
    """Promo codes (WooCommerce coupons: in force from their creation to their expiry)."""

    model = PromoCode
    serializer_class = PromoCodeSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = PromoCodeFilter
    search_fields = ["code", "description"]
    ordering_fields = ["starts_at", "ends_at", "code", "usage_count"]

    def scoped_queryset(self, user):
        return selectors.promo_code_list()

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=PromoCodeUsageSerializer)
    @action(detail=True, methods=["get"], filterset_class=None)
    def usage(self, request, pk=None):
        """Orders that used the code in the period (by the orders' dates), in all and by month."""
        start, end = period_of(request)
        usage = selectors.promo_code_usage(promo_code=self.get_object(), start=start, end=end)
        return Response(PromoCodeUsageSerializer(usage).data)


class DiscountViewSet(viewsets.ReadOnlyModelViewSet):
    """Products' sale prices and their periods."""

    model = Discount
    serializer_class = DiscountSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = DiscountFilter
    search_fields = ["name", "sku"]
    ordering_fields = ["starts_at", "ends_at", "name", "sale_price"]

    def scoped_queryset(self, user):
        return selectors.discount_list()
