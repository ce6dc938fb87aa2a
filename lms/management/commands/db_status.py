"""`manage.py db_status`: which node leads, the standbys' replication state, the replica alias's view."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lms.health import database_status, replica_status


def _lag(seconds: float | None, size: int | None) -> str:
    shown = f"{seconds:.3f} s" if seconds is not None else "unknown"
    return f"{shown}, {size} bytes" if size is not None else shown


class Command(BaseCommand):
    help = (
        "Show the database leader (host:port, cluster name), each standby (state, sync state, replay "
        "lag in seconds and bytes) and what the replica alias reaches. Exits 1 without a writable leader."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        leader = database_status("default")
        replica = replica_status()
        if options["json"]:
            self.stdout.write(json.dumps({"leader": leader, "replica": replica}, indent=2))
        else:
            self.stdout.write(self.report(leader, replica))
        if not leader["ok"]:
            raise CommandError("no writable leader reachable through the default alias")

    def report(self, leader: dict[str, Any], replica: dict[str, Any]) -> str:
        if not leader["ok"]:
            lines = [f"leader: NOT reachable read-write: {leader.get('error', 'in recovery')}"]
        elif leader["vendor"] != "postgresql":
            lines = [f"leader: {leader['vendor']} (no replication)"]
        else:
            lines = [f"leader: {leader['host']}:{leader['port']} (cluster {leader['node']}), writable"]
        standbys = leader.get("standbys", [])
        lines.append(f"standbys: {len(standbys)}" + ("" if standbys else " (writes are not replicated!)"))
        for s in standbys:
            lag = _lag(s["replay_lag_seconds"], s["replay_lag_bytes"])
            lines.append(
                f"  {s['name']:<10} {s['client_addr'] or '-':<15} state={s['state']:<10} "
                f"sync_state={s['sync_state']:<6} replay lag {lag}"
            )
        where = f" on port {replica['port']}" if replica.get("port") else ""
        lag = _lag(replica["lag_seconds"], replica["lag_bytes"])
        recovery = {True: "in recovery", False: "not in recovery"}.get(
            replica["in_recovery"], "recovery unknown"
        )
        usable = "replica-safe reads go there" if replica["usable"] else "replica-safe reads use the leader"
        lines.append(f"replica alias: {replica['status']}{where}, {recovery}, replay lag {lag}: {usable}")
        if replica["detail"]:
            lines.append(f"  ({replica['detail']})")
        if replica["as_of"]:
            lines.append(f"  data as of {replica['as_of']}")
        return "\n".join(lines)
