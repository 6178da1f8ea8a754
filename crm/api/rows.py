"""A serializer's representation of many rows, compiled once: what `Serializer(rows, many=True).data` holds.

The serializer stays the one declaration of a representation (the schema reads it too); this only runs it
faster. DRF builds a serializer's fields for every request (a model serializer of 20 fields with nested
summaries takes milliseconds) and, for every field of every row, looks the value up through generic code.
Here the fields are built once per serializer class and thread, and each readable field becomes one step:

- a model column whose DRF field would hand it back unchanged (text, integer, boolean, a choice of them,
  a related row's id) is read as a plain attribute;
- a nested serializer is compiled the same way, and a nested list reads the prefetched rows directly;
- anything else (dates, decimals, computed fields, fields that read the request) calls the field itself,
  as DRF would: its own `get_attribute` and `to_representation`.

A serializer that writes its own `to_representation` is called as it is. Fields are built with a context that
notes being read: a serializer whose fields depend on the request is built afresh for every call, as DRF does.
`crm/tests/test_fast_lists.py` compares the output with DRF's, field by field, for every benchmarked list.
"""

import threading
from collections.abc import Callable, Mapping
from operator import attrgetter

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from rest_framework import ISO_8601, fields, relations, serializers
from rest_framework.fields import SkipField
from rest_framework.settings import api_settings

_SKIP = object()  # a field DRF leaves out of the row (SkipField)

# DRF fields whose `to_representation` returns these model columns' values unchanged (`str` of a string,
# `int` of an integer, the choice's own value), with the model fields that hold such values.
_TEXT = (models.CharField, models.TextField)
_PLAIN = {
    fields.CharField.to_representation: _TEXT,
    fields.IntegerField.to_representation: (models.IntegerField,),
    fields.BooleanField.to_representation: (models.BooleanField,),
    fields.ChoiceField.to_representation: (*_TEXT, models.IntegerField),
}


def represent_many(serializer_class: type[serializers.BaseSerializer], rows, context: dict) -> list:
    """`serializer_class(rows, many=True, context=context).data`, as plain lists and dicts."""
    compiled = _compiled(serializer_class, many=True, context=context)
    if compiled is None:
        return serializer_class(rows, many=True, context=context).data
    with compiled.serving(context):
        return [compiled.row(row) for row in rows]


def represent(serializer_class: type[serializers.BaseSerializer], instance, context: dict) -> dict:
    """`serializer_class(instance, context=context).data`, as plain lists and dicts."""
    compiled = _compiled(serializer_class, many=False, context=context)
    if compiled is None:
        return serializer_class(instance, context=context).data
    with compiled.serving(context):
        return compiled.row(instance)


class _NotedContext(Mapping):
    """An empty context that notes whether anything looked into it."""

    read = False

    def __getitem__(self, key):
        self.read = True
        raise KeyError(key)

    def __iter__(self):
        self.read = True
        return iter(())

    def __len__(self):
        self.read = True
        return 0


class _Compiled:
    def __init__(self, serializer_class, *, many: bool, context):
        # Built as the list view builds it (a list of rows as the instance), so `get_fields` sees the same.
        self.root = serializer_class([], many=True, context=context) if many else serializer_class(context=context)
        self.row = _compile(self.root.child if many else self.root)
        self.busy = False

    def serving(self, context):
        return _Serving(self, context)


class _Serving:
    """The request's context for the fields of a compiled serializer, for the time of one call."""

    def __init__(self, compiled: _Compiled, context):
        self.compiled, self.context = compiled, context

    def __enter__(self):
        self.compiled.busy = True
        self.compiled.root._context = self.context
        _local.zone = timezone.get_current_timezone()  # as DRF's DateTimeField finds it, once a call

    def __exit__(self, *exc):
        self.compiled.root._context = {}
        self.compiled.busy = False


_local = threading.local()


def _compiled(serializer_class, *, many: bool, context) -> _Compiled | None:
    if many and not _default_list(serializer_class):
        return None
    cache = _local.__dict__.setdefault("compiled", {})
    key = (serializer_class, many)
    compiled = cache.get(key)
    if compiled is None or compiled.busy:
        noted = _NotedContext()
        try:
            compiled = _Compiled(serializer_class, many=many, context=noted)
        except Exception:
            if not noted.read:
                raise
        if noted.read:  # its fields depend on the request: build them for this one
            return _Compiled(serializer_class, many=many, context=context)
        if key not in cache:
            cache[key] = compiled
    return compiled


