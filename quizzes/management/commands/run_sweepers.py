"""Run the periodic sweepers in this process, for `make run` (which has no Celery beat or worker)."""

from __future__ import annotations

import time
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run the tasks of CELERY_BEAT_SCHEDULE (finalize overdue attempts, re-queue ungraded ones) "
        "on their intervals in this process, as beat would. For the embedded set-up of `make run`; "
        "deployments run Celery beat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every sweeper once and stop.")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        schedule = {
            entry["task"]: float(entry["schedule"]) for entry in settings.CELERY_BEAT_SCHEDULE.values()
        }
        due = dict.fromkeys(schedule, 0.0)
        while True:
            now = time.monotonic()
            for name, every in schedule.items():
                if now >= due[name]:
                    done = current_app.tasks[name]()  # runs here, not through a broker
                    if done:
                        self.stdout.write(f"{name}: {done}")
                    due[name] = now + every
            if once:
                return
            time.sleep(max(0.5, min(due.values()) - time.monotonic()))
