from django.contrib import admin
from django.utils.translation import pgettext_lazy

from companies.models import Article, Company, Folder, KnowledgeFile
from crm.admin import CrmModelAdmin, CrmTabularInline
from crm.files.admin import ProtectedFilesAdmin
from crm.trash.admin import TrashAdminMixin


class FolderInline(CrmTabularInline):
    model = Folder
    extra = 1


class KnowledgeFileInline(ProtectedFilesAdmin, CrmTabularInline):
    model = KnowledgeFile
    extra = 0


@admin.register(Company)
class CompanyAdmin(TrashAdminMixin, CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "company")
    list_display = ["name", "edrpou", "contact_person", "responsible", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "edrpou"]
    list_select_related = ["contact_person", "responsible"]
    autocomplete_fields = ["contact_person", "responsible"]
    inlines = [FolderInline]


@admin.register(Folder)
class FolderAdmin(CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "folder")
    list_display = ["name", "company"]
    list_filter = ["company"]
    search_fields = ["name", "company__name"]
    list_select_related = ["company"]
    autocomplete_fields = ["company"]


@admin.register(Article)
class ArticleAdmin(CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "article")
    list_display = ["name", "company", "views", "author", "created_at"]
    list_filter = ["company", "created_at"]
    search_fields = ["name", "description"]
    list_select_related = ["company", "author"]
    autocomplete_fields = ["company", "author"]
    filter_horizontal = ["folders"]
    readonly_fields = ["views"]
    inlines = [KnowledgeFileInline]


@admin.register(KnowledgeFile)
class KnowledgeFileAdmin(ProtectedFilesAdmin, CrmModelAdmin):
    list_display = ["name", "article", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "article__name"]
    list_select_related = ["article"]
