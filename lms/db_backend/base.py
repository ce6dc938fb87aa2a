"""Django's PostgreSQL backend, with a health check that needs no round trip to the server.

Django checks a reused connection before each request's first query (CONN_HEALTH_CHECKS) by
running `SELECT 1`: one more round trip on every request, the answer-save included. Between
requests a healthy connection is idle and the server has nothing to say, so its socket has
nothing to read. A server that goes away (shut down, terminated, demoted by a failover) sends
its goodbye or closes the socket, and then the socket *is* readable. So: poll the socket
without waiting; nothing to read means usable, with no query; anything to read gets Django's own
`SELECT 1`, which reads it and decides.

What neither check can see in time, a peer that vanished without a word (a lost zone), is left
to the TCP keepalives and tcp_user_timeout of lms/settings/database.py; the request that meets
it gets the retryable 503 of lms/middleware.py.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):  # the socket is gone
            return False
        return not readable or super().is_usable()
