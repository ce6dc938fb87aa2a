"""Authentication hardening (docs/security.md, "Authentication"): log-in lockout on every door,
one client-address rule, hashed expiring API tokens revoked with the password, throttled resets."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.api.throttling import AnonThrottle
from core.client_ip import client_ip
from tests.api.conftest import MID_WINDOW
from tests.api.support import token_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
NEW_PASSWORD = "a-fresh-passphrase-2026"
WRONG_TRIES = 40


def rest_framework(**changes: Any) -> dict[str, Any]:
    """REST_FRAMEWORK with throttles on (the test settings turn them off) and the given changes."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **changes.pop("rates", {})}
    return {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.AnonThrottle"],
        "DEFAULT_THROTTLE_RATES": rates,
        **changes,
    }


# --- The three doors ------------------------------------------------------------------------------


def log_in_page(username: str, password: str, **meta: Any) -> Any:
    return Client(**meta).post("/accounts/login/", {"username": username, "password": password})


def log_in_admin(username: str, password: str, **meta: Any) -> Any:
    return Client(**meta).post("/admin/login/", {"username": username, "password": password})


def get_token(username: str, password: str, **meta: Any) -> Any:
    return APIClient(**meta).post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def signed_in(response: Any) -> bool:
    """Return whether a door let the caller in: a session for the pages, a token for the API."""
    if response.wsgi_request.path.startswith("/api/"):
        return response.status_code == 200 and "token" in response.json()
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


DOORS = [
    pytest.param(log_in_page, id="/accounts/login/"),
    pytest.param(log_in_admin, id="/admin/login/"),
    pytest.param(get_token, id="POST /api/v1/auth/token/"),
]


@pytest.mark.parametrize("door", DOORS)
def test_the_right_password_after_forty_wrong_ones_does_not_get_in(door: Any):
    UserFactory(username="ada", is_staff=True)
    for _ in range(WRONG_TRIES):
        door("ada", "guess")

    response = door("ada", PASSWORD)

    assert response.status_code == 429
    assert not signed_in(response)
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize("door", DOORS[:2])
def test_a_locked_out_page_says_why_and_what_to_do(door: Any):
    UserFactory(username="ada", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        door("ada", "guess")

    response = door("ada", PASSWORD)

    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed log-ins for this account or from this address" in page
    assert f"paused for {settings.LOGIN_COOLOFF_MINUTES} minutes" in page
    assert "/accounts/password_reset/" in page
    assert int(response["Retry-After"]) == settings.LOGIN_COOLOFF_MINUTES * 60


def test_a_locked_out_api_client_gets_429_in_the_apis_error_shape():
    UserFactory(username="ada")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        get_token("ada", "guess")

    response = get_token("ada", PASSWORD)

    body = response.json()
    assert response.status_code == 429
    assert (set(body), body["code"], body["errors"]) == (
        {"code", "message", "errors", "retry_after_seconds"},
        "locked_out",
        {},
    )
    assert "Too many failed sign-ins" in body["message"]
    assert body["retry_after_seconds"] == settings.LOGIN_COOLOFF_MINUTES * 60
    assert int(response["Retry-After"]) == settings.LOGIN_COOLOFF_MINUTES * 60


def test_fewer_failures_than_the_limit_do_not_lock_anyone_out():
    UserFactory(username="ada")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        get_token("ada", "guess")

    assert get_token("ada", PASSWORD).status_code == 200


def test_an_account_is_locked_whatever_addresses_the_guesses_come_from():
    UserFactory(username="ada")
    for n in range(settings.AXES_FAILURE_LIMIT):
        get_token("ada", "guess", REMOTE_ADDR=f"198.51.100.{n + 1}")

    assert get_token("ada", PASSWORD, REMOTE_ADDR="203.0.113.50").status_code == 429


def test_an_address_is_locked_whatever_accounts_it_guesses_and_others_are_not():
    UserFactory(username="ada")
    for n in range(settings.AXES_FAILURE_LIMIT):
        get_token(f"someone{n}", "guess", REMOTE_ADDR="198.51.100.7")

    assert get_token("ada", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert get_token("ada", PASSWORD, REMOTE_ADDR="203.0.113.8").status_code == 200


def test_the_lockout_ends_after_the_cool_off():
    UserFactory(username="ada")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in_page("ada", "guess")
    assert log_in_page("ada", PASSWORD).status_code == 429

    later = timezone.now() - dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES, seconds=1)
    AccessAttempt.objects.update(attempt_time=later)

    assert signed_in(log_in_page("ada", PASSWORD))


@override_settings(LOGIN_COOLOFF_MINUTES=60)
def test_the_cool_off_is_a_setting():
    UserFactory(username="ada")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in_page("ada", "guess")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=30))

    assert log_in_page("ada", PASSWORD).status_code == 429


