import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from comments.models import Comment
from comments.selectors import target_is_visible
from crm.api.filters import PeriodFilterSet
from crm.api.targets import parse_target


class CommentFilter(PeriodFilterSet):
    target = django_filters.CharFilter(
        method="filter_target",
        required=True,
        label=gettext_lazy("Required: what the comments are about, as app_label.model:id"),
    )

    class Meta:
        model = Comment
        fields = ["author"]

    def filter_target(self, queryset, name, value):
        try:
            content_type, object_id = parse_target(value)
        except ValidationError as error:
            raise serializers.ValidationError({"target": error.messages}) from None
        if not target_is_visible(user=self.request.user, content_type=content_type, object_id=object_id):
            raise NotFound(_("No such object."))
        return queryset.filter(content_type=content_type, object_id=object_id)
