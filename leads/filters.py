from crm.api.filters import PeriodFilterSet
from leads.models import Lead


class LeadFilter(PeriodFilterSet):
    class Meta:
        model = Lead
        fields = ["status", "source", "responsible"]
