"""Sessions kept in the database and read from the shared cache: no SQL to read one.

Django's `cached_db` store writes every session to the database (it survives a cache restart)
and reads it from the cache, so an exam page's answer-save reads its session from Redis instead
of the database. This store only adds that a cache which is down costs speed, not service:
reading, creating and cycling sessions (logging in) fall back to the database. Deleting one
(logging out) still fails loudly when the cache cannot forget it, since a cached copy would
outlive the log-out.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db, db
from redis.exceptions import RedisError

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self) -> dict[str, Any]:
        try:
            return super().load()
        except RedisError:
            logger.warning("Session cache unavailable: reading the session from the database.")
            return db.SessionStore.load(self)

    def cycle_key(self) -> None:
        """Give the session a new key (at log-in), even while the cache cannot forget the old one.

        Log-in cycles the key before it stores the user, so the old key's cached copy, if the
        cache could not delete it, holds nothing signed in: it is harmless, and logging in works
        during a cache outage.
        """
        try:
            super().cycle_key()
        except RedisError:
            logger.warning("Session cache unavailable: the old session key's cached copy was kept.")

    def exists(self, session_key: str) -> bool:
        try:
            return super().exists(session_key)
        except RedisError:
            return db.SessionStore.exists(self, session_key)
