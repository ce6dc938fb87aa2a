"""Throttles that read their classes and rates from the settings at request time.

DRF copies DEFAULT_THROTTLE_CLASSES onto every view and DEFAULT_THROTTLE_RATES onto the throttle
classes when it is imported. These read both per request instead, so settings (and a test's
override_settings) take effect without restarting.

They count in fixed windows (core.api.throttling.FixedWindow): one small counter per client and
window, raised atomically in the cache, instead of DRF's list of every request's time that is
read and written back whole on each request (hundreds of timestamps at the `user` rate, on the
answer-save's hot path).

Every counter lives in the default cache (Redis when REDIS_URL or CACHE_URL is set: one count for
every worker) and takes the client address by NUM_PROXIES (core.client_ip).
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling
from rest_framework.settings import api_settings


class FixedWindow(throttling.SimpleRateThrottle):
    """Allow `num_requests` per window of `duration` seconds, counted by an atomic cache increment.

    A client may send up to twice the rate across a window's edge; in exchange a request costs one
    small increment instead of a read and a write of its whole history.
    """

    count = 0
    num_requests: int
    duration: int

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        key = f"{self.key}:{window}"
        try:
            self.count = self.cache.incr(key)
        except ValueError:  # the window's first request (or its counter just expired)
            self.count = 1 if self.cache.add(key, 1, self.duration + 1) else self.cache.incr(key)
        self.window_end = (window + 1) * self.duration
        return self.count <= self.num_requests

    def wait(self) -> float | None:
        return max(0.0, self.window_end - self.now) if self.count > self.num_requests else None


class _RatesFromSettings:
    scope: str | None

    def get_rate(self) -> str | None:
        rates = cast("dict[str | None, str | None]", api_settings.DEFAULT_THROTTLE_RATES)
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}.")
        return rates[self.scope]


class AnonThrottle(_RatesFromSettings, throttling.AnonRateThrottle, FixedWindow):
    """Anonymous clients, per IP address: rate `anon`."""


class UserThrottle(_RatesFromSettings, throttling.UserRateThrottle, FixedWindow):
    """Signed-in clients, per user: rate `user`."""


class ScopedThrottle(_RatesFromSettings, throttling.ScopedRateThrottle, FixedWindow):
    """Views with a `throttle_scope` (e.g. `auth` for the token endpoint), per user or IP."""


class ThrottlesFromSettings:
    """View mixin: use the throttle classes the settings name now, not at import time."""

    def get_throttles(self) -> list[throttling.BaseThrottle]:
        classes = cast("list[type[throttling.BaseThrottle]]", api_settings.DEFAULT_THROTTLE_CLASSES)
        return [throttle() for throttle in classes]


class PasswordResetAddressThrottle(_RatesFromSettings, FixedWindow):
    """Password-reset requests per client address (NUM_PROXIES rule): rate `password_reset_address`."""

    scope = "password_reset_address"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PasswordResetEmailThrottle(_RatesFromSettings, FixedWindow):
    """Password-reset requests per e-mail address asked for, known or not: `password_reset_email`.

    Counted whether or not an account has the address, so the answer reveals nothing about it.
    """

    scope = "password_reset_email"

    def get_cache_key(self, request: Any, view: Any) -> str:
        email = str(request.POST.get("email", "")).strip().lower()
        return self.cache_format % {"scope": self.scope, "ident": hashlib.sha256(email.encode()).hexdigest()}


def password_reset_wait(request: Any) -> float | None:
    """Count a password-reset request; return the seconds to wait if it is one too many, else None."""
    no_view: Any = None  # a page, not an API view: these throttles never look at it
    waits = [
        throttle.wait() or 0.0
        for throttle in (PasswordResetAddressThrottle(), PasswordResetEmailThrottle())
        if not throttle.allow_request(request, no_view)
    ]
    return max(waits) if waits else None
