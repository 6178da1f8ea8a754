from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from companies import selectors, services
from companies.filters import ArticleFilter, CompanyFilter, FolderFilter, KnowledgeFileFilter
from companies.models import Article, Company, Folder, KnowledgeFile
from companies.resources import CompanyResource
from companies.serializers import ArticleSerializer, CompanySerializer, FolderSerializer, KnowledgeFileSerializer
from contacts.send_actions import SendMessagesMixin
from crm.api import viewsets
from crm.api.permissions import StaffReadResponsibleWrite, is_admin_or_responsible
from crm.merge.actions import MergeDuplicatesMixin
from crm.spreadsheets.exports import ExportMixin
from crm.spreadsheets.imports import ImportMixin


class CompanyWriteMixin:
    """Creating something inside a company is for the owner, admins and the company's responsible user."""

    def check_company_write(self, company):
        if not is_admin_or_responsible(self.request.user, company.responsible_id):
            self.permission_denied(self.request)


class CompanyViewSet(SendMessagesMixin, MergeDuplicatesMixin, ImportMixin, ExportMixin, viewsets.ModelViewSet):
    """Companies: all staff read; the owner, admins and the responsible user change them."""

    model = Company
    serializer_class = CompanySerializer
    resource_class = CompanyResource
    permission_classes = [StaffReadResponsibleWrite]
    filterset_class = CompanyFilter
    search_fields = ["name", "edrpou"]
    ordering_fields = ["name", "created_at", "employee_count"]

    def scoped_queryset(self, user):
        if self.action == "list":
            return selectors.company_rows(user=user)
        return selectors.company_list(user=user)

    def perform_create(self, serializer):
        company = services.company_create(actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(company)

    def perform_update(self, serializer):
        services.company_update(company=serializer.instance, actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(serializer.instance)

    def perform_destroy(self, instance):
        services.company_delete(company=instance, actor=self.request.user)

    def message_contact(self, obj):
        return obj.contact_person

    duplicate_pairs = selectors.COMPANY_DUPLICATES


class FolderViewSet(CompanyWriteMixin, viewsets.ModelViewSet):
    """Folders of a company's knowledge base."""

    model = Folder
    serializer_class = FolderSerializer
    permission_classes = [StaffReadResponsibleWrite]
    responsible_path = "company.responsible_id"
    filterset_class = FolderFilter
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]

    def scoped_queryset(self, user):
        return selectors.folder_list(user=user)

    def perform_create(self, serializer):
        self.check_company_write(serializer.validated_data["company"])
        folder = services.folder_create(actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(folder)

    def perform_update(self, serializer):
        services.folder_update(folder=serializer.instance, actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(serializer.instance)

    def perform_destroy(self, instance):
        services.folder_delete(folder=instance, actor=self.request.user)


class ArticleViewSet(CompanyWriteMixin, viewsets.ModelViewSet):
    """Knowledge base articles; opening one counts a view."""

    model = Article
    serializer_class = ArticleSerializer
    permission_classes = [StaffReadResponsibleWrite]
    responsible_path = "company.responsible_id"
    filterset_class = ArticleFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at", "views"]

    def scoped_queryset(self, user):
        return selectors.article_list(user=user)

    def retrieve(self, request, *args, **kwargs):
        article = services.article_open(article=self.get_object())
        return Response(self.get_serializer(article).data)

    def perform_create(self, serializer):
        self.check_company_write(serializer.validated_data["company"])
        article = services.article_create(actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(article)

    def perform_update(self, serializer):
        services.article_update(article=serializer.instance, actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(serializer.instance)

    def perform_destroy(self, instance):
        services.article_delete(article=instance, actor=self.request.user)


class KnowledgeFileViewSet(
    CompanyWriteMixin,
    viewsets.GenericViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
):
    """Files of knowledge base articles (jpg, png, doc, docx, pdf, xls, xlsx)."""

    model = KnowledgeFile
    serializer_class = KnowledgeFileSerializer
    permission_classes = [StaffReadResponsibleWrite]
    parser_classes = [MultiPartParser]
    responsible_path = "article.company.responsible_id"
    filterset_class = KnowledgeFileFilter
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]

    def scoped_queryset(self, user):
        return selectors.knowledge_file_list(user=user)

    @extend_schema(request={"multipart/form-data": KnowledgeFileSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        self.check_company_write(serializer.validated_data["article"].company)
        knowledge_file = services.knowledge_file_create(actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(knowledge_file)

    def perform_destroy(self, instance):
        services.knowledge_file_delete(knowledge_file=instance, actor=self.request.user)
