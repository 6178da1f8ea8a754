from django.utils.translation import gettext_lazy as _

from companies.models import Company
from crm.spreadsheets import ResponsibleResource, lookup_error


class CompanyResource(ResponsibleResource):
    """Companies, matched by EDRPOU code; a later row of the file with a code an earlier row created updates it."""

    class Meta:
        model = Company
        fields = ("id", "name", "edrpou", "responsible")

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if field.column_name != "id"]

    def before_import(self, dataset, **kwargs):
        codes = {str(row.get("edrpou") or "").strip() for row in dataset.dict} - {""}
        self.by_edrpou = {}
        for company in Company.all_objects.filter(edrpou__in=codes).order_by("pk"):
            self.by_edrpou.setdefault(company.edrpou, company)

    def get_instance(self, instance_loader, row):
        edrpou = str(row.get("edrpou") or "").strip()
        if not edrpou:
            return None
        company = self.by_edrpou.get(edrpou)
        if company is not None and company.in_trash:
            raise lookup_error(_("The EDRPOU code belongs to #%(id)s, which is in the trash.") % {"id": company.pk})
        return company

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if instance.edrpou:
            self.by_edrpou.setdefault(instance.edrpou, instance)
