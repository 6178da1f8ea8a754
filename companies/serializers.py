from rest_framework import serializers

from companies.models import Article, Company, Folder, KnowledgeFile
from companies.validators import validate_edrpou
from contacts.serializers import ContactBriefSerializer
from crm.api import parsing
from crm.files.downloads import DownloadURLField
from users.serializers import UserBriefSerializer


class CompanySerializer(serializers.ModelSerializer):
    contact_person_detail = ContactBriefSerializer(source="contact_person", read_only=True, allow_null=True)
    responsible_detail = UserBriefSerializer(source="responsible", read_only=True, allow_null=True)
    employee_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "edrpou",
            "contact_person",
            "contact_person_detail",
            "responsible",
            "responsible_detail",
            "employee_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness is the service's to check: it answers 409.
        validators = []
        extra_kwargs = {"edrpou": {"validators": [validate_edrpou]}}


class FolderSerializer(serializers.ModelSerializer):
    article_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Folder
        fields = ["id", "company", "name", "article_count", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators = []  # uniqueness is the service's to check: it answers 409


class ArticleSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True, allow_null=True)
    folders = parsing.PrimaryKeyRelatedField(many=True, queryset=Folder.objects.all(), required=False)

    class Meta:
        model = Article
        fields = ["id", "company", "name", "description", "folders", "views", "author", "created_at", "updated_at"]
        read_only_fields = ["id", "views", "author", "created_at", "updated_at"]


class KnowledgeFileSerializer(serializers.ModelSerializer):
    company = serializers.IntegerField(source="article.company_id", read_only=True)
    download_url = DownloadURLField("knowledge")

    class Meta:
        model = KnowledgeFile
        fields = ["id", "article", "company", "name", "file", "download_url", "created_at"]
        read_only_fields = ["id", "company", "created_at"]
        extra_kwargs = {"file": {"write_only": True}}
