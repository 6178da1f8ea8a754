import django_filters
from django.utils.translation import gettext_lazy as _

from chat.models import Message
from crm.filters import PeriodFilterSet
from crm.ids import MAX_ID


class MessageFilter(PeriodFilterSet):
    chat = django_filters.NumberFilter(field_name="chat_id", min_value=1, max_value=MAX_ID, label=_("Chat"))
    author = django_filters.NumberFilter(field_name="author_id", min_value=1, max_value=MAX_ID, label=_("Author"))

    class Meta:
        model = Message
        fields: list = []