@receiver(setting_changed)
def _forget(**kwargs):
    # Fields read settings when they are built (tests change them); only this thread's copies can be stale.
    _local.__dict__.pop("compiled", None)


def _default_list(serializer_class) -> bool:
    meta = getattr(serializer_class, "Meta", None)
    list_class = getattr(meta, "list_serializer_class", serializers.ListSerializer)
    return (
        serializer_class.many_init.__func__ is serializers.BaseSerializer.many_init.__func__
        and list_class.to_representation is serializers.ListSerializer.to_representation
    )


def _compile(serializer) -> Callable:
    if type(serializer).to_representation is not serializers.Serializer.to_representation:
        return serializer.to_representation
    model = serializer.Meta.model if isinstance(serializer, serializers.ModelSerializer) else None
    steps, skippable = [], False
    for field in serializer._readable_fields:
        step, may_skip = _step(field, model)
        steps.append((field.field_name, step))
        skippable = skippable or may_skip

    if skippable:

        def compiled(instance):
            return {name: value for name, step in steps if (value := step(instance)) is not _SKIP}

    else:

        def compiled(instance):
            return {name: step(instance) for name, step in steps}

    if model is None:
        return compiled

    def row(instance):
        # The steps read a model's attributes: anything else goes DRF's way.
        return compiled(instance) if isinstance(instance, model) else serializer.to_representation(instance)

    return row


def _step(field, model) -> tuple[Callable, bool]:
    """The step that reads `field` of a row, and whether it may leave the field out."""
    generic = _generic(field)
    if type(field).get_attribute is not _own_get_attribute(field):
        return generic, True
    if field.source == "*":
        return field.to_representation, False
    column = _column(model, field.source_attrs)
    related = column if len(field.source_attrs) == 1 else None  # a relation of the row itself
    if isinstance(field, serializers.ListSerializer):
        if type(field).to_representation is serializers.ListSerializer.to_representation:
            child = _compile(field.child)
            if _many(related):
                return _rows_of(field.source_attrs[0], child), False
            return _generic(field, _each(child)), True
    elif isinstance(field, relations.ManyRelatedField):
        if _pk_only(field.child_relation) and _many(related):
            return _ids_of(field.source_attrs[0]), False
    elif isinstance(field, serializers.BaseSerializer):
        represent = _compile(field)
        if _forward(related):
            return _nested(field.source_attrs[0], represent, generic), False
        return _generic(field, represent), True
    elif isinstance(field, relations.RelatedField):
        if _pk_only(field) and _forward(related):
            return attrgetter(related.attname), False
    elif column is not None and column.concrete and not column.is_relation:
        return _path(field.source_attrs, _converter(field, column), generic), False
    return generic, True


def _own_get_attribute(field):
    """The `get_attribute` DRF gives this kind of field (a subclass that changes it is not compiled)."""
    if isinstance(field, relations.ManyRelatedField):
        return relations.ManyRelatedField.get_attribute
    if isinstance(field, relations.RelatedField):
        return relations.RelatedField.get_attribute
    return fields.Field.get_attribute


def _generic(field, represent: Callable | None = None) -> Callable:
    """DRF's own reading of one field (Serializer.to_representation, for one field), written by `represent`
    (a nested serializer compiled) or by the field itself."""
    represent = represent or field.to_representation

    def read(instance):
        try:
            attribute = field.get_attribute(instance)
        except SkipField:
            return _SKIP
        checked = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
        return None if checked is None else represent(attribute)

    return read


def _each(represent: Callable) -> Callable:
    """ListSerializer.to_representation, with its child compiled."""

    def write(rows):
        return [represent(row) for row in (rows.all() if isinstance(rows, models.manager.BaseManager) else rows)]

    return write


def _column(model, attrs: list[str]):
    """The model field that `attrs` (a source such as `company.name`) ends on, through forward relations only."""
    if model is None or not attrs:
        return None
    for position, name in enumerate(attrs):
        try:
            column = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if position == len(attrs) - 1:
            return column
        if not _forward(column):
            return None
        model = column.related_model
    return None


