from django.utils.translation import gettext_lazy as _

from chat.models import Message
from crm.api.filters import IdFilter, PeriodFilterSet


class MessageFilter(PeriodFilterSet):
    chat = IdFilter(field_name="chat_id", label=_("Chat"))
    author = IdFilter(field_name="author_id", label=_("Author"))

    class Meta:
        model = Message
        fields: list = []
