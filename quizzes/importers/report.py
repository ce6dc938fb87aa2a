"""What an import reports, and how a file's format is told: the types the importers, the import
service, the command and the admin page share."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from . import ParseResult, Rejection
from .csv_format import parse_csv
from .gift import parse_gift
from .moodle_xml import parse_moodle_xml

PARSERS: dict[str, Callable[[str], ParseResult]] = {
    "gift": parse_gift,
    "moodle-xml": parse_moodle_xml,
    "csv": parse_csv,
}
FORMATS = tuple(PARSERS)


@dataclass(frozen=True)
class Note:
    """Something an import did not keep (an embedded image) or changed (a weight scheme)."""

    name: str
    line: int
    note: str

    def as_dict(self) -> dict[str, str | int]:
        return {"name": self.name, "line": self.line, "note": self.note}


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    fmt: str
    dry_run: bool = False
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    revised: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    unsupported: list[Rejection] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def __str__(self) -> str:
        text = (
            f"{self.imported} imported, {self.updated} updated ({self.revised} with a new revision), "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected, "
            f"{len(self.unsupported)} of unsupported types skipped"
        )
        return text + (" (dry run: nothing was written)" if self.dry_run else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "revised": self.revised,
            "rejected": [item.as_dict() for item in self.rejected],
            "skipped_unsupported": [item.as_dict() for item in self.unsupported],
            "notes": [note.as_dict() for note in self.notes],
            "dry_run": self.dry_run,
            "format": self.fmt,
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


def detect_format(filename: str, text: str) -> str:
    """Guess the format of an uploaded file from its extension, else from its first characters."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xml":
        return "moodle-xml"
    if suffix == ".csv":
        return "csv"
    if suffix in (".gift", ".txt"):
        return "gift"
    head = text.lstrip("\ufeff \t\r\n")[:200]
    if head.startswith("<"):
        return "moodle-xml"
    first_line = head.split("\n", 1)[0].lower()
    if "," in first_line and "stem" in first_line and "name" in first_line:
        return "csv"
    return "gift"
