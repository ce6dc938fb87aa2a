from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from courses.models import CertificationPath, PathStatus
from courses.services import read_course_file, upsert_course
from quizzes.exceptions import QuizzesError
from quizzes.importing import import_questions
from quizzes.models import Exam, ExamKind, ExamMode, QuestionBank
from quizzes.services import ensure_full_length_exam, full_exam_cut_percent

CONTENT_DIR = Path(settings.BASE_DIR) / "content"
QUICK_PRACTICE_ITEMS = 10
# A course-based certificate (no single exam) gets a longer review set instead of a full-length form.
REVIEW_SET_ITEMS = 30
BANK_FILES = (("questions.gift", "gift"), ("questions.xml", "moodle-xml"))


class Command(BaseCommand):
    help = "Load the demo courses, question banks and exams from content/ (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--content", type=Path, default=CONTENT_DIR, help="content folder")
        parser.add_argument(
            "--owner", metavar="USERNAME", help="an account that co-owns every course and bank loaded"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root: Path = options["content"]
        self.owner = None
        if options["owner"]:
            self.owner = get_user_model().objects.filter(username=options["owner"]).first()
            if self.owner is None:
                raise CommandError(f"--owner: no account is named {options['owner']!r}")
        paths = {p.code.lower(): p for p in CertificationPath.objects.all()}
        if not paths:
            raise CommandError("The catalog is empty: run `python manage.py load_catalog` first.")
        folders = sorted(f for f in root.iterdir() if f.is_dir())
        unknown = [f.name for f in folders if f.name not in paths]
        if unknown:
            raise CommandError(f"content folders name no catalog path: {', '.join(unknown)}")
        with transaction.atomic():
            for folder in folders:
                self.load_folder(folder, paths[folder.name])

    def load_folder(self, folder: Path, path: CertificationPath) -> None:
        notes = []
        if (folder / "course.yaml").exists():
            course, changed = upsert_course(path=path, **read_course_file(folder))
            if self.owner is not None:
                course.owners.add(self.owner)
            notes.append(f"course {course.slug} {'updated' if changed else 'unchanged'}")
        # GIFT has no ordering syntax: a bank's ordering items come in Moodle XML beside it.
        bank_files = [(folder / name, fmt) for name, fmt in BANK_FILES if (folder / name).exists()]
        for bank_file, fmt in bank_files:
            bank, _ = QuestionBank.objects.get_or_create(
                slug=f"{folder.name}-bank", defaults={"path": path, "name": f"{path.code} question bank"}
            )
            if self.owner is not None:
                bank.owners.add(self.owner)
            try:
                report = import_questions(bank=bank, text=bank_file.read_text(encoding="utf-8"), fmt=fmt)
            except QuizzesError as error:
                raise CommandError(f"{bank_file}: {error}") from error
            notes.append(
                f"bank {bank.slug} ({bank_file.name}): {report.imported} new, {report.updated} updated"
            )
        if bank_files and path.status == PathStatus.ACTIVE:
            self.ensure_exams(path)
        self.stdout.write(f"{path.code}: {'; '.join(notes) or 'nothing to load'}")

    def ensure_exams(self, path: CertificationPath) -> None:
        """A full-length form when the path has a single exam, review sets when it has none."""
        sets = [(f"{path.code} quick practice ({QUICK_PRACTICE_ITEMS} items)", QUICK_PRACTICE_ITEMS)]
        if path.has_single_exam:
            ensure_full_length_exam(path=path)
        else:
            sets.append((f"{path.code} course review ({REVIEW_SET_ITEMS} items)", REVIEW_SET_ITEMS))
            # Earlier versions gave such paths a full-length form they cannot have: drop it unless taken.
            Exam.objects.filter(path=path, kind=ExamKind.FULL, owner=None, attempts__isnull=True).delete()
        for title, count in sets:
            Exam.objects.get_or_create(
                path=path,
                kind=ExamKind.PRACTICE,
                owner=None,
                title=title,
                defaults={
                    "mode": ExamMode.PRACTICE,
                    "item_count": count,
                    "minutes": None,
                    "pass_percent": full_exam_cut_percent(path),
                },
            )
