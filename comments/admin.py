from django.contrib import admin

from comments.models import Comment
from crm.admin import CrmModelAdmin
from crm.files.admin import ProtectedFilesAdmin


@admin.register(Comment)
class CommentAdmin(ProtectedFilesAdmin, CrmModelAdmin):
    list_display = ["__str__", "author", "content_type", "object_id", "created_at"]
    list_filter = ["content_type", "created_at"]
    search_fields = ["text", "author__email", "author__last_name"]
    list_select_related = ["author", "content_type"]
    autocomplete_fields = ["author"]