def _forward(column) -> bool:
    return column is not None and column.concrete and (column.many_to_one or column.one_to_one)


def _many(column) -> bool:
    return column is not None and (column.many_to_many or column.one_to_many)


def _pk_only(field) -> bool:
    return (
        isinstance(field, relations.PrimaryKeyRelatedField)
        and field.pk_field is None
        and field.use_pk_only_optimization()
        and type(field).to_representation is relations.PrimaryKeyRelatedField.to_representation
        and len(field.source_attrs) == 1
    )


def _converter(field, column) -> Callable | None:
    """What DRF's `field` does to a value of `column` that is not None: None when it writes it unchanged."""
    represent = type(field).to_representation
    big = represent is fields.BigIntegerField.to_representation
    if big and not getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING):
        represent = fields.IntegerField.to_representation
    kinds = _PLAIN.get(represent)
    if kinds is not None and isinstance(column, kinds) and not hasattr(column, "from_db_value"):
        if not isinstance(field, fields.ChoiceField):
            return None
        # A choice is written as its key whose text is the value's: the value itself, if the keys are its kind.
        kind = str if isinstance(column, _TEXT) else int
        if all(type(key) is not bool and isinstance(key, kind) for key in field.choice_strings_to_values.values()):
            return None
    if _iso(field, fields.DateTimeField, api_settings.DATETIME_FORMAT) and isinstance(column, models.DateTimeField):
        return _datetime(field)
    if _iso(field, fields.DateField, api_settings.DATE_FORMAT) and type(column) is models.DateField:
        return _date
    return field.to_representation


def _iso(field, kind, default_format) -> bool:
    """Whether `field` is DRF's `kind` writing ISO 8601 in the current time zone."""
    return (
        type(field).to_representation is kind.to_representation
        and str(getattr(field, "format", default_format)).lower() == ISO_8601
        and (
            kind is not fields.DateTimeField
            or (
                settings.USE_TZ
                and not hasattr(field, "timezone")
                and type(field).enforce_timezone is fields.DateTimeField.enforce_timezone
                and type(field).default_timezone is fields.DateTimeField.default_timezone
            )
        )
    )


def _datetime(field) -> Callable:
    def write(value):
        if isinstance(value, str) or value.utcoffset() is None:
            return field.to_representation(value)
        try:
            text = value.astimezone(_local.zone).isoformat()
        except OverflowError:
            return field.to_representation(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def _date(value):
    return value if isinstance(value, str) else value.isoformat()


def _path(attrs: list[str], convert: Callable | None, generic: Callable) -> Callable:
    """A column read through `attrs` and written by `convert`; a missing related row goes the generic way
    (None, left out, or an error, as the field says)."""
    *through, last = attrs
    if not through:
        if convert is None:
            return attrgetter(last)

        def read_own(instance):
            value = getattr(instance, last)
            return None if value is None else convert(value)

        return read_own

    def read(instance):
        target = instance
        try:
            for name in through:
                target = getattr(target, name)
                if target is None:
                    return generic(instance)
        except ObjectDoesNotExist:
            return generic(instance)
        value = getattr(target, last)
        return value if value is None or convert is None else convert(value)

    return read


def _nested(name: str, represent: Callable, generic: Callable) -> Callable:
    def read(instance):
        try:
            related = getattr(instance, name)
        except ObjectDoesNotExist:
            return generic(instance)
        return None if related is None else represent(related)

    return read


def _related_rows(name: str) -> Callable:
    """The rows of a to-many relation: the prefetched ones when there are (no related manager is built)."""

    def rows(instance):
        prefetched = instance.__dict__.get("_prefetched_objects_cache", {}).get(name)
        return prefetched if prefetched is not None else getattr(instance, name).all()

    return rows


def _rows_of(name: str, represent: Callable) -> Callable:
    rows = _related_rows(name)
    return lambda instance: [represent(row) for row in rows(instance)]


def _ids_of(name: str) -> Callable:
    rows = _related_rows(name)
    return lambda instance: [row.pk for row in rows(instance)]
