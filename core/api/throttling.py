"""Throttles that read their classes and rates from the settings at request time.

DRF copies DEFAULT_THROTTLE_CLASSES onto every view and DEFAULT_THROTTLE_RATES onto the throttle
classes when it is imported. These read both per request instead, so settings (and a test's
override_settings) take effect without restarting.
"""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling
from rest_framework.settings import api_settings


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