def test_an_admin_lifts_a_lockout_by_deleting_the_access_attempts():
    UserFactory(username="ada")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in_page("ada", "guess")
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))

    listed = admin.get("/admin/axes/accessattempt/")
    deleted = admin.post(
        "/admin/axes/accessattempt/",
        {
            "action": "delete_selected",
            "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    assert listed.status_code == 200
    assert "ada" in listed.content.decode()
    assert deleted.status_code == 302
    assert signed_in(log_in_page("ada", PASSWORD))


# --- The client address: NUM_PROXIES --------------------------------------------------------------


@pytest.mark.parametrize(
    ("num_proxies", "expected"),
    [(0, "192.0.2.10"), (1, "203.0.113.9"), (2, "198.51.100.1"), (5, "forged")],
)
def test_the_client_address_trusts_forwarded_for_only_as_far_as_num_proxies(num_proxies: int, expected: str):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="forged, 198.51.100.1, 203.0.113.9"
    )

    with override_settings(REST_FRAMEWORK=rest_framework(NUM_PROXIES=num_proxies)):
        assert client_ip(request) == expected


def test_a_forged_forwarded_for_does_not_reset_the_lockout_without_a_proxy():
    UserFactory(username="ada")
    for n in range(settings.AXES_FAILURE_LIMIT):
        get_token(f"someone{n}", "guess", HTTP_X_FORWARDED_FOR=f"10.9.0.{n}")

    response = get_token("ada", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert response.status_code == 429


@override_settings(REST_FRAMEWORK=rest_framework(NUM_PROXIES=1))
def test_behind_one_proxy_the_lockout_counts_the_last_hop():
    UserFactory(username="ada")
    for n in range(settings.AXES_FAILURE_LIMIT):
        get_token(f"someone{n}", "guess", HTTP_X_FORWARDED_FOR=f"10.9.0.{n}, 198.51.100.7")

    assert get_token("ada", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7").status_code == 429
    assert get_token("ada", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.8").status_code == 200


@override_settings(REST_FRAMEWORK=rest_framework(rates={"anon": "2/minute"}))
def test_a_forged_forwarded_for_does_not_reset_a_throttle_without_a_proxy():
    codes = [
        APIClient(HTTP_X_FORWARDED_FOR=f"10.9.0.{n}").get("/api/v1/paths/").status_code for n in range(3)
    ]

    assert codes == [200, 200, 429]


@override_settings(REST_FRAMEWORK=rest_framework(rates={"anon": "2/minute"}, NUM_PROXIES=1))
def test_behind_one_proxy_a_throttle_counts_the_last_hop():
    codes = [
        APIClient(HTTP_X_FORWARDED_FOR=f"10.9.0.{n}, 198.51.100.7").get("/api/v1/paths/").status_code
        for n in range(3)
    ]
    other = APIClient(HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.8").get("/api/v1/paths/")

    assert codes == [200, 200, 429]
    assert other.status_code == 200


@override_settings(REST_FRAMEWORK=rest_framework())
def test_throttles_count_in_the_default_cache_that_every_worker_shares():
    APIClient(REMOTE_ADDR="198.51.100.7").get("/api/v1/paths/")

    # caches["default"] is Redis whenever REDIS_URL or CACHE_URL is set (lms/settings/base.py);
    # the count is kept per fixed window (core.api.throttling.FixedWindow).
    window = int(MID_WINDOW // AnonThrottle().duration)
    assert caches["default"].get(f"throttle_anon_198.51.100.7:{window}") == 1


# --- API tokens -----------------------------------------------------------------------------------


def test_a_token_is_stored_as_a_hash_only():
    UserFactory(username="ada")

    token = get_token("ada", PASSWORD).json()["token"]

    stored = AuthToken.objects.get()
    columns = [str(value) for value in AuthToken.objects.values().get().values()]
    assert len(token) >= 64
    assert stored.digest == hash_token(token)
    assert not [value for value in columns if token in value]


def test_a_token_expires_after_the_configured_lifetime():
    UserFactory(username="ada")
    before = timezone.now()

    issued = get_token("ada", PASSWORD).json()

    lifetime = dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    expiry = AuthToken.objects.get().expiry
    assert expiry is not None
    assert before + lifetime <= expiry <= timezone.now() + lifetime
    assert dt.datetime.fromisoformat(issued["expiry"].replace("Z", "+00:00")) == expiry


def test_an_expired_token_is_refused():
    UserFactory(username="ada")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {get_token('ada', PASSWORD).json()['token']}")
    assert client.get("/api/v1/progress/").status_code == 200

    AuthToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))

    assert client.get("/api/v1/progress/").status_code == 401


def token_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def test_changing_the_password_revokes_every_token():
    ada = UserFactory(username="ada")
    first, second = token_client(ada), token_client(ada)
    page = Client()
    page.force_login(ada)

    changed = page.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert changed.status_code == 302
    assert first.get("/api/v1/progress/").status_code == 401
    assert second.get("/api/v1/progress/").status_code == 401
    assert not AuthToken.objects.filter(user=ada).exists()


def test_another_users_tokens_survive_a_password_change():
    ada, bob = UserFactory(username="ada"), UserFactory(username="bob")
    bobs = token_client(bob)

    ada.set_password(NEW_PASSWORD)
    ada.save()

    assert bobs.get("/api/v1/progress/").status_code == 200


def reset_link(email: str, client: Client) -> str:
    """Ask for a reset for email; return the path of the link the mail carries."""
    response = client.post("/accounts/password_reset/", {"email": email})
    assert response.status_code == 302, response.content
    match = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", str(mail.outbox[-1].body))
    assert match
    return match.group(1)


def set_password_through(link: str, client: Client, password: str) -> Any:
    form = client.get(link, follow=True)  # the link redirects to its set-password page
    return client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def test_a_reset_mails_a_link_that_sets_a_new_password_and_revokes_every_token():
    ada = UserFactory(username="ada", email="ada@example.com")
    tokens = token_client(ada)
    browser = Client()

    link = reset_link("ada@example.com", browser)
    saved = set_password_through(link, browser, NEW_PASSWORD)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    assert mail.outbox[0].subject == "Reset your CertPrep password"
    assert saved.status_code == 302
    assert saved["Location"] == "/accounts/reset/done/"
    assert tokens.get("/api/v1/progress/").status_code == 401
    assert get_token("ada", NEW_PASSWORD).status_code == 200
    assert get_token("ada", PASSWORD).status_code == 400


def test_a_reset_lifts_the_accounts_lockout():
    UserFactory(username="ada", email="ada@example.com")
    for n in range(settings.AXES_FAILURE_LIMIT):
        get_token("ada", "guess", REMOTE_ADDR=f"198.51.100.{n + 1}")
    browser = Client()

    set_password_through(reset_link("ada@example.com", browser), browser, NEW_PASSWORD)

    assert get_token("ada", NEW_PASSWORD).status_code == 200


def test_the_reset_pages_are_ours():
    form = Client().get("/accounts/password_reset/")
    login = Client().get("/accounts/login/")

    assert form.status_code == 200
    assert "Send the reset link" in form.content.decode()
    assert 'class="site-header"' in form.content.decode()
    assert "/accounts/password_reset/" in login.content.decode()


def test_resets_for_one_email_address_are_throttled_whatever_the_client_address():
    UserFactory(username="ada", email="ada@example.com")
    limit = int(settings.PASSWORD_RESET_THROTTLE_EMAIL.split("/")[0])

    codes = [
        Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        .post("/accounts/password_reset/", {"email": "ADA@example.com "})
        .status_code
        for n in range(limit + 1)
    ]

    assert codes == [302] * limit + [429]
    assert len(mail.outbox) == limit


def test_a_throttled_reset_says_so_on_the_form():
    UserFactory(username="ada", email="ada@example.com")
    limit = int(settings.PASSWORD_RESET_THROTTLE_EMAIL.split("/")[0])
    for _ in range(limit):
        Client().post("/accounts/password_reset/", {"email": "ada@example.com"})

    response = Client().post("/accounts/password_reset/", {"email": "ada@example.com"})

    assert response.status_code == 429
    assert "Too many reset requests" in response.content.decode()
    assert int(response["Retry-After"]) > 0


@override_settings(REST_FRAMEWORK=rest_framework(rates={"password_reset_address": "2/hour"}))
def test_resets_from_one_client_address_are_throttled_even_with_a_forged_forwarded_for():
    for n in range(3):
        UserFactory(username=f"user-{n}", email=f"user-{n}@example.com")

    codes = [
        Client(HTTP_X_FORWARDED_FOR=f"10.9.0.{n}")
        .post("/accounts/password_reset/", {"email": f"user-{n}@example.com"})
        .status_code
        for n in range(3)
    ]

    assert codes == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_logging_out_revokes_only_the_token_used():
    ada = UserFactory(username="ada")
    this, other = token_client(ada), token_client(ada)

    revoked = this.delete("/api/v1/auth/token/")

    assert revoked.status_code == 204
    assert this.get("/api/v1/progress/").status_code == 401
    assert other.get("/api/v1/progress/").status_code == 200


def test_logging_out_everywhere_revokes_every_token():
    ada = UserFactory(username="ada")
    this, other = token_client(ada), token_client(ada)

    revoked = this.delete("/api/v1/auth/tokens/")

    assert revoked.status_code == 204
    assert this.get("/api/v1/progress/").status_code == 401
    assert other.get("/api/v1/progress/").status_code == 401


def test_a_session_has_no_token_to_log_out():
    client = APIClient()
    client.force_login(UserFactory(username="ada"))

    response = client.delete("/api/v1/auth/token/")

    assert (response.status_code, response.json()["code"]) == (400, "no_token")


@override_settings(REST_KNOX={**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2})
def test_a_user_holds_at_most_the_configured_number_of_tokens():
    UserFactory(username="ada")

    codes = [get_token("ada", PASSWORD).status_code for _ in range(3)]
    AuthToken.objects.filter(user__username="ada").update(expiry=timezone.now())
    after_expiry = get_token("ada", PASSWORD)

    assert codes == [200, 200, 409]
    assert after_expiry.status_code == 200


def test_the_admin_never_shows_a_whole_token():
    ada = UserFactory(username="ada")
    token = get_token("ada", PASSWORD).json()["token"]
    stored = AuthToken.objects.get(user=ada)
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = admin.get("/admin/knox/authtoken/")
    detail = admin.get(f"/admin/knox/authtoken/{stored.pk}/change/")
    add = admin.get("/admin/knox/authtoken/add/")

    assert (listing.status_code, detail.status_code) == (200, 200)
    for page in (listing, detail):
        assert token not in page.content.decode()
        assert token[:8] in page.content.decode()
    assert add.status_code == 403
