"""Fill a PostgreSQL database with realistic volumes: students, a bank, graded attempts."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses.catalog_file import read_catalog
from courses.models import CertificationPath
from courses.services import load_catalog
from quizzes.services.load_data import generate_load_data


class StderrProgress:
    """Report each phase's progress on stderr: done/total, rate and time left, every ~2 %."""

    def __init__(self) -> None:
        self.began: dict[str, float] = {}
        self.shown: dict[str, int] = {}
        self.last = time.monotonic()  # a phase starts when the one before it last reported

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        began = self.began.setdefault(phase, self.last)
        self.last = now
        step = max(1, total // 50)
        if done < total and done - self.shown.get(phase, 0) < step:
            return
        self.shown[phase] = done
        rate = done / (now - began) if now > began else 0.0
        left = (total - done) / rate if rate else 0.0
        bar = "#" * int(30 * done / total) if total else ""
        sys.stderr.write(f"{phase:>9} [{bar:<30}] {done}/{total} {rate:,.0f}/s, {left:,.0f} s left\n")
        sys.stderr.flush()


class Command(BaseCommand):
    help = (
        "Generate load-test data on PostgreSQL: N students enrolled in a path, a question bank, a "
        "full-length exam, and M submitted attempts with answers, graded by the real grader."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, required=True)
        parser.add_argument("--attempts", type=int, required=True)
        parser.add_argument("--path", default="SAA-C03", help="Certification path code (default SAA-C03).")
        parser.add_argument("--items", type=int, default=65, help="Items per attempt (default 65).")
        parser.add_argument("--questions", type=int, default=400, help="Questions in the bank (default 400).")
        parser.add_argument("--chunk", type=int, default=500, help="Attempts per INSERT statement.")
        parser.add_argument(
            "--ungraded", action="store_true", help="Leave the attempts submitted (to benchmark grading)."
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=2,
            help="1: insert, then grade; 2 (default): grade on a second connection while inserting.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = CertificationPath.objects.filter(code=options["path"]).first()
        if path is None:
            load_catalog(records=read_catalog())
            path = CertificationPath.objects.filter(code=options["path"]).first()
        if path is None:
            raise CommandError(f"No certification path {options['path']!r}, even in the catalog.")
        began = time.monotonic()
        try:
            made = generate_load_data(
                path=path,
                students=options["students"],
                attempts=options["attempts"],
                items=options["items"],
                questions=options["questions"],
                chunk=options["chunk"],
                grade=not options["ungraded"],
                jobs=options["jobs"],
                progress=StderrProgress(),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"exam {made.exam_id}, bank {made.bank_id}: {made.students} students, {made.attempts} attempts "
            f"({made.graded} graded) in {time.monotonic() - began:.0f} s"
        )
