from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.api import viewsets
from crm.spreadsheets.exports import ExportMixin
from crm.spreadsheets.imports import ImportMixin
from leads import selectors, services
from leads.filters import LeadFilter
from leads.models import Lead
from leads.resources import LeadResource
from leads.serializers import FunnelStageSerializer, LeadConvertSerializer, LeadFailSerializer, LeadSerializer


class LeadViewSet(ImportMixin, ExportMixin, viewsets.ModelViewSet):
    """Leads: visible to their responsible user and creator, their managers, admins and the owner."""

    model = Lead
    serializer_class = LeadSerializer
    resource_class = LeadResource
    filterset_class = LeadFilter
    search_fields = ["name", "email", "phone", "notes"]
    ordering_fields = ["created_at", "updated_at", "name", "status"]

    def scoped_queryset(self, user):
        if self.action == "list":
            return selectors.lead_rows(user=user)
        return selectors.lead_list(user=user)

    def perform_create(self, serializer):
        lead = services.lead_create(actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(lead)

    def perform_update(self, serializer):
        services.lead_update(lead=serializer.instance, actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.fresh(serializer.instance)

    def perform_destroy(self, instance):
        services.lead_delete(lead=instance, actor=self.request.user)

    @extend_schema(request=LeadConvertSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """Make the lead a contact (reusing one with the same phone or email) and a deal; once."""
        serializer = LeadConvertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.fresh_response(
            services.lead_convert(lead=self.get_object(), actor=request.user, **serializer.validated_data)
        )

    @extend_schema(request=LeadFailSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def fail(self, request, pk=None):
        serializer = LeadFailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        return self.fresh_response(services.lead_fail(lead=self.get_object(), actor=request.user, reason=reason))

    @extend_schema(responses=FunnelStageSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def funnel(self, request):
        """The funnel: every status with its number of leads, under the same filters as the list."""
        stages = selectors.lead_funnel(self.filter_queryset(self.get_queryset()))
        return Response(FunnelStageSerializer(stages, many=True).data)
