from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from contacts.campaigns import settle_unknown
from contacts.models import (
    Campaign,
    CampaignRecipient,
    Contact,
    ContactActivity,
    ContactEvent,
    CustomerRequest,
    Letter,
    LoyaltyTransaction,
    Phone,
    Return,
    ReturnItem,
    SendOutcome,
    SendReceipt,
)
from contacts.selectors import contact_search
from crm.admin import CrmModelAdmin, CrmTabularInline
from crm.files.admin import ProtectedFilesAdmin
from crm.trash.admin import TrashAdminMixin


class PhoneInline(CrmTabularInline):
    model = Phone
    extra = 1


class ReturnItemInline(CrmTabularInline):
    model = ReturnItem
    extra = 1


@admin.register(Contact)
class ContactAdmin(TrashAdminMixin, CrmModelAdmin):
    list_display = ["__str__", "phone_numbers", "email", "company", "responsible", "loyalty_balance", "created_at"]
    list_filter = ["newsletter", "payment_method", "delivery_method", "created_at"]
    search_fields = ["first_name", "last_name", "patronymic", "email", "phones__number", "edrpou"]
    list_select_related = ["company", "responsible"]
    autocomplete_fields = ["company", "responsible"]
    readonly_fields = ["loyalty_balance", "created_at", "updated_at"]
    inlines = [PhoneInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("phones")

    @admin.display(description=_("phones"))
    def phone_numbers(self, contact):
        return ", ".join(phone.number for phone in contact.phones.all())

    def get_search_results(self, request, queryset, search_term):
        """As the API's list searches: one trigram index over the names, email and EDRPOU, phones in any spelling."""
        return contact_search(queryset, search_term), False


@admin.register(Phone)
class PhoneAdmin(CrmModelAdmin):
    list_display = ["number", "contact", "label"]
    search_fields = ["number", "contact__last_name"]
    list_select_related = ["contact"]
    autocomplete_fields = ["contact"]


@admin.register(ContactEvent)
class ContactEventAdmin(CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "contact event")
    list_display = ["contact", "type", "occurred_at", "call_id"]
    list_filter = ["type", "occurred_at"]
    search_fields = ["contact__last_name", "call_id"]
    list_select_related = ["contact"]
    autocomplete_fields = ["contact"]


@admin.register(ContactActivity)
class ContactActivityAdmin(CrmModelAdmin):
    list_display = ["name", "contact", "type", "delivery_status", "responsible", "occurred_at"]
    list_filter = ["type", "occurred_at"]
    search_fields = ["name", "message", "contact__last_name", "delivery_status", "provider_message_id"]
    list_select_related = ["contact", "responsible"]
    autocomplete_fields = ["contact", "responsible"]


@admin.register(Letter)
class LetterAdmin(CrmModelAdmin):
    list_display = ["subject", "contact", "direction", "sent_at"]
    list_filter = ["direction", "sent_at"]
    search_fields = ["subject", "body", "contact__last_name", "contact__email"]
    list_select_related = ["contact"]
    autocomplete_fields = ["contact"]


@admin.register(LoyaltyTransaction)
class LoyaltyTransactionAdmin(CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "loyalty transaction")
    list_display = ["contact", "kind", "amount", "balance_after", "created_by", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["contact__last_name", "reason", "order_reference"]
    list_select_related = ["contact", "created_by"]
    readonly_fields = ["contact", "kind", "amount", "balance_after", "reason", "order_reference", "created_by"]

    def has_add_permission(self, request):
        # Bonuses move through the API, which locks the balance; a hand-made row would not.
        return False


@admin.register(Return)
class ReturnAdmin(ProtectedFilesAdmin, CrmModelAdmin):
    list_display = ["__str__", "contact", "status", "date", "responsible", "decided_by"]
    list_filter = ["status", "date"]
    search_fields = ["contact__last_name", "order_reference", "reason", "items__sku"]
    list_select_related = ["contact", "responsible", "decided_by"]
    autocomplete_fields = ["contact", "responsible", "decided_by"]
    inlines = [ReturnItemInline]


@admin.register(CustomerRequest)
class CustomerRequestAdmin(CrmModelAdmin):
    list_display = ["__str__", "contact", "channel", "status", "responsible", "due_date", "created_at"]
    list_filter = ["status", "channel", "created_at"]
    search_fields = ["reason", "description", "contact__last_name"]
    list_select_related = ["contact", "responsible"]
    autocomplete_fields = ["contact", "order", "deal", "responsible"]


@admin.register(Campaign)
class CampaignAdmin(CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "campaign")
    list_display = [
        "name",
        "channel",
        "sent",
        "failed",
        "unknown",
        "unresolved",
        "skipped",
        "finished_at",
        "created_at",
    ]
    list_filter = ["channel", "finished_at"]
    search_fields = ["name", "subject", "text"]
    readonly_fields = [
        "last_contact_id",
        "sent",
        "failed",
        "unknown",
        "skipped",
        "finished_at",
        "created_at",
        "updated_at",
    ]
    autocomplete_fields = ["sender"]

    def get_queryset(self, request):
        unknown = Q(recipients__status=SendOutcome.UNKNOWN)
        return super().get_queryset(request).annotate(unresolved_count=Count("recipients", filter=unknown))

    @admin.display(description=_("unknown, not yet checked"), ordering="unresolved_count")
    def unresolved(self, campaign):
        return campaign.unresolved_count


@admin.register(CampaignRecipient)
class CampaignRecipientAdmin(CrmModelAdmin):
    """Who a campaign reached and how; `unknown` ones wait for an operator to check them with the provider."""

    name_accusative = pgettext_lazy("accusative", "campaign recipient")
    list_display = ["contact", "campaign", "status", "detail", "updated_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["contact__last_name", "contact__email", "contact__phones__number", "detail"]
    list_select_related = ["contact", "campaign"]
    autocomplete_fields = ["campaign", "contact"]
    readonly_fields = ["campaign", "contact", "status", "detail", "updated_at"]
    actions = ["checked_sent", "checked_not_sent"]

    def has_add_permission(self, request):
        return False  # the campaign writes them, before each send

    def _resolve(self, request, queryset, status, label):
        note = gettext("Checked with the provider by %(user)s on %(date)s: %(outcome)s.") % {
            "user": request.user,
            "date": f"{timezone.localdate():%Y-%m-%d}",
            "outcome": label,
        }
        resolved = settle_unknown(queryset, status, note)
        self.message_user(request, gettext("%(count)d recipient(s) marked.") % {"count": resolved}, messages.SUCCESS)

    @admin.action(description=_("Checked with the provider: it was sent"))
    def checked_sent(self, request, queryset):
        self._resolve(request, queryset, SendOutcome.SENT, SendOutcome.SENT.label)

    @admin.action(description=_("Checked with the provider: it was not sent"))
    def checked_not_sent(self, request, queryset):
        self._resolve(request, queryset, SendOutcome.FAILED, SendOutcome.FAILED.label)


@admin.register(SendReceipt)
class SendReceiptAdmin(CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "send receipt")
    list_display = ["key", "user", "scope", "outcome", "created_at"]
    search_fields = ["key", "scope", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["response", "created_at"]

    @admin.display(description=_("outcome"))
    def outcome(self, receipt):
        """What the send answered: sent, failed and unknown counts; none while it is still being carried out."""
        answer = receipt.response
        if not isinstance(answer, dict):
            return gettext("being sent")
        return gettext("%(sent)s sent, %(failed)s failed, %(unknown)s unknown") % {
            "sent": answer.get("sent", 0),
            "failed": answer.get("failed", 0),
            "unknown": answer.get("unknown", 0),
        }
