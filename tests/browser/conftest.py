"""Playwright with Debian's Chromium (no browser download), against pytest-django's live server."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1100, "height": 900}}


# Every Content-Security-Policy violation a page reports, from both of Chromium's channels: the
# `securitypolicyviolation` DOM event (recorded by a script Playwright injects before the page's
# own, which the policy does not govern) and the "Refused to ..." console errors.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
});
"""


class CspViolations:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(_RECORD_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def reported(self) -> list[str]:
        """The violations of the current document (DOM events) and of every page so far (console)."""
        events = self.page.evaluate("window.__cspViolations || []")
        return [*events, *self.console]


@pytest.fixture
def csp_violations(page: Page) -> CspViolations:
    return CspViolations(page)


@pytest.fixture
def sign_in(page: Any, live_server: Any) -> Any:
    """Return a function that signs a user in by session cookie (the log-in form has its own test)."""
    from django.conf import settings
    from django.test import Client

    def sign_in_as(user: Any) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        name = settings.SESSION_COOKIE_NAME
        page.context.add_cookies([{"name": name, "value": cookie, "url": live_server.url}])

    return sign_in_as
