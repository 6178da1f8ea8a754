from django.utils.translation import gettext_lazy as _
from import_export import fields

from crm.spreadsheets import CrmResource, DecimalWidget
from deals.models import Deal, Product


class ProductResource(CrmResource):
    """Products, matched by SKU."""

    class Meta:
        model = Product
        fields = ("sku", "name", "package", "quantity_in_stock")
        import_id_fields = ("sku",)
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True


class DealResource(CrmResource):
    """Deals as the list shows them (export only)."""

    contact = fields.Field(attribute="contact", column_name="contact")
    pipeline = fields.Field(attribute="pipeline__name", column_name="pipeline")
    stage = fields.Field(attribute="stage__name", column_name="stage")
    amount = fields.Field(attribute="amount", column_name="amount", widget=DecimalWidget())
    responsible = fields.Field(attribute="responsible__email", column_name="responsible")
    extra_labels = {"pipeline": _("pipeline"), "stage": _("stage")}

    class Meta:
        model = Deal
        fields = (
            "id",
            "title",
            "contact",
            "pipeline",
            "stage",
            "status",
            "amount",
            "payment_status",
            "shop_order_id",
            "responsible",
            "created_at",
            "closed_at",
        )
