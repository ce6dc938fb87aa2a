"""The database's failover window at the HTTP edge: retryable 503s and read-your-writes pinning.

- A request that meets a lost or read-only database connection (django.db.OperationalError or
  InterfaceError, psycopg2's own, or "read-only transaction" after a leader change) gets a 503
  with Retry-After instead of a 500: JSON {"code": "database_unavailable", "message"} for the API
  and JSON clients (the exam page's save queue retries it), a plain page for browsers. The
  thread's connections are closed so that the next request reconnects through the multi-host
  string to whichever node leads now. Why a retried save can never lose or double an answer:
  docs/database.md.
- A request with an unsafe method, or one that wrote through the router, pins its client to
  the leader for DB_PIN_TO_LEADER_SECONDS (a signed cookie): replica-safe reads then come from
  the leader, so users always see what they have just written.
- A response built from standby reads says how fresh they were: X-Data-As-Of (ISO 8601).
- A GET whose standby reads fail (the standby died under it) runs once more on the leader:
  replica-safe reads are never less available than leader reads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sys
from collections.abc import Callable
from typing import Any

import psycopg2
from django import db
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

from core.routing import leader_only
from lms.db_routers import current_routing, replica_health, request_routing

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
PIN_COOKIE = "lms_leader"
PIN_SALT = "lms.middleware.leader-pin"
DATA_AS_OF_HEADER = "X-Data-As-Of"
UNAVAILABLE_CODE = "database_unavailable"
UNAVAILABLE_MESSAGE = (
    "The database is briefly unavailable (it may be switching to its standby). Nothing you saved "
    "before is lost: retry in a few seconds."
)
READ_ONLY_SQL_TRANSACTION = "25006"  # the connection sits on a node that is no longer the leader
_DISCONNECTS = (db.OperationalError, db.InterfaceError, psycopg2.OperationalError, psycopg2.InterfaceError)
_UNAVAILABLE_MARK = "_lms_database_unavailable"
_VIEW = "_lms_view"


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Return whether exc, or an error it was raised from, means "no usable database right now"."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, _DISCONNECTS) or getattr(exc, "pgcode", None) == READ_ONLY_SQL_TRANSACTION:
            return True
        exc = exc.__cause__
    return False


def close_connections() -> None:
    """Close this thread's database connections outside transactions: the next use reconnects.

    A connection inside an atomic block belongs to whoever opened it (ATOMIC_REQUESTS, a test):
    its own exit rolls back and drops it.
    """
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.in_atomic_block:
            with contextlib.suppress(db.Error, psycopg2.Error):
                connection.close()


def _wants_json(request: HttpRequest) -> bool:
    if request.path.startswith("/api/") or request.content_type == "application/json":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """Return the retryable 503: JSON for the API and JSON clients, a page for browsers.

    Renders without the request (no context processors): nothing here may touch the database.
    """
    retry_after = settings.DB_UNAVAILABLE_RETRY_AFTER_SECONDS
    response: HttpResponse
    if _wants_json(request):
        body = {
            "code": UNAVAILABLE_CODE,
            "message": UNAVAILABLE_MESSAGE,
            "errors": {},  # the API's error shape (core/api/errors.py)
            "retry_after_seconds": retry_after,
        }
        response = JsonResponse(body, status=503)
    else:
        context = {"retry_after": retry_after, "reload": request.method in ("GET", "HEAD")}
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    # Logged once, as a warning with its cause, by _handled_database_error; Django would log every
    # 503 again as an ERROR (django.request), hundreds of times during an expected failover.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _handled_database_error(request: HttpRequest, exc: BaseException) -> None:
    logger.warning(
        "database unavailable during %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
    )
    close_connections()
    replica_health.invalidate()


class DatabaseFailoverMiddleware:
    """Turn the failover window into retryable 503s; pin writers to the leader; label stale reads.

    Place it before SessionMiddleware: a session saved after the view (login) is covered too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        writes = request.method not in SAFE_METHODS
        pinned = writes or self._pinned(request)
        with request_routing() as routing, leader_only() if pinned else contextlib.nullcontext():
            response = self.get_response(request)
        if getattr(request, _UNAVAILABLE_MARK, False) and response.status_code == 500:
            # Raised by a middleware inside this one (a session save): Django made it a 500.
            response = database_unavailable_response(request)
        if writes or routing.wrote:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=settings.DB_PIN_TO_LEADER_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        if routing.replica_as_of is not None:
            response[DATA_AS_OF_HEADER] = routing.replica_as_of.astimezone(dt.UTC).isoformat(
                timespec="milliseconds"
            )
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> None:
        setattr(request, _VIEW, (view_func, args, kwargs))  # for a retry on the leader

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        _handled_database_error(request, exception)
        routing = current_routing()
        view = getattr(request, _VIEW, None)
        if (
            view is not None
            and request.method in ("GET", "HEAD")
            and routing is not None
            and routing.replica_as_of is not None  # it read from the standby...
            and not routing.wrote  # ...and nothing else: running it again is harmless
        ):
            delattr(request, _VIEW)  # once
            routing.replica_as_of = None
            view_func, args, kwargs = view
            try:
                with leader_only():
                    return view_func(request, *args, **kwargs)
            except Exception as again:
                if not is_database_unavailable(again):
                    raise
                _handled_database_error(request, again)
        return database_unavailable_response(request)

    @staticmethod
    def _pinned(request: HttpRequest) -> bool:
        value = request.get_signed_cookie(
            PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.DB_PIN_TO_LEADER_SECONDS
        )
        return value is not None


def mark_database_unavailable(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """got_request_exception receiver: flag a database outage that a middleware raised.

    Exceptions raised by middleware (not the view) never reach process_exception: Django turns
    them into a 500 on the spot. DatabaseFailoverMiddleware, further out, swaps that 500 for
    the 503 when this flag is set.
    """
    exc = sys.exception()
    if request is not None and exc is not None and is_database_unavailable(exc):
        setattr(request, _UNAVAILABLE_MARK, True)
        _handled_database_error(request, exc)


def connect_signals() -> None:
    got_request_exception.connect(mark_database_unavailable, dispatch_uid="lms.database_unavailable")
