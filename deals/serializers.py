from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calls.serializers import CallSerializer
from contacts.serializers import ContactActivitySerializer, ContactBriefSerializer, ReturnSerializer
from crm.api import parsing
from deals.models import Deal, Order, OrderItem, Pipeline, Product, Stage
from users.serializers import UserBriefSerializer


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "pipeline", "name", "position"]
        validators = []  # uniqueness is the service's to check: it answers 409


class PipelineStageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "name", "position"]
        read_only_fields = fields


class PipelineSerializer(serializers.ModelSerializer):
    stages = PipelineStageSerializer(many=True, read_only=True)
    stage_names = serializers.ListField(
        child=serializers.CharField(max_length=150),
        write_only=True,
        required=False,
        help_text=_("On create: the stages in order."),
    )

    class Meta:
        model = Pipeline
        fields = ["id", "name", "position", "stages", "stage_names"]
        extra_kwargs = {"name": {"validators": []}}


class DealSerializer(serializers.ModelSerializer):
    contact_detail = ContactBriefSerializer(source="contact", read_only=True)
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    responsible_detail = UserBriefSerializer(source="responsible", read_only=True, allow_null=True)
    stage = parsing.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(), required=False, help_text=_("On create; defaults to the first stage.")
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            "title",
            "contact",
            "contact_detail",
            "pipeline",
            "stage",
            "stage_name",
            "status",
            "amount",
            "kind",
            "description",
            "payment_status",
            "payment_type",
            "shop_order_id",
            "company_name",
            "failure_reason",
            "closed_at",
            "responsible",
            "responsible_detail",
            "created_at",
            "updated_at",
        ]
        # The shop's order id links the deal to an order: the shop sync and webhook set it, never a user, who
        # could otherwise claim an order that has not arrived yet.
        read_only_fields = ["id", "shop_order_id", "status", "failure_reason", "closed_at", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # stage and status change through the move, win and fail actions
            for name in ("pipeline", "stage"):
                fields[name].read_only = True
        return fields


class DealMoveSerializer(serializers.Serializer):
    stage = parsing.PrimaryKeyRelatedField(queryset=Stage.objects.all())


class DealFailSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class KanbanColumnSerializer(serializers.Serializer):
    stage = PipelineStageSerializer()
    count = serializers.IntegerField()
    amount_sum = serializers.DecimalField(max_digits=16, decimal_places=2)
    deals = DealSerializer(many=True)


class KanbanSerializer(serializers.Serializer):
    pipeline = serializers.IntegerField()
    columns = KanbanColumnSerializer(many=True)


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "sku", "name", "package", "quantity_in_stock", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"sku": {"validators": []}}


class OrderItemSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True, allow_null=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = OrderItem
        fields = ["id", "product", "sku", "name", "quantity", "price", "total"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    contact = ContactBriefSerializer(read_only=True)
    items = OrderItemSerializer(many=True, read_only=True)
    total = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "shop_order_id",
            "contact",
            "deal",
            "status",
            "ordered_at",
            "items",
            "total",
            "amount",
            "payment_method",
            "delivery_method",
            "send_status",
            "send_error",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_total(self, order) -> str:
        # Sums the prefetched items: no query.
        total = sum((item.quantity * item.price for item in order.items.all()), start=Decimal("0"))
        return f"{total:.2f}"


class DealPanelSerializer(serializers.Serializer):
    deal = DealSerializer()
    orders = OrderSerializer(many=True)
    recent_activities = ContactActivitySerializer(many=True)
    returns = ReturnSerializer(many=True)
    recent_calls = CallSerializer(many=True)


class WorkItemSerializer(serializers.Serializer):
    """One row of "all my leads and deals"."""

    type = serializers.ChoiceField(choices=[("lead", _("Lead")), ("deal", _("Deal"))])
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    responsible = UserBriefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class OrderItemInputSerializer(serializers.Serializer):
    product = parsing.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    quantity = parsing.IntegerField(min_value=1, max_value=2**31 - 1)
    price = parsing.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))

    def validate(self, attrs):
        if not attrs.get("product") and not attrs.get("name", "").strip():
            raise serializers.ValidationError(_("Name the item or pick a product."))
        return attrs


class OrderCreateSerializer(serializers.Serializer):
    """An order made in the CRM for a deal the caller may change; it goes to the shop when the shop can take it."""

    deal = parsing.PrimaryKeyRelatedField(queryset=Deal.objects.none())
    items = OrderItemInputSerializer(many=True, allow_empty=False, max_length=500)
    payment_method = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    delivery_method = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def __init__(self, *args, deals=None, **kwargs):
        super().__init__(*args, **kwargs)
        if deals is not None:
            self.fields["deal"].queryset = deals
