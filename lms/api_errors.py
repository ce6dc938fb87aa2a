"""Turn every API error into one JSON shape: {"code", "message", "errors"}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from courses.exceptions import CoursesError


def _message(detail: Any) -> str:
    if isinstance(detail, dict):
        return "The request has invalid fields."
    if isinstance(detail, list):
        return " ".join(str(d) for d in detail)
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render DRF and domain errors as {"code", "message", "errors"} with the right 4xx status."""
    if isinstance(exc, CoursesError):
        exc = exceptions.ValidationError({"non_field_errors": [str(exc)]})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    detail = exc.detail
    code = exc.get_codes() if not isinstance(exc, exceptions.ValidationError) else "invalid"
    response.data = {
        "code": code if isinstance(code, str) else "invalid",
        "message": _message(detail),
        "errors": detail if isinstance(detail, dict) else {},
    }
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and getattr(exc, "wait", None):
        response.data["retry_after_seconds"] = exc.wait  # type: ignore[attr-defined]
    return response
