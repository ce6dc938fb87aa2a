"""Read-only serializers of plain objects (dataclasses, rows), represented without per-field dispatch.

Progress and cohort responses are dozens of nested rows of plain numbers, strings and datetimes;
DRF's generic path (get_attribute, a to_representation call and the time zone looked up again
for every single value) cost a cohort page about as much CPU as reading its rows. A
PlainSerializer declares its fields as any Serializer does (the schema and docs come from them)
and represents an object by a plan: each field's value read from its source and converted exactly
as DRF would convert it. Field kinds the plan does not know keep DRF's own methods.

When no field can read the serializer's context (every field a plain number, string, boolean,
ISO datetime or nested PlainSerializer of such, read from one attribute), the plan is made once
per class and time zone and shared by every instance: DRF otherwise deep-copies and binds each
nested serializer's declared fields on every request (a fifth of a progress call's CPU). Such a
serializer's fields must follow from its class alone (no fields chosen in __init__).
tests/api/test_plain_serializer.py holds the two paths to the same output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField, empty, is_simple_callable
from rest_framework.settings import api_settings

Convert = Callable[[Any], Any]
# (name, the source attribute or None, convert a value that is not None, the field)
Step = tuple[str, str | None, Convert, serializers.Field]

_SIMPLE: dict[type, Convert] = {
    serializers.IntegerField: int,
    serializers.FloatField: float,
    serializers.CharField: str,
}
# Field kinds whose own to_representation reads nothing but the value
_VALUE_ONLY = (serializers.BooleanField,)

# (class, time zone) -> the shared plan, or None when a field may read the context
_SHARED_PLANS: dict[tuple[type, Any], list[Step] | None] = {}


class PlainSerializer(serializers.Serializer):
    """A read-only Serializer of plain objects with the output of DRF's, made faster (see above)."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        plan: list[Step] | None = self.__dict__.get("_plain_plan")
        if plan is None:
            shared = _shared_plan(type(self))
            plan = shared if shared is not None else [_step(field) for field in self._readable_fields]
            self.__dict__["_plain_plan"] = plan
        mapping = isinstance(instance, Mapping)
        represented = {}
        for name, attr, convert, field in plan:
            try:
                if attr is None:
                    value = field.get_attribute(instance)
                else:
                    # rest_framework.fields.get_attribute for a one-step source; on a miss DRF
                    # decides (a default, null, skipping the field, or the error)
                    try:
                        value = instance[attr] if mapping else getattr(instance, attr)
                    except (KeyError, AttributeError, ObjectDoesNotExist):
                        value = field.get_attribute(instance)
                    else:
                        if callable(value) and is_simple_callable(value):
                            value = value()
            except SkipField:
                continue
            represented[name] = None if value is None else convert(value)
        return represented


def _shared_plan(cls: type[PlainSerializer]) -> list[Step] | None:
    """Return the plan every instance of cls shares in the current time zone, or None if it has none."""
    key = (cls, timezone.get_current_timezone() if settings.USE_TZ else None)
    if key not in _SHARED_PLANS:
        template = cls()  # bound to no parent and no context
        plan = [_step(field) for field in template._readable_fields]
        _SHARED_PLANS[key] = plan if all(_reads_value_only(step) for step in plan) else None
    return _SHARED_PLANS[key]


def _reads_value_only(step: Step) -> bool:
    """Whether a step reads its object's attribute and nothing else (not the serializer's context)."""
    _, attr, _, field = step
    if attr is None:
        return False
    nested = field.child if isinstance(field, serializers.ListSerializer) else field
    if isinstance(nested, PlainSerializer):
        return _shared_plan(type(nested)) is not None
    if getattr(field.default, "requires_context", False):
        return False
    return type(field) in _SIMPLE or isinstance(field, (serializers.DateTimeField, *_VALUE_ONLY))


def _step(field: serializers.Field) -> Step:
    """Return (name, the one-step source or None for DRF's own reading, conversion, field)."""
    name = field.field_name or ""
    attrs = field.source_attrs
    attr = attrs[0] if len(attrs) == 1 else None
    if attr is not None and isinstance(field, PlainSerializer | serializers.ListSerializer):
        return name, attr, field.to_representation, field  # a list's items: its child's plan
    if attr is not None and type(field) in _SIMPLE:
        return name, attr, _SIMPLE[type(field)], field
    if attr is not None and isinstance(field, _VALUE_ONLY):
        return name, attr, field.to_representation, field
    if attr is not None and isinstance(field, serializers.DateTimeField):
        iso = _iso_datetime(field)
        if iso is not None:
            return name, attr, iso, field
    return name, None, field.to_representation, field


def _iso_datetime(field: serializers.DateTimeField) -> Convert | None:
    """Return DRF's ISO 8601 output of an aware datetime in the field's time zone, or None when
    the field is set up otherwise (its own format or time zone, or USE_TZ off)."""
    if getattr(field, "format", empty) is not empty or api_settings.DATETIME_FORMAT != ISO_8601:
        return None
    if hasattr(field, "timezone"):
        return None
    zone: Any = field.default_timezone()  # the request's current time zone, fixed for the serializer's life
    if zone is None:
        return None

    def iso(value: Any) -> Any:
        if not value:
            return None
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso
