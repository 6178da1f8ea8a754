"""`/api/trash/`: what the user may restore, newest first, and restoring it."""

from django.db.models import CharField, Value
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.tracking import tracked_restore
from crm import trash
from crm.api.ids import MAX_ID
from crm.api.pagination import MergedRows, PageNumberPagination


class TrashItemSerializer(serializers.Serializer):
    kind = serializers.CharField(source="trash_kind")
    id = serializers.IntegerField()
    title = serializers.CharField(source="trash_title")
    deleted_at = serializers.DateTimeField()
    deleted_by = serializers.IntegerField(source="deleted_by_id", allow_null=True)
    purge_after = serializers.DateTimeField()
    restore_url = serializers.CharField()


class TrashPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TrashItemSerializer(many=True)


def _item(row: dict) -> dict:
    return {
        **row,
        "purge_after": row["deleted_at"] + trash.purge_window(),
        "restore_url": f"/api/trash/{row['trash_kind']}/{row['id']}/restore/",
    }


def _rows(kind: trash.TrashKind, user):
    return (
        kind.restorable_by(user)
        .order_by()
        .values(
            "id",
            "deleted_at",
            "deleted_by_id",
            # Prefixed: a model may have fields of these names (a deal has a `kind`).
            trash_kind=Value(kind.name, output_field=CharField()),
            trash_title=Cast(kind.title, output_field=CharField()),
        )
    )


def _kinds_asked(request) -> list[trash.TrashKind]:
    known = trash.kinds()
    raw = request.query_params.get("kind", "")
    names = [name for name in raw.split(",") if name] or list(known)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise serializers.ValidationError({"kind": [_("Unknown kind: %(kinds)s.") % {"kinds": ", ".join(unknown)}]})
    return [known[name] for name in names]


class TrashListView(APIView):
    """Deleted contacts, companies, leads, deals and tasks that the user could delete, newest first."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind", OpenApiTypes.STR, description="Comma-separated kinds: contact, company, lead, deal, task."
            ),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses=TrashPageSerializer,
    )
    def get(self, request):
        parts = [_rows(kind, request.user) for kind in _kinds_asked(request)]
        rows = MergedRows(parts, ("-deleted_at", "trash_kind", "-id"))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(TrashItemSerializer([_item(row) for row in page], many=True).data)


class TrashRestoreView(APIView):
    """Bring a deleted record back, with everything that was attached to it."""

    @extend_schema(request=None, responses=TrashItemSerializer)
    def post(self, request, kind, pk):
        found = trash.kinds().get(kind)
        if found is None or pk > MAX_ID:
            raise Http404
        instance = found.restorable_by(request.user).filter(pk=pk).first()
        if instance is None:
            raise Http404
        row = _rows(found, request.user).get(pk=pk)
        tracked_restore(instance=instance, actor=request.user)
        return Response(TrashItemSerializer(_item(row)).data)


urlpatterns = [
    path("", TrashListView.as_view(), name="list"),
    path("<str:kind>/<int:pk>/restore/", TrashRestoreView.as_view(), name="restore"),
]
