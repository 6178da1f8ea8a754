from django.contrib import admin

from companies.models import Article, Company, Folder, KnowledgeFile
from crm.files_admin import ProtectedFilesAdmin
from crm.trash_admin import TrashAdminMixin


class FolderInline(admin.TabularInline):
    model = Folder
    extra = 1


class KnowledgeFileInline(ProtectedFilesAdmin, admin.TabularInline):
    model = KnowledgeFile
    extra = 0


@admin.register(Company)
class CompanyAdmin(TrashAdminMixin, admin.ModelAdmin):
    list_display = ["name", "edrpou", "contact_person", "responsible", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "edrpou"]
    list_select_related = ["contact_person", "responsible"]
    raw_id_fields = ["contact_person"]
    autocomplete_fields = ["responsible"]
    inlines = [FolderInline]


@admin.register(Folder)
class FolderAdmin(admin.ModelAdmin):
    list_display = ["name", "company"]
    list_filter = ["company"]
    search_fields = ["name", "company__name"]
    list_select_related = ["company"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "views", "author", "created_at"]
    list_filter = ["company", "created_at"]
    search_fields = ["name", "description"]
    list_select_related = ["company", "author"]
    filter_horizontal = ["folders"]
    readonly_fields = ["views"]
    inlines = [KnowledgeFileInline]


@admin.register(KnowledgeFile)
class KnowledgeFileAdmin(ProtectedFilesAdmin, admin.ModelAdmin):
    list_display = ["name", "article", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "article__name"]
    list_select_related = ["article"]
