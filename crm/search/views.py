from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from crm import search
from crm.api import parsing


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(min_length=search.MIN_QUERY_LENGTH, max_length=200)
    type = serializers.CharField(required=False, allow_blank=True)
    limit = parsing.IntegerField(required=False, min_value=1, max_value=50, default=5)

    def validate_type(self, value):
        wanted = [name.strip() for name in value.split(",") if name.strip()]
        unknown = sorted(set(wanted) - set(search.types()))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown types: %(unknown)s. Known: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(search.types())}
            )
        return wanted or None


class SearchHitSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField(allow_null=True)
    rank = serializers.FloatField()
    url = serializers.CharField()


class SearchGroupSerializer(serializers.Serializer):
    type = serializers.CharField()
    count = serializers.IntegerField(help_text=_("Hits of this type; at most SEARCH_CANDIDATES (200)."))
    count_capped = serializers.BooleanField(help_text=_("More rows match than `count`: refine the query."))
    results = SearchHitSerializer(many=True)


class SearchView(APIView):
    """Global search: hits grouped by type, only among the rows the caller may see in each list."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                str,
                required=True,
                description=_(
                    "What to look for, at least 2 characters. Each word is looked for in the text; "
                    "a word of one or two letters at the start of a word."
                ),
            ),
            OpenApiParameter("type", str, description=_("Comma-separated types to search in; all by default.")),
            OpenApiParameter("limit", int, description=_("Hits per type, 1 to 50; 5 by default.")),
        ],
        responses=SearchGroupSerializer(many=True),
    )
    def get(self, request):
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        term = params.validated_data["q"].strip()
        if len(term) < search.MIN_QUERY_LENGTH:
            raise serializers.ValidationError({"q": [_("Type at least 2 characters.")]})
        groups = search.search(
            user=request.user,
            term=term,
            types=params.validated_data.get("type"),
            limit=params.validated_data["limit"],
        )
        # The groups are plain JSON values already (`SearchGroupSerializer` documents them): passing 45 hits
        # through the serializer's fields again cost more than most of the search's statements.
        return Response(groups)
