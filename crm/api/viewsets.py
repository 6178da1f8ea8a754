"""Base viewsets: every API viewset of the project inherits one of these.

They apply the access rules of SPEC.md section 3 in one place. A subclass
names its `model` and implements `scoped_queryset(user)`, normally by calling
a selector that returns only the rows `user` may see. `get_queryset` is sealed:
a subclass that overrides it fails at import time, so none can skip the scope.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import get_object_or_404
from rest_framework import generics, mixins, viewsets
from rest_framework.response import Response

from crm.api import rows


class ScopedViewSetMixin:
    model = None
    lookup_value_regex = "[0-9]+"
    # Nothing is sortable or searchable unless a viewset names the fields.
    ordering_fields: tuple | list = ()
    search_fields: tuple | list = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must implement scoped_queryset(user), not get_queryset().")

    def scoped_queryset(self, user):
        raise NotImplementedError(f"{type(self).__name__} must implement scoped_queryset(user).")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model._default_manager.none()
        return self.scoped_queryset(self.request.user)

    def filter_queryset(self, queryset):
        # List filters, search and ordering are for lists: `?search=x` must not turn a detail into a 404.
        if getattr(self, "detail", False):
            return queryset
        return super().filter_queryset(queryset)

    def fresh(self, instance):
        """`instance` read again through the scoped queryset, with what its representation needs joined in.

        A record the caller has just handed to someone whose records they do not see is answered as written.
        """
        try:
            return self.fresh_queryset().get(pk=instance.pk)
        except ObjectDoesNotExist:
            return instance

    def fresh_queryset(self):
        return self.get_queryset()

    def fresh_response(self, instance, status: int = 200) -> Response:
        return Response(self.get_serializer(self.fresh(instance)).data, status=status)

    def represent_many(self, instances) -> list:
        """`self.get_serializer(instances, many=True).data`, through the serializer compiled once (crm.api.rows)."""
        if type(self).get_serializer is not generics.GenericAPIView.get_serializer:
            return self.get_serializer(instances, many=True).data
        return rows.represent_many(self.get_serializer_class(), instances, self.get_serializer_context())


class ListModelMixin(mixins.ListModelMixin):
    """DRF's list, the same JSON, with the page represented by `represent_many`."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self.represent_many(page))
        return Response(self.represent_many(queryset))


class GenericViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    pass


class ReadOnlyModelViewSet(ScopedViewSetMixin, ListModelMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ListRetrieveUpdateViewSet(
    ScopedViewSetMixin,
    ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    pass


class ModelViewSet(ScopedViewSetMixin, ListModelMixin, viewsets.ModelViewSet):
    pass


class NestedListViewSet(ScopedViewSetMixin, ListModelMixin, viewsets.GenericViewSet):
    """The caller's visible rows of one parent record (`/contacts/<contact_pk>/calls/`); 404 for a
    parent that does not exist or that the caller may not see.

    A subclass names `parent_kwarg` (the URL's), `parent_field` (the rows' link to the parent), and
    the two selectors as static methods: `parents(user=…)` and `rows(user=…)`.
    """

    parent_kwarg: str
    parent_field: str

    def scoped_queryset(self, user):
        parent = get_object_or_404(self.parents(user=user), pk=self.kwargs[self.parent_kwarg])
        return self.rows(user=user).filter(**{self.parent_field: parent})
