"""The client's address, as every counter of the product (throttles, log-in lockout) takes it."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import BaseThrottle


def client_ip(request: Any) -> str | None:
    """Return the client's address, trusting X-Forwarded-For only as far as NUM_PROXIES says.

    DRF's rule, so that the API throttles, the log-in lockout (AXES_CLIENT_IP_CALLABLE) and the
    password-reset throttle agree: with NUM_PROXIES = 0 the header is ignored (REMOTE_ADDR); with
    N > 0 the address N entries from the end of the header, the one the outermost trusted proxy saw.
    """
    return BaseThrottle().get_ident(request) or None  # None: no address (e.g. Client.force_login)
