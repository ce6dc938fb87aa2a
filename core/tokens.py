"""API tokens (django-rest-knox): issued on a password, stored as a hash, expiring, revocable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken

from .errors import DomainError


class NoTokenToRevoke(DomainError):
    status = 400
    code = "no_token"


class TooManyTokens(DomainError):
    status = 409
    code = "token_limit_reached"


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's token check as one indexed query: without its sweep of the user's other tokens.

    Knox reads all of the user's tokens on every request to delete the expired ones: a second
    query on every API call, the answer-save included. Here an expired token is refused (and
    deleted) when it is presented, and the others are deleted when the user next gets a token
    (issue_token).
    """

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of TokenAuthentication: knox's."""

    target_class = "core.tokens.TokenAuthentication"


def issue_token(*, user: Any) -> tuple[str, dt.datetime | None]:
    """Create a token for user; return it in clear (shown once, never stored) and its expiry.

    Knox stores a SHA-512 digest and the first 15 characters (the lookup key); the lifetime is
    REST_KNOX["TOKEN_TTL"] (API_TOKEN_TTL_HOURS). Expired tokens are dropped first.

    Raises TooManyTokens when the user already holds REST_KNOX["TOKEN_LIMIT_PER_USER"] live tokens.
    """
    tokens = AuthToken.objects.filter(user=user)
    tokens.filter(expiry__lte=timezone.now()).delete()
    limit = settings.REST_KNOX.get("TOKEN_LIMIT_PER_USER")
    if limit is not None and tokens.count() >= limit:
        raise TooManyTokens(
            f"You already hold {limit} API tokens, the most allowed: revoke one (DELETE "
            "/api/v1/auth/token/) or all of them (DELETE /api/v1/auth/tokens/) first."
        )
    instance, token = AuthToken.objects.create(user=user)
    return token, instance.expiry


def revoke_token(*, token: object) -> None:
    """Revoke one token: the `request.auth` a client logs out with.

    Raises NoTokenToRevoke when the request was not signed in with a token (a browser session).
    """
    if not isinstance(token, AuthToken):
        raise NoTokenToRevoke(
            "This request carries no token to revoke: send it as `Authorization: Token <token>`."
        )
    token.delete()


def revoke_all_tokens(*, user: Any) -> int:
    """Revoke every token of user; return how many there were."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
