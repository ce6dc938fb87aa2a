"""The signed-in user of a session, read from the shared cache instead of the database.

Django loads the session's user with a query on every request: on the answer-save, that query
was one of its two statements. `ModelBackend` keeps a copy of each signed-in user in the default
cache (Redis in production) for USER_CACHE_SECONDS, and every save or delete of a user drops it,
at once and again when its transaction commits. So a new password (which changes the session
hash Django checks) or a deactivated account takes effect on the next request. Groups and
permissions are not part of the copy: they are read when asked for, as before. An update that
bypasses `save()` (a queryset `update()`) reaches sessions within USER_CACHE_SECONDS; the admin,
the password forms and `manage.py changepassword` all save.

A cache that is down costs the query, not the request.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import backends, get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _key(user_id: Any) -> str:
    return f"auth:user:{user_id}"


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend, whose `get_user` (the session's user) reads through the cache."""

    def get_user(self, user_id: Any) -> Any:
        try:
            user = cache.get(_key(user_id))
        except RedisError:
            logger.warning("User cache unavailable: reading the signed-in user from the database.")
            return super().get_user(user_id)
        if user is None:
            user = super().get_user(user_id)  # None for an inactive user: not cached, asked again
            if user is not None:
                with contextlib.suppress(RedisError):
                    cache.set(_key(user_id), user, settings.USER_CACHE_SECONDS)
            return user
        return user if self.user_can_authenticate(user) else None


def forget_user(user_id: Any) -> None:
    """Drop the cached copy of a user: now, and again once the change has committed (a request
    in between may have cached the row as it was before)."""

    def forget() -> None:
        try:
            cache.delete(_key(user_id))
        except RedisError:
            logger.error("User cache unavailable: user %s stays cached up to its expiry.", user_id)

    forget()
    transaction.on_commit(forget)


def _user_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_user(instance.pk)


def connect_signals() -> None:
    user_model = get_user_model()
    post_save.connect(_user_changed, sender=user_model, dispatch_uid="core.auth.user_saved")
    post_delete.connect(_user_changed, sender=user_model, dispatch_uid="core.auth.user_deleted")
