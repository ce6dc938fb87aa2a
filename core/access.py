"""Who a request is, as every part of the product counts it."""

from __future__ import annotations

from typing import Any


def user_id(request: Any) -> int:
    """Return the signed-in caller's id (views that call it require authentication)."""
    return int(request.user.pk)


def is_staff(user: Any) -> bool:
    """Return whether user sees and may change everything, in the API as in the admin.

    Instructors get `is_staff` to enter the admin, so "staff" here is a superuser.
    """
    return bool(user.is_authenticated and user.is_superuser)
