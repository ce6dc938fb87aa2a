"""What a locked-out log-in sees, and for how long (django-axes' callables; docs/security.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.utils import reset
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    """Return how long failures count (AXES_COOLOFF_TIME): LOGIN_COOLOFF_MINUTES, read per request."""
    return dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def is_locked_out(request: HttpRequest) -> bool:
    """Return whether authenticate() just refused request for a lockout (django-axes marks it)."""
    return bool(getattr(request, "axes_locked_out", False))


def unlock_account(*, username: str) -> int:
    """Forget the failed log-ins of username (from every address); return how many records went.

    Failures counted against a client address stay: they are about that address, not the account.
    """
    return reset(username=username)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """Answer a log-in refused for too many failures (AXES_LOCKOUT_CALLABLE): 429 and a clear page.

    The API's token view answers in the API's JSON error shape itself (core.api.errors.LockedOut);
    its answer is kept as it is.
    """
    if original_response is not None and request.path.startswith("/api/"):
        return original_response
    seconds = int(cool_off(request).total_seconds())
    response = render(request, "registration/locked_out.html", {"minutes": seconds // 60}, status=429)
    response["Retry-After"] = str(seconds)
    return response
