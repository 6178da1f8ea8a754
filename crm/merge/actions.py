"""The `duplicates/` and `<id>/merge/` actions that contacts and companies share."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from crm.api import parsing
from crm.api.ids import MAX_ID
from crm.merge import merge_records


class MergeRequestSerializer(serializers.Serializer):
    other = parsing.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=_("The record to merge into this one; it goes to the trash.")
    )


class MergeDuplicatesMixin:
    """A viewset with `duplicate_pairs` (a `crm.merge.duplicates.DuplicatePairs`) gets both actions.

    Merging needs the right to change both records; `merge_combine(kept, other)` may add
    what a plain copy of empty fields does not cover and return the names of the fields it changed.
    """

    duplicate_pairs = None

    def merge_combine(self, kept, other) -> list[str]:
        return []

    @extend_schema(
        parameters=[OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("page_size", OpenApiTypes.INT)],
        responses=inline_serializer(
            "DuplicatePair",
            {"reason": serializers.CharField(), "first": serializers.DictField(), "second": serializers.DictField()},
            many=True,
        ),
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def duplicates(self, request):
        """Likely duplicates, pair by pair, with the reason: the same email or EDRPOU, or very similar names."""
        page = self.paginate_queryset(self.duplicate_pairs)
        ids = {pair["first"] for pair in page} | {pair["second"] for pair in page}
        records = {record.pk: record for record in self.get_queryset().filter(pk__in=ids)}
        rows = [
            {
                "reason": pair["reason"],
                "first": self.get_serializer(records[pair["first"]]).data,
                "second": self.get_serializer(records[pair["second"]]).data,
            }
            for pair in page
            if pair["first"] in records and pair["second"] in records
        ]
        return self.get_paginated_response(rows)

    @extend_schema(request=MergeRequestSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Move everything of `other` (phones, events, orders, deals, comments...) here, fill empty fields, trash it."""
        kept = self.get_object()
        serializer = MergeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        other = self.get_queryset().filter(pk=serializer.validated_data["other"]).first()
        if other is None:
            raise NotFound(_("There is no such record to merge."))
        self.check_object_permissions(request, other)
        merge_records(kept=kept, other=other, actor=request.user, combine=self.merge_combine)
        return self.fresh_response(kept)
