from django.contrib import admin

from crm.admin import CrmModelAdmin
from crm.trash.admin import TrashAdminMixin
from leads.models import Lead


@admin.register(Lead)
class LeadAdmin(TrashAdminMixin, CrmModelAdmin):
    list_display = ["name", "phone", "email", "status", "source", "responsible", "created_at", "converted_at"]
    list_filter = ["status", "source", "created_at"]
    search_fields = ["name", "email", "phone", "notes"]
    list_select_related = ["responsible"]
    autocomplete_fields = ["responsible", "contact", "deal"]
    date_hierarchy = "created_at"
