"""Strict input: unknown or read-only fields are refused, ids out of range read as missing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import exceptions, serializers

# Form posts from the browsable API carry Django's CSRF token next to the fields.
_TRANSPORT_FIELDS = frozenset({"csrfmiddlewaretoken"})
MAX_ID = 2**63 - 1


class StrictFieldsMixin:
    """Reject fields a client may not write with 400 instead of silently ignoring them.

    A read-only field (owner, state, score, timestamps...) answers "This field is read-only." and
    an unknown one "Unknown field.", so a mass-assignment attempt never passes unnoticed.
    """

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            extra = sorted(set(data) - writable - _TRANSPORT_FIELDS)
            if extra:
                raise exceptions.ValidationError(
                    {
                        name: ["This field is read-only." if name in self.fields else "Unknown field."]
                        for name in extra
                    }
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class EmptySerializer(StrictFieldsMixin, serializers.Serializer):
    """A POST that takes no fields: any field sent is refused."""


def parse_id(value: Any) -> int:
    """Return value as a database id, or raise NotFound (ids in URLs that cannot exist read as missing)."""
    try:
        number = int(str(value))
    except ValueError:
        raise exceptions.NotFound() from None
    if not 1 <= number <= MAX_ID:
        raise exceptions.NotFound()
    return number
