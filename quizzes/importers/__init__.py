"""Pure parsers: question files (GIFT, Moodle XML, CSV) to validated records, without the database.

Every parser returns a `ParseResult`: the questions it could read, the items it rejects (malformed,
or breaking an invariant of our question types) and the items of types this project does not
support. Texts are stored as Markdown; HTML-format texts become sanitized HTML that Markdown passes
through unchanged (see `to_markdown`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from core.markdown import sanitize_html
from quizzes.models.banks import (
    CaseStudy,
    Difficulty,
    Question,
    QuestionStatus,
    QuestionType,
    validate_options,
)

NAME_MAX = Question._meta.get_field("name").max_length or 120
CASE_NAME_MAX = CaseStudy._meta.get_field("name").max_length or 120
CASE_TITLE_MAX = CaseStudy._meta.get_field("title").max_length or 200
SOURCE_MAX = Question._meta.get_field("source_url").max_length or 500
TAG_MAX = 60
GENERATED_NAME_MAX = 80
FULL_CREDIT = 0.99999  # Moodle stores 100% as 1.0000000
_QTYPES, _DIFFICULTIES, _STATUSES = QuestionType.values, Difficulty.values, QuestionStatus.values


@dataclass(frozen=True)
class ParsedOption:
    text: str
    is_correct: bool
    rationale: str = ""
    match: str = ""  # matching: the prompt's answer (a distractor has no text); ordering keeps the order


@dataclass(frozen=True)
class ParsedQuestion:
    """One question as read from a file; None in difficulty/status/source/tags means "not stated"."""

    name: str
    line: int
    category: str
    qtype: str
    choose: int
    stem: str
    explanation: str
    options: tuple[ParsedOption, ...]
    difficulty: str | None = None
    status: str | None = None
    source_url: str | None = None
    tags: tuple[str, ...] | None = ()
    notes: tuple[str, ...] = ()
    # True when the name is an identifier (Moodle's idnumber, our [id:...], a CSV name), which must
    # be unique in a file; False for a Moodle question name or title, which Moodle lets repeat.
    name_is_id: bool = True
    # The case study the question belongs to, by its identifier: "" none, None not stated (left alone).
    case: str | None = None


@dataclass(frozen=True)
class ParsedCaseStudy:
    """A case study as read from a file: its identifier, the line it starts on, title and scenario."""

    name: str
    line: int
    title: str
    scenario: str


@dataclass(frozen=True)
class Rejection:
    """An item that is not imported: its name, the line it starts on, and why."""

    name: str
    line: int
    reason: str

    def as_dict(self) -> dict[str, str | int]:
        return {"name": self.name, "line": self.line, "reason": self.reason}


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    unsupported: list[Rejection] = field(default_factory=list)
    case_studies: list[ParsedCaseStudy] = field(default_factory=list)

    def add_case_study(self, *, name: str, line: int, title: str, scenario: str) -> None:
        """Keep a case study read from the file, or reject it with the reason."""
        name, title = name.strip(), " ".join(title.split()) or name.strip()
        first = next((case.line for case in self.case_studies if case.name == name), None)
        if len(name) > CASE_NAME_MAX:
            reason = f"the case-study id is {len(name)} characters long; at most {CASE_NAME_MAX} are allowed"
        elif len(title) > CASE_TITLE_MAX:
            reason = (
                f"the case-study title is {len(title)} characters long; at most {CASE_TITLE_MAX} are allowed"
            )
        elif not scenario.strip():
            reason = "the case study has no scenario text"
        elif first is not None:
            reason = f"the case study {name!r} is defined again (first on line {first})"
        else:
            self.case_studies.append(ParsedCaseStudy(name, line, title, scenario.strip()))
            return
        self.rejected.append(Rejection(name[:NAME_MAX], line, reason))


# --- text formats -----------------------------------------------------------------------------

TEXT_FORMATS = ("markdown", "html", "moodle", "plain")
_PLUGINFILE_IMG = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?@@PLUGINFILE@@/?([^\"'\s>]*)[^>]*>", re.I)
_SINGLE_PARAGRAPH = re.compile(r"<p>((?:(?!</?p>).)*)</p>", re.S)
# Text Markdown would read as markup: such HTML is kept inside a <div> block, which Markdown passes on.
_MARKDOWN_SIGNIFICANT = re.compile(r"[\\`*_\[\]<>!#|~{}\n]|^\s*(?:[-+=:]|\d+[.)])(?:\s|$)|^\s{4}")
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")


def to_markdown(text: str, fmt: str) -> tuple[str, list[str]]:
    """Return text (in Moodle's format fmt) as Markdown for our renderer, and notes on what was dropped.

    markdown is kept as it is; html is sanitized; moodle (HTML with line breaks) and plain (text to
    show literally) become sanitized HTML. HTML that Markdown would misread is wrapped in a <div>, a
    raw block Markdown leaves alone, so the page shows what Moodle showed.
    """
    if fmt == "markdown":
        return text.strip(), []
    if fmt == "plain":
        text = html.escape(text.strip(), quote=False)
    if fmt in ("plain", "moodle"):
        text = text.strip().replace("\r\n", "\n").replace("\n", "<br>\n")
    notes: list[str] = []

    def drop_image(match: re.Match[str]) -> str:
        notes.append(f"embedded image {match.group(1) or '(unnamed)'} dropped: files are not imported")
        return ""

    clean = _EMPTY_PARAGRAPH.sub("", sanitize_html(_PLUGINFILE_IMG.sub(drop_image, text))).strip()
    if not clean:
        return "", notes
    paragraph = _SINGLE_PARAGRAPH.fullmatch(clean)
    inner = paragraph.group(1).strip() if paragraph else clean
    if not _MARKDOWN_SIGNIFICANT.search(inner):
        return inner, notes
    return f"<div>{clean}</div>", notes


def plain_excerpt(text: str, limit: int = GENERATED_NAME_MAX) -> str:
    """Return the first words of a Markdown/HTML text as a one-line label (for unnamed questions)."""
    words = re.sub(r"<[^>]*>|[`*_#>\[\]]", " ", text)
    words = " ".join(html.unescape(words).split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


# --- Moodle category paths --------------------------------------------------------------------

_CATEGORY_SEPARATOR = re.compile(r"(?<!/)/(?!/)")


def split_category_path(path: str) -> list[str]:
    """Split a Moodle category path on single slashes; '//' is an escaped '/' inside a name."""
    return [part.replace("//", "/").strip() for part in _CATEGORY_SEPARATOR.split(path.strip())]


_ROOTS = {"top", "$course$", "$system$", "$module$", "$coursecategory$", "$cat1$"}


def is_root_category(path: str) -> bool:
    """Return whether a category path names no category of its own (empty, or Moodle's `$course$/top`)."""
    return all(not part or part.casefold() in _ROOTS for part in split_category_path(path))


def category_leaf(path: str) -> str:
    """Return the last segment of a Moodle category path (the domain name by our convention)."""
    parts = [part for part in split_category_path(path) if part]
    return parts[-1] if parts else ""


def join_category_path(names: Sequence[str]) -> str:
    """Build a Moodle category path, escaping '/' in names as Moodle does."""
    escaped = []
    for name in names:
        part = name.replace("/", "//")
        if part.startswith("/"):
            part = " " + part
        if part.endswith("/"):
            part += " "
        escaped.append(part)
    return "/".join(escaped)


# --- validation -------------------------------------------------------------------------------

_url = URLValidator(schemes=["http", "https"])


def build_question(
    *,
    name: str,
    line: int,
    category: str,
    qtype: str,
    stem: str,
    explanation: str,
    options: Sequence[ParsedOption],
    choose: int | None = None,
    difficulty: str | None = None,
    status: str | None = None,
    source_url: str | None = None,
    tags: Sequence[str] | None = (),
    notes: Sequence[str] = (),
    name_is_id: bool = True,
    case: str | None = None,
) -> ParsedQuestion | Rejection:
    """Check a question read from a file against our invariants; return it, or why it is rejected."""
    name = name.strip()
    if not name:
        name, name_is_id = plain_excerpt(stem) or f"question at line {line}", False
    label = name[:NAME_MAX]
    reason = _first_problem(
        name=name,
        qtype=qtype,
        stem=stem,
        options=options,
        choose=choose,
        difficulty=difficulty,
        status=status,
        source_url=source_url,
        tags=tags,
    )
    if reason:
        return Rejection(label, line, reason)
    if not explanation.strip():
        notes = [*notes, "no explanation (general feedback): it is left empty"]
    if choose is None:
        choose = sum(1 for option in options if option.is_correct) if qtype == QuestionType.MULTIPLE else 1
    return ParsedQuestion(
        name=name,
        line=line,
        category=category.strip(),
        qtype=qtype,
        choose=choose,
        stem=stem,
        explanation=explanation,
        options=tuple(options),
        difficulty=difficulty.lower() if difficulty else None,
        status=status.lower() if status else None,
        source_url=source_url.strip() if source_url is not None else None,
        tags=None if tags is None else unique_tags(tags),
        notes=tuple(notes),
        name_is_id=name_is_id,
        case=case.strip() if case is not None else None,
    )


def unique_tags(tags: Sequence[str]) -> tuple[str, ...]:
    """Return the tags stripped, without blanks and without repeats (ignoring case), in order."""
    seen: set[str] = set()
    result = []
    for tag in tags:
        tag = tag.strip()
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            result.append(tag)
    return tuple(result)


def _first_problem(
    *,
    name: str,
    qtype: str,
    stem: str,
    options: Sequence[ParsedOption],
    choose: int | None,
    difficulty: str | None,
    status: str | None,
    source_url: str | None,
    tags: Sequence[str] | None,
) -> str | None:
    if len(name) > NAME_MAX:
        return f"the name is {len(name)} characters long; at most {NAME_MAX} are allowed"
    if qtype not in _QTYPES:
        return f"type {qtype!r} is not one of {', '.join(_QTYPES)}"
    if not stem.strip():
        return "the question has no text (stem)"
    if difficulty and difficulty.lower() not in _DIFFICULTIES:
        return f"difficulty {difficulty!r} is not one of {', '.join(_DIFFICULTIES)}"
    if status and status.lower() not in _STATUSES:
        return f"status {status!r} is not one of {', '.join(_STATUSES)}"
    if source_url and source_url.strip():
        if len(source_url.strip()) > SOURCE_MAX:
            return f"the source URL is longer than {SOURCE_MAX} characters"
        try:
            _url(source_url.strip())
        except ValidationError:
            return f"the source {source_url.strip()!r} is not an http(s) URL"
    for tag in tags or ():
        if len(tag.strip()) > TAG_MAX:
            return f"tag {tag.strip()[:20]!r}... is longer than {TAG_MAX} characters"
    correct = sum(1 for option in options if option.is_correct)
    effective_choose = choose if choose is not None else (correct if qtype == QuestionType.MULTIPLE else 1)
    try:
        Question(qtype=qtype, choose=effective_choose).clean()
        validate_options(
            qtype,
            effective_choose,
            [(option.text, option.is_correct) for option in options],
            matches=[option.match for option in options],
        )
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def key_from_weights(
    weighted: Sequence[tuple[float, ParsedOption]], *, single: bool, notes: list[str]
) -> tuple[str, list[ParsedOption]] | str:
    """Turn Moodle's answer weights (fractions) into our key, or return why that is impossible.

    Single choice: the 100% option is right, a partial weight cannot be expressed. Multiple answer:
    every option with a positive weight is right (N = their number); with one such option the
    question is single choice.
    """
    if single:
        for number, (weight, option) in enumerate(weighted, start=1):
            if 0 < weight < FULL_CREDIT:
                return (
                    f"option {number} ({plain_excerpt(option.text, 40)!r}) gives partial credit "
                    f"({weight * 100:g}%): a single-choice question here has one fully right option"
                )
        return QuestionType.SINGLE, [replace(o, is_correct=w >= FULL_CREDIT) for w, o in weighted]
    options = [replace(o, is_correct=w > 0) for w, o in weighted]
    positive = sorted({round(weight, 4) for weight, _ in weighted if weight > 0})
    if not positive:
        return "no option is right: mark right options with = or a positive weight such as ~%50%"
    if len(positive) > 1:
        weights = ", ".join(f"{w * 100:g}%" for w in positive)
        notes.append(f"the right options carry different weights ({weights}); here each counts the same")
    if sum(1 for option in options if option.is_correct) == 1:
        notes.append("multiple-answer question with one right option imported as single choice")
        return QuestionType.SINGLE, options
    return QuestionType.MULTIPLE, options
