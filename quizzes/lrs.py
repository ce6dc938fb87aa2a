"""Pushing xAPI statements to a learning record store (settings XAPI_LRS_*)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

from django.conf import settings

from .selectors.xapi import attempt_statements
from .xapi import XAPI_VERSION


class LRSUnavailable(Exception):
    """The store did not take the statements this time (connection trouble, 429 or 5xx): retry."""


class LRSRejected(Exception):
    """The store refused the statements (4xx other than 429): retrying would not help."""


def send_statements(statements: list[dict], *, endpoint: str, username: str = "", password: str = "") -> int:
    """POST statements to {endpoint}/statements; return the HTTP status (200 or 204).

    Statement ids are fixed, so a retry after a lost response is harmless: the store keeps one.
    """
    if not endpoint.startswith(("https://", "http://")):
        raise LRSRejected(f"XAPI_LRS_ENDPOINT must be an http(s) URL, not {endpoint!r}")
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION}
    if username:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(  # noqa: S310 (the operator configures an http(s) endpoint)
        f"{endpoint}/statements", data=json.dumps(statements).encode(), headers=headers, method="POST"
    )
    try:
        # nosec B310: the scheme is checked above (http or https only)
        with urllib.request.urlopen(request, timeout=settings.XAPI_LRS_TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310
            return int(response.status)
    except urllib.error.HTTPError as error:
        if error.code == 429 or error.code >= 500:
            raise LRSUnavailable(f"the LRS answered {error.code}") from error
        raise LRSRejected(f"the LRS refused the statements: {error.code} {error.reason}") from error
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise LRSUnavailable(f"the LRS is unreachable: {error}") from error


def push_attempt(*, attempt_id: int) -> int:
    """Send a graded attempt's statements to the configured LRS; return how many (0: none to send)."""
    if not settings.XAPI_LRS_ENDPOINT:
        return 0
    statements = attempt_statements(attempt_id)
    if statements:
        send_statements(
            statements,
            endpoint=settings.XAPI_LRS_ENDPOINT,
            username=settings.XAPI_LRS_USERNAME,
            password=settings.XAPI_LRS_PASSWORD,
        )
    return len(statements)
