"""What a new password sets off, wherever it was set."""

from __future__ import annotations

from typing import Any

from . import lockout, tokens


class OnPasswordChange:
    """Password "validator" that refuses nothing: it acts when a user gets a new password.

    Django calls `password_changed` on every validator in AUTH_PASSWORD_VALIDATORS when a user is
    saved after set_password(): the change and reset pages, the admin's password form and
    `manage.py changepassword` alike. It revokes every API token of the user (a stolen token dies
    with the password it was issued on) and lifts the account's log-in lockout (whoever set the
    password proved they hold the account, by the old password, the reset mail or the admin).
    """

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        tokens.revoke_all_tokens(user=user)
        lockout.unlock_account(username=user.get_username())

    def get_help_text(self) -> str:
        return "A new password signs out every API client that uses a token of yours."
