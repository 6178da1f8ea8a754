from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from companies.selectors import company_list
from contacts.selectors import contacts_visible
from crm.api import viewsets
from crm.spreadsheets.exports import ExportMixin
from tasks import selectors, services
from tasks.filters import TaskFilter
from tasks.models import Project, Tag, Task
from tasks.permissions import StaffCreateAdminChange, TaskPermission
from tasks.resources import TaskResource
from tasks.serializers import ProjectSerializer, TagSerializer, TaskFileSerializer, TaskSerializer

TASK_ORDERING = ["date", "priority", "name", "created_at", "updated_at", "finished_at"]
TASK_SEARCH = ["name", "description"]


class TaskViewSet(ExportMixin, viewsets.ModelViewSet):
    """Tasks: a piece of work planned for a day, with responsible and related people, a project and tags.

    Seen by their responsible people, their creator, the related people who accepted them,
    those people's heads up the department tree, admins and the owner. Creator, responsible
    people, accepted related people, admins and the owner edit, finish, reopen and attach
    a file; only the creator, admins and the owner delete. Heads of the creator or of a
    responsible person may do what they may, and hand the task only among their subordinates.
    A related person accepts or declines with `accept`/`decline`;
    until they accept, the task is not theirs to see.
    """

    model = Task
    serializer_class = TaskSerializer
    resource_class = TaskResource
    permission_classes = [TaskPermission]
    filterset_class = TaskFilter
    search_fields = TASK_SEARCH
    ordering_fields = TASK_ORDERING

    def scoped_queryset(self, user):
        if self.action in ("accept", "decline"):
            return selectors.tasks_shared_with(user=user)
        if self.action == "list":
            return selectors.task_rows(user=user)
        return selectors.task_list(user=user)

    def fresh_queryset(self):
        # Through the list, not the shares of accept/decline: once accepted, the task is the caller's.
        return selectors.task_list(user=self.request.user)

    def perform_create(self, serializer):
        task = services.task_create(actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(task)

    def perform_update(self, serializer):
        services.task_update(task=serializer.instance, actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(serializer.instance)

    def perform_destroy(self, instance):
        services.task_delete(task=instance, actor=self.request.user)

    @extend_schema(
        request=None, responses=TaskSerializer, description="Finish; a repeated task gets its next occurrence."
    )
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        return self.fresh_response(services.task_finish(task=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self.fresh_response(services.task_reopen(task=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=TaskSerializer, description="Accept a task shared with you.")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        share = services.task_share_respond(task=self.get_object(), user=request.user, accept=True)
        return self.fresh_response(share.task)

    @extend_schema(request=None, responses={204: None}, description="Decline a task shared with you.")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        services.task_share_respond(task=self.get_object(), user=request.user, accept=False)
        return Response(status=204)

    @extend_schema(request={"multipart/form-data": TaskFileSerializer}, responses=TaskSerializer)
    @action(detail=True, methods=["put"], parser_classes=[MultiPartParser])
    def file(self, request, pk=None):
        task = self.get_object()
        serializer = TaskFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.task_attach_file(task=task, actor=request.user, file=serializer.validated_data["file"])
        return self.fresh_response(task)


class NestedTaskViewSet(viewsets.NestedListViewSet):
    """The caller's visible tasks of one contact or company; 404 for one that does not exist."""

    model = Task
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    search_fields = TASK_SEARCH
    ordering_fields = TASK_ORDERING
    rows = staticmethod(selectors.task_list)


class ContactTaskViewSet(NestedTaskViewSet):
    parent_kwarg, parent_field, parents = "contact_pk", "contact", staticmethod(contacts_visible)


class CompanyTaskViewSet(NestedTaskViewSet):
    parent_kwarg, parent_field, parents = "company_pk", "company", staticmethod(company_list)


class TagViewSet(viewsets.ModelViewSet):
    """Task tags: all staff read and create; the owner and admins rename and delete."""

    model = Tag
    serializer_class = TagSerializer
    permission_classes = [StaffCreateAdminChange]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]

    def scoped_queryset(self, user):
        return selectors.tag_list()

    def perform_create(self, serializer):
        serializer.instance = services.tag_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        services.tag_update(tag=serializer.instance, actor=self.request.user, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.tag_delete(tag=instance, actor=self.request.user)


class ProjectViewSet(viewsets.ModelViewSet):
    """Task projects: all staff read and create; the owner and admins rename and delete."""

    model = Project
    serializer_class = ProjectSerializer
    permission_classes = [StaffCreateAdminChange]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at"]

    def scoped_queryset(self, user):
        return selectors.project_list()

    def perform_create(self, serializer):
        serializer.instance = services.project_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        services.project_update(project=serializer.instance, actor=self.request.user, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.project_delete(project=instance, actor=self.request.user)
