from django.contrib import admin

from crm.trash_admin import TrashAdminMixin
from leads.models import Lead


@admin.register(Lead)
class LeadAdmin(TrashAdminMixin, admin.ModelAdmin):
    list_display = ["name", "status", "source", "responsible", "created_at", "converted_at"]
    list_filter = ["status", "source", "created_at"]
    search_fields = ["name", "email", "phone", "notes"]
    list_select_related = ["responsible"]
    raw_id_fields = ["responsible", "created_by", "contact", "deal"]
    date_hierarchy = "created_at"
