"""Turn every API error into one JSON shape: {"code", "message", "errors"}.

Domain errors carry their HTTP status and code (core.errors.DomainError). The schema hook
documents the shape on every operation.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError
from core.lockout import cool_off


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


CONFLICT = OpenApiResponse(ErrorSerializer, description="The domain refuses the request (see `code`).")


class LockedOut(exceptions.APIException):
    """A log-in refused because its account or address failed too often (django-axes): 429."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self) -> None:
        minutes = int(cool_off().total_seconds() // 60)
        super().__init__(
            detail=(
                "Too many failed sign-ins for this account or from this address: signing in is "
                f"paused for {minutes} minutes. Forgot the password? Reset it at /accounts/password_reset/."
            )
        )
        self.wait = minutes * 60


class _RefusedByDomain(exceptions.APIException):
    """A domain error as DRF sees it: its status, code and message."""

    def __init__(self, exc: DomainError) -> None:
        super().__init__(detail=str(exc) or "The request was refused.", code=exc.code)
        self.status_code = exc.status


def _message(detail: Any) -> str:
    if isinstance(detail, dict):
        general = detail.get("non_field_errors")
        if len(detail) == 1 and isinstance(general, list):
            return " ".join(str(d) for d in general)
        return "The request has invalid fields."
    if isinstance(detail, list):
        return " ".join(str(d) for d in detail)
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render DRF and domain errors as {"code", "message", "errors"} with the right 4xx status."""
    if isinstance(exc, DomainError):
        exc = _RefusedByDomain(exc)
    elif isinstance(exc, Http404):
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
        response.data["retry_after_seconds"] = int(exc.wait)  # type: ignore[attr-defined]
    return response


@csrf_exempt  # no state changes here: a POST to a wrong URL gets the JSON 404, not a CSRF page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Answer an unknown /api/v1/ URL in the API's error shape (a page's 404 would be HTML)."""
    return _json_error(404)


# --- Django's error views (handler400/403/404/500 in lms/urls.py) -------------------------------
# An error that DRF never sees (a URL no view matches, an exception outside DRF's handler, a crash)
# keeps the API's JSON shape under /api/, and the site's HTML pages everywhere else.

API_PREFIX = "/api/"
_ERRORS = {
    400: ("bad_request", "The request could not be understood."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    500: ("server_error", "Something went wrong on our side. It has been logged; please try again later."),
}


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json_error(status_code: int) -> JsonResponse:
    code, message = _ERRORS[status_code]
    return JsonResponse({"code": code, "message": message, "errors": {}}, status=status_code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _json_error(400) if _is_api(request) else defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _json_error(403) if _is_api(request) else defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _json_error(404) if _is_api(request) else defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    return _json_error(500) if _is_api(request) else defaults.server_error(request)


# --- OpenAPI --------------------------------------------------------------------------------------

_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_DESCRIPTIONS = {
    "400": "Invalid input: `errors` names each field at fault (`invalid`, or the domain's code).",
    "401": "No credentials, or a revoked token (`not_authenticated`, `authentication_failed`).",
    "403": "Signed in but not allowed (`permission_denied`).",
    "404": "No such object, or one the caller may not see (`not_found`).",
    "405": "Method not allowed (`method_not_allowed`).",
    "406": "No acceptable representation (`not_acceptable`).",
    "409": "The domain refuses it now (e.g. `attempt_closed`, `attempt_limit_reached`).",
    "415": "The body is not JSON (`unsupported_media_type`).",
    "429": (
        "Too many requests (`throttled`), or too many failed sign-ins (`locked_out`); "
        "`retry_after_seconds` says how long to wait."
    ),
}
_ERROR_SCHEMA = {
    "type": "object",
    "description": "Every 4xx answer of the API.",
    "properties": {
        "code": {"type": "string", "description": "Stable, machine-readable reason."},
        "message": {"type": "string", "description": "What went wrong, in words fit for the user."},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "Field name -> list of messages; empty when no field is at fault.",
        },
        "retry_after_seconds": {"type": "integer", "description": "Only on 429."},
    },
    "required": ["code", "message", "errors"],
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the error shape on every operation.

    Every operation can answer 400 (bad query or body), 401, 403, 404 (also a bad page or
    cursor), 405, 406 and 429; operations with a body also 415. 409 stays where a view declares it.
    Request bodies refuse fields they do not list, so their schemas say additionalProperties: false.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "401", "403", "404", "405", "406", "429"]
            if method in ("post", "put", "patch"):
                codes.append("415")
            for code in codes:
                operation["responses"].setdefault(code, {"description": _DESCRIPTIONS[code]})
            for code, response in operation["responses"].items():
                if code[:1] == "4":
                    response["description"] = _DESCRIPTIONS.get(code, response.get("description", ""))
                    response["content"] = {"application/json": {"schema": _ERROR_REF}}
    for name, schema in result["components"]["schemas"].items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
    return result
