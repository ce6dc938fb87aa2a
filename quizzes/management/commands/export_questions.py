from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizzes.exporters import export_questions
from quizzes.importers.report import FORMATS
from quizzes.models import QuestionBank


class Command(BaseCommand):
    help = "Export a question bank as GIFT, Moodle XML or CSV (import_questions reads it back)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bank", required=True, help="slug of the question bank")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, required=True)
        parser.add_argument("--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        bank = QuestionBank.objects.select_related("path").filter(slug=options["bank"]).first()
        if bank is None:
            raise CommandError(f"no question bank has the slug {options['bank']!r}")
        text = export_questions(bank=bank, fmt=options["fmt"])
        output = Path(options["output"]) if options["output"] else None  # call_command passes str
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error.strerror}") from error
        self.stderr.write(f"Wrote bank {bank.slug} ({options['fmt']}) to {output}")
