"""Read and validate the catalog file into plain records before anything touches the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .exceptions import CatalogFileError
from .models import PathStatus, Provider, ScoreScale, SourceKind

DEFAULT_CATALOG = Path(__file__).resolve().parent / "data" / "catalog.yaml"


@dataclass(frozen=True)
class DomainRecord:
    name: str
    weight: int | None = None
    weight_min: int | None = None
    weight_max: int | None = None


@dataclass(frozen=True)
class SuccessorRecord:
    name: str
    code: str = ""
    note: str = ""


@dataclass(frozen=True)
class PathRecord:
    code: str
    provider: str
    vendor: str
    name: str
    level: str
    status: str
    score_scale: str
    exam_title: str = ""
    version: str = ""
    item_count: int | None = None
    item_count_min: int | None = None
    item_count_max: int | None = None
    scored_item_count: int | None = None
    minutes: int | None = None
    pass_mark: int | None = None
    score_min: int | None = None
    score_max: int | None = None
    score_note: str = ""
    formats: list[str] = field(default_factory=list)
    retired_on: dt.date | None = None
    status_note: str = ""
    caveats: list[str] = field(default_factory=list)
    domains: list[DomainRecord] = field(default_factory=list)
    sources: list[tuple[str, str, str]] = field(default_factory=list)
    successors: list[SuccessorRecord] = field(default_factory=list)


class _Record:
    """Typed access to one raw mapping, raising errors that name the record and the field."""

    def __init__(self, raw: Any, label: str) -> None:
        if not isinstance(raw, dict):
            raise CatalogFileError(f"{label}: expected a mapping of fields, got {type(raw).__name__}")
        self.raw, self.label = raw, label

    def fail(self, key: str, problem: str) -> CatalogFileError:
        return CatalogFileError(f"{self.label}: field '{key}' {problem}")

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(key, "is required")
            return ""
        if not isinstance(value, str | int):
            raise self.fail(key, f"must be text, got {value!r}")
        return str(value).strip()

    def number(self, key: str, *, low: int = 0, high: int = 10_000) -> int | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"must be a whole number from {low} to {high}, got {value!r}")
        return value

    def choice(self, key: str, choices: type[Any]) -> str:
        value = self.text(key, required=True)
        if value not in choices.values:
            raise self.fail(key, f"is {value!r}; expected one of {', '.join(choices.values)}")
        return value

    def pair(self, key: str, *, high: int) -> tuple[int, int] | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= high for v in value)
            or value[0] > value[1]
        ):
            raise self.fail(key, f"must be [lowest, highest] whole numbers up to {high}, got {value!r}")
        return value[0], value[1]

    def strings(self, key: str) -> list[str]:
        value = self.raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "must be a list of texts")
        return [v.strip() for v in value]

    def items(self, key: str) -> list[Any]:
        value = self.raw.get(key) or []
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(key, f"must be a date YYYY-MM-DD, got {value!r}") from None


def _domain(raw: Any, label: str) -> DomainRecord:
    record = _Record(raw, label)
    name = record.text("name", required=True)
    span = record.pair("weight_range", high=100)
    weight = record.number("weight", high=100)
    if weight is not None and span is not None:
        raise record.fail("weight", "and 'weight_range' are both given: keep one")
    return DomainRecord(
        name=name,
        weight=weight,
        weight_min=span[0] if span else None,
        weight_max=span[1] if span else None,
    )


def _path(raw: Any, index: int) -> PathRecord:
    code = raw.get("code") if isinstance(raw, dict) else None
    record = _Record(raw, f"catalog record {index}" + (f" ({code})" if code else ""))
    items_range = record.pair("items_range", high=1000)
    status = record.choice("status", PathStatus)
    retired_on = record.date("retired_on")
    if status != PathStatus.ACTIVE and retired_on is None:
        raise record.fail("retired_on", f"is required when status is {status}")
    domains = [
        _domain(d, f"{record.label} domain {i}") for i, d in enumerate(record.items("domains"), start=1)
    ]
    if not domains:
        raise record.fail("domains", "must list at least one exam domain")
    names = [d.name for d in domains]
    if len(set(names)) != len(names):
        raise record.fail("domains", "lists the same domain name twice")
    exact = [d.weight for d in domains if d.weight is not None]
    if exact and (len(exact) != len(domains) or sum(exact) != 100):
        raise record.fail(
            "domains", f"exact weights must cover every domain and add up to 100, got {sum(exact)}"
        )
    sources = []
    for i, raw_source in enumerate(record.items("sources"), start=1):
        source = _Record(raw_source, f"{record.label} source {i}")
        url = source.text("url", required=True)
        if not url.startswith(("https://", "http://")):
            raise source.fail("url", f"must be an http(s) address, got {url!r}")
        sources.append((url, source.choice("kind", SourceKind), source.text("note")))
    successors = []
    for i, raw_successor in enumerate(record.items("successors"), start=1):
        successor = _Record(raw_successor, f"{record.label} successor {i}")
        successors.append(
            SuccessorRecord(
                name=successor.text("name", required=True),
                code=successor.text("code"),
                note=successor.text("note"),
            )
        )
    return PathRecord(
        code=record.text("code", required=True),
        provider=record.choice("provider", Provider),
        vendor=record.text("vendor", required=True),
        name=record.text("name", required=True),
        level=record.text("level", required=True),
        status=status,
        score_scale=record.choice("score_scale", ScoreScale),
        exam_title=record.text("exam_title"),
        version=record.text("version"),
        item_count=record.number("items", low=1, high=1000),
        item_count_min=items_range[0] if items_range else None,
        item_count_max=items_range[1] if items_range else None,
        scored_item_count=record.number("scored_items", low=1, high=1000),
        minutes=record.number("minutes", low=1, high=1440),
        pass_mark=record.number("pass_mark", high=1000),
        score_min=record.number("score_min", high=1000),
        score_max=record.number("score_max", high=1000),
        score_note=record.text("score_note"),
        formats=record.strings("formats"),
        retired_on=retired_on,
        status_note=record.text("status_note"),
        caveats=record.strings("caveats"),
        domains=domains,
        sources=sources,
        successors=successors,
    )


def parse_catalog(text: str) -> list[PathRecord]:
    """Parse catalog YAML into validated records; raise CatalogFileError naming the bad record."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogFileError(f"the catalog is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("paths"), list):
        raise CatalogFileError("the catalog must be a mapping with a 'paths' list")
    records = [_path(raw, index) for index, raw in enumerate(data["paths"], start=1)]
    codes = [r.code for r in records]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise CatalogFileError(f"the catalog lists these codes more than once: {', '.join(duplicates)}")
    return records


def read_catalog(path: Path = DEFAULT_CATALOG) -> list[PathRecord]:
    """Read and validate the catalog file at path."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogFileError(f"cannot read the catalog file {path}: {exc.strerror}") from exc
    return parse_catalog(text)
