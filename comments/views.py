from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from comments import selectors, services
from comments.filters import CommentFilter
from comments.models import Comment
from comments.serializers import CommentCreateSerializer, CommentSerializer, CommentUpdateSerializer
from crm.api import viewsets
from crm.api.parsers import JSONParser


class CommentViewSet(
    viewsets.GenericViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
):
    """Comments on any object the caller may see; only their author changes or deletes them."""

    model = Comment
    serializer_class = CommentSerializer
    parser_classes = [JSONParser, MultiPartParser]
    filterset_class = CommentFilter
    search_fields = ["text"]
    ordering_fields = ["created_at"]

    def scoped_queryset(self, user):
        return selectors.comment_list(user=user)

    def get_object(self):
        # Not through filter_queryset: the `target` filter is for lists only.
        comment = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, comment)
        if not selectors.target_is_visible(
            user=self.request.user, content_type=comment.content_type, object_id=comment.object_id
        ):
            raise NotFound(_("No such comment."))
        return comment

    # Declared as multipart, the one body that carries a file; a comment without one may be sent as JSON too.
    @extend_schema(request={"multipart/form-data": CommentCreateSerializer}, responses={201: CommentSerializer})
    def create(self, request):
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        content_type, object_id = data.pop("target")
        comment = services.comment_create(author=request.user, content_type=content_type, object_id=object_id, **data)
        return Response(self.get_serializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": CommentUpdateSerializer}, responses=CommentSerializer)
    def partial_update(self, request, pk=None):
        comment = self.get_object()
        serializer = CommentUpdateSerializer(comment, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.comment_update(comment=comment, actor=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(comment).data)

    def perform_destroy(self, instance):
        services.comment_delete(comment=instance, actor=self.request.user)
