from rest_framework import serializers

from contacts.serializers import ContactBriefSerializer
from crm.api import parsing
from crm.files.downloads import DownloadURLField
from tasks.models import Project, Tag, Task, TaskShare
from users.models import User
from users.serializers import UserBriefSerializer


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]
        read_only_fields = ["id"]
        validators = []  # uniqueness is the service's to check: it answers 409


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name", "description", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators = []  # uniqueness is the service's to check: it answers 409


class TaskShareSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)

    class Meta:
        model = TaskShare
        fields = ["user", "status", "responded_at"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    responsible = parsing.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.filter(is_active=True), required=False
    )
    responsible_detail = UserBriefSerializer(source="responsible", many=True, read_only=True)
    related_people = parsing.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.filter(is_active=True), required=False, write_only=True
    )
    shares = TaskShareSerializer(many=True, read_only=True)
    tags_detail = TagSerializer(source="tags", many=True, read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True, allow_null=True)
    company_name = serializers.CharField(source="company.name", read_only=True, allow_null=True)
    contact_detail = ContactBriefSerializer(source="contact", read_only=True, allow_null=True)
    created_by = UserBriefSerializer(read_only=True, allow_null=True)
    updated_by = UserBriefSerializer(read_only=True, allow_null=True)
    download_url = DownloadURLField("task")

    class Meta:
        model = Task
        fields = [
            "id",
            "name",
            "description",
            "responsible",
            "responsible_detail",
            "date",
            "priority",
            "project",
            "project_name",
            "remind",
            "remind_text",
            "remind_at",
            "reminded_at",
            "repeated",
            "repeat_every_days",
            "related_task",
            "previous",
            "tags",
            "tags_detail",
            "related_people",
            "shares",
            "created_by",
            "updated_by",
            "download_url",
            "finished",
            "finished_at",
            "company",
            "company_name",
            "contact",
            "contact_detail",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "reminded_at", "previous", "finished", "finished_at", "created_at", "updated_at"]


class TaskFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["file"]
        extra_kwargs = {"file": {"required": True, "allow_empty_file": False}}
