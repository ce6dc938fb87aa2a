"""Admin pages for the libraries' models that the apps do not own: API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from knox.models import AuthToken


class AuthTokenAdmin(admin.ModelAdmin):
    """API tokens: listed and revoked (deleted) here, never created or shown in full.

    Only a hash is stored; a token is issued to its owner by POST /api/v1/auth/token/.
    """

    list_display = ("user", "token_start", "created", "expiry")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "token_start", "created", "expiry")
    readonly_fields = fields

    @admin.display(description="token")
    def token_start(self, token: AuthToken) -> str:
        """Show the first characters of a token, enough to tell tokens apart; never the whole token."""
        return f"{token.token_key[:8]}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.unregister(AuthToken)
admin.site.register(AuthToken, AuthTokenAdmin)
