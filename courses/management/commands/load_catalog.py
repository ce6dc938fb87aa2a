from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses.catalog_file import DEFAULT_CATALOG, read_catalog
from courses.exceptions import CatalogFileError
from courses.services import load_catalog


class Command(BaseCommand):
    help = "Load the certification catalog (idempotent: a second run changes nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DEFAULT_CATALOG, help="catalog YAML file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_catalog(records=read_catalog(options["file"]))
        except CatalogFileError as exc:
            raise CommandError(f"{exc} (nothing was loaded)") from exc
        self.stdout.write(self.style.SUCCESS(str(report)))
        for label, codes in (("created", report.created), ("updated", report.updated)):
            if codes:
                self.stdout.write(f"  {label}: {', '.join(codes)}")
