from rest_framework import serializers

from promotions.models import Discount, PromoCode, Promotion

PERIOD_FIELDS = ["source", "external_id", "starts_at", "ends_at", "created_at", "updated_at"]


class PromotionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Promotion
        fields = ["id", "name", "description", "discount_percent", *PERIOD_FIELDS]
        read_only_fields = fields


class PromoCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PromoCode
        fields = [
            "id",
            "code",
            "description",
            "discount_type",
            "amount",
            "usage_count",
            "usage_limit",
            *PERIOD_FIELDS,
        ]
        read_only_fields = fields


class DiscountSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True, allow_null=True)

    class Meta:
        model = Discount
        fields = ["id", "name", "sku", "product", "product_name", "regular_price", "sale_price", *PERIOD_FIELDS]
        read_only_fields = fields


class MonthUsageSerializer(serializers.Serializer):
    month = serializers.DateTimeField()
    orders = serializers.IntegerField()
    discount_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class PromoCodeUsageSerializer(serializers.Serializer):
    promo_code = PromoCodeSerializer()
    start = serializers.DateTimeField(allow_null=True)
    end = serializers.DateTimeField(allow_null=True)
    orders = serializers.IntegerField()
    discount_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    by_month = MonthUsageSerializer(many=True)


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class CodeUsageSerializer(serializers.Serializer):
    code = serializers.CharField()
    uses = serializers.IntegerField()
    discount_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class PromoCodeReportSerializer(CountSerializer):
    orders = serializers.IntegerField()
    uses = serializers.IntegerField()
    discount_total = serializers.DecimalField(max_digits=16, decimal_places=2)
    top = CodeUsageSerializer(many=True)


class PromotionsReportSerializer(serializers.Serializer):
    start = serializers.DateTimeField(allow_null=True)
    end = serializers.DateTimeField(allow_null=True)
    promotions = CountSerializer()
    promo_codes = PromoCodeReportSerializer()
    discounts = CountSerializer()
