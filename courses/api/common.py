"""Plumbing every API view shares: the error shape, strict input, throttles read at request time,
cursor pages and who counts as staff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions, serializers, throttling
from rest_framework.pagination import CursorPagination
from rest_framework.settings import api_settings

# Form posts from the browsable API carry Django's CSRF token next to the fields.
_TRANSPORT_FIELDS = frozenset({"csrfmiddlewaretoken"})
MAX_ID = 2**63 - 1


class ErrorSerializer(serializers.Serializer):
    """Every 4xx answer: a stable code, a message for people, and the errors of each field."""

    code = serializers.CharField(help_text="Stable, machine-readable reason, e.g. `attempt_closed`.")
    message = serializers.CharField(help_text="What went wrong, in words fit for the user.")
    errors = serializers.DictField(  # type: ignore[assignment]  # a field, not Serializer.errors
        child=serializers.JSONField(),
        help_text="Field name -> list of messages (nested for nested fields); empty: no field at fault.",
    )
    retry_after_seconds = serializers.IntegerField(
        required=False, help_text="Only on 429: seconds to wait before trying again."
    )


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


def user_id(request: Any) -> int:
    """Return the signed-in caller's id (views that call it require authentication)."""
    return int(request.user.pk)


def is_staff(user: Any) -> bool:
    """Return whether user sees every object through the API.

    Instructors get `is_staff` to enter the admin, so the API's "staff" is a superuser, as in the
    admin (courses.admin.owned_by).
    """
    return bool(user.is_authenticated and user.is_superuser)


# --- Throttles -------------------------------------------------------------------------------------
# DRF copies DEFAULT_THROTTLE_CLASSES onto every view and DEFAULT_THROTTLE_RATES onto the throttle
# classes when it is imported. These read both per request instead, so settings (and a test's
# override_settings) take effect without restarting.


class _RatesFromSettings:
    scope: str | None

    def get_rate(self) -> str | None:
        rates = cast("dict[str | None, str | None]", api_settings.DEFAULT_THROTTLE_RATES)
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}.")
        return rates[self.scope]


class AnonThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    """Anonymous clients, per IP address: rate `anon`."""


class UserThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    """Signed-in clients, per user: rate `user`."""


class ScopedThrottle(_RatesFromSettings, throttling.ScopedRateThrottle):
    """Views with a `throttle_scope` (e.g. `auth` for the token endpoint), per user or IP."""


class ThrottlesFromSettings:
    """View mixin: use the throttle classes the settings name now, not at import time."""

    def get_throttles(self) -> list[throttling.BaseThrottle]:
        classes = cast("list[type[throttling.BaseThrottle]]", api_settings.DEFAULT_THROTTLE_CLASSES)
        return [throttle() for throttle in classes]


class CursorPage(CursorPagination):
    """Cursor pages for lists that grow without bound: stable while rows are added."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-id"
