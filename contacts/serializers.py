from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from contacts.models import (
    Contact,
    ContactActivity,
    ContactEvent,
    CustomerRequest,
    Letter,
    LoyaltyKind,
    LoyaltyTransaction,
    Return,
    ReturnItem,
)
from crm.files.downloads import DownloadURLField
from users.serializers import UserBriefSerializer


class PhoneListField(serializers.ListField):
    """Numbers in any spelling on the way in; the contact's stored numbers on the way out."""

    child = serializers.CharField(max_length=32)

    def to_representation(self, phones):
        return [phone.number for phone in phones.all()]


class ContactBriefSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "full_name", "email"]
        read_only_fields = fields

    def to_representation(self, contact):
        # Nested in every row of the busy lists: read the attributes directly.
        return {"id": contact.pk, "full_name": contact.full_name, "email": contact.email}


class ContactSerializer(serializers.ModelSerializer):
    phones = PhoneListField(
        required=False,
        help_text=_("Phone numbers in any spelling; stored as +380501234567."),
    )
    company_name = serializers.CharField(source="company.name", read_only=True, allow_null=True)
    responsible_detail = UserBriefSerializer(source="responsible", read_only=True, allow_null=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "first_name",
            "last_name",
            "patronymic",
            "birth_date",
            "email",
            "phones",
            "payment_method",
            "delivery_method",
            "delivery_company",
            "newsletter",
            "company",
            "company_name",
            "edrpou",
            "responsible",
            "responsible_detail",
            "loyalty_balance",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "loyalty_balance", "created_at", "updated_at"]


class ContactEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactEvent
        fields = ["id", "type", "occurred_at", "call_id"]
        read_only_fields = fields


class ContactActivitySerializer(serializers.ModelSerializer):
    responsible = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ContactActivity
        fields = [
            "id",
            "name",
            "type",
            "responsible",
            "occurred_at",
            "message",
            "provider_message_id",
            "delivery_status",
        ]
        read_only_fields = fields


class LetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Letter
        fields = ["id", "subject", "body", "direction", "sent_at"]
        read_only_fields = fields


class LoyaltyTransactionSerializer(serializers.ModelSerializer):
    created_by = UserBriefSerializer(read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=LoyaltyKind.choices)

    class Meta:
        model = LoyaltyTransaction
        fields = ["id", "kind", "amount", "reason", "order_reference", "balance_after", "created_by", "created_at"]
        read_only_fields = ["id", "balance_after", "created_by", "created_at"]


class LoyaltyBalanceSerializer(serializers.Serializer):
    contact = serializers.IntegerField()
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)


class ReturnItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnItem
        fields = ["id", "sku", "name", "quantity"]
        read_only_fields = ["id"]


class ReturnSerializer(serializers.ModelSerializer):
    items = ReturnItemSerializer(many=True)
    contact_detail = ContactBriefSerializer(source="contact", read_only=True)
    responsible_detail = UserBriefSerializer(source="responsible", read_only=True, allow_null=True)
    decided_by = UserBriefSerializer(read_only=True, allow_null=True)
    download_url = DownloadURLField("return")

    class Meta:
        model = Return
        fields = [
            "id",
            "contact",
            "contact_detail",
            "order_reference",
            "items",
            "reason",
            "download_url",
            "comment",
            "date",
            "status",
            "responsible",
            "responsible_detail",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = ["id", "status", "decided_by", "decided_at", "created_at"]


class ReturnFileSerializer(serializers.ModelSerializer):
    file = serializers.FileField()

    class Meta:
        model = Return
        fields = ["file"]


class CustomerRequestSerializer(serializers.ModelSerializer):
    contact_detail = ContactBriefSerializer(source="contact", read_only=True)
    responsible_detail = UserBriefSerializer(source="responsible", read_only=True, allow_null=True)
    created_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CustomerRequest
        fields = [
            "id",
            "contact",
            "contact_detail",
            "reason",
            "description",
            "channel",
            "status",
            "order",
            "deal",
            "responsible",
            "responsible_detail",
            "due_date",
            "closed_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "closed_at", "created_by", "created_at", "updated_at"]

    def get_fields(self):
        # An order or deal can be linked only by someone who may see it.
        from deals.selectors import deals_visible, orders_visible

        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["order"].queryset = orders_visible(user=request.user)
            fields["deal"].queryset = deals_visible(user=request.user)
        return fields


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    title = serializers.CharField()
    status = serializers.CharField()
    url = serializers.CharField(allow_null=True)


class SendEmailSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=255)
    body = serializers.CharField(max_length=100_000)


class SendSmsSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=1000)
    phones = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        max_length=20,
        help_text=_("Some of the contact's numbers, in any spelling; all of them by default."),
    )


class SendResultRowSerializer(serializers.Serializer):
    recipient = serializers.CharField()
    status = serializers.CharField(
        help_text=_(
            "sent, failed, or unknown: the provider took the request and did not answer, so the message may have "
            "gone; it is not sent again on its own"
        )
    )
    message_id = serializers.CharField(allow_blank=True)
    provider_status = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True)


class SendResultSerializer(serializers.Serializer):
    channel = serializers.CharField(help_text=_("email or sms"))
    contact = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    unknown = serializers.IntegerField(default=0)
    results = SendResultRowSerializer(many=True)
