from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from quizzes.exceptions import DomainMapInvalid, ImportRejected, UnknownDomain
from quizzes.importers.report import FORMATS, ImportReport, detect_format
from quizzes.importing import import_questions, load_domain_map
from quizzes.models import QuestionBank

LISTED = 20  # items of each kind listed in the human-readable report; --json lists all


class ProgressBar:
    """Draw `label [#####.....] done/total` on a stream, redrawn in place, ending with a newline."""

    def __init__(self, stream: OutputWrapper, label: str, width: int = 30) -> None:
        self.stream, self.label, self.width = stream, label, width

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}", ending="\n" if done >= total else "")
        self.stream.flush()


def read_text(path: Path, max_bytes: int | None = None) -> str:
    """Return the UTF-8 text of path (a BOM is dropped); raise CommandError if it cannot be read
    or is larger than max_bytes."""
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise CommandError(
                f"{path} is {size:,} bytes, more than the limit of {max_bytes:,} (IMPORT_MAX_BYTES); "
                "split it, or pass --max-bytes to raise the limit"
            )
        return path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"{path} is not UTF-8 text (byte {error.start})") from error


class Command(BaseCommand):
    help = (
        "Import questions into a bank from GIFT, Moodle XML or CSV: all or nothing, idempotent "
        "(see docs/importing.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the question file")
        parser.add_argument("--bank", required=True, help="slug of the question bank to import into")
        parser.add_argument(
            "--format", dest="fmt", choices=FORMATS, help="file format (default: from its name or content)"
        )
        parser.add_argument(
            "--domain-map", type=Path, help="JSON or YAML file: category name or path -> exam domain name"
        )
        parser.add_argument(
            "--domain",
            metavar="NAME",
            help="exam domain for the questions that have no category (e.g. a Moodle export's $course$/top)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid questions, list the rejected ones"
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            help=f"refuse a larger file (default: the IMPORT_MAX_BYTES setting, {settings.IMPORT_MAX_BYTES})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bank = QuestionBank.objects.select_related("path").filter(slug=options["bank"]).first()
        if bank is None:
            raise CommandError(f"no question bank has the slug {options['bank']!r}")
        path = Path(options["file"])  # call_command may pass str
        text = read_text(path, options["max_bytes"] or settings.IMPORT_MAX_BYTES)
        fmt = options["fmt"] or detect_format(path.name, text)
        map_path = Path(options["domain_map"]) if options["domain_map"] else None
        domain_map = None
        if map_path:
            try:
                domain_map = load_domain_map(read_text(map_path), map_path.name)
            except DomainMapInvalid as error:
                raise CommandError(f"{map_path}: {error}") from error
        self.stderr.write(f"Reading {path} as {fmt} into bank {bank.slug} ({bank.path.code})")
        try:
            report = import_questions(
                bank=bank,
                text=text,
                fmt=fmt,
                domain_map=domain_map,
                default_domain=options["domain"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=ProgressBar(self.stderr, "Importing"),
            )
        except ImportRejected as error:
            if options["json"]:
                self.stdout.write(error.report.as_json())
            raise CommandError(f"{path}: {error}") from error
        except DomainMapInvalid as error:
            raise CommandError(f"{map_path}: {error}") from error
        except UnknownDomain as error:
            raise CommandError(f"--domain: {error}") from error
        if options["json"]:
            self.stdout.write(report.as_json())
        else:
            self.write_report(report)

    def write_report(self, report: ImportReport) -> None:
        style = self.style.WARNING if report.dry_run else self.style.SUCCESS
        self.stdout.write(style(str(report)))
        sections = [
            ("rejected (skipped)", [(r.line, r.name, r.reason) for r in report.rejected]),
            ("unsupported type, skipped", [(r.line, r.name, r.reason) for r in report.unsupported]),
            ("note", [(n.line, n.name, n.note) for n in report.notes]),
        ]
        for label, rows in sections:
            for line, name, reason in rows[:LISTED]:
                self.stdout.write(f"  {label}: line {line}: {name}: {reason}")
            if len(rows) > LISTED:
                self.stdout.write(f"  ... {len(rows) - LISTED} more of: {label} (--json lists them all)")
