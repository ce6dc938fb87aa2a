"""Our CSV: one question per row, with a header row naming the columns (see docs/importing.md).

Columns: name, domain, type (single|multiple|truefalse|ordering|matching), choose, difficulty,
status, tags (semicolon-separated), stem, explanation, source, option_1..option_N, correct ("2",
"1;3" or "true"/"false"; ordering: the option numbers in the right order, "1;2;3"),
rationale_1..rationale_N, for matching match_1..match_N (option_N is a prompt, match_N its
answer; a match without an option is a distractor; no `correct`), and optionally case_study (the
id of a case study of the bank: a CSV cannot hold the scenario itself). Texts are Markdown.
Required: name, domain, type, stem, correct (except for matching) and, except for true/false,
option_1 and option_2.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from quizzes.models.banks import QuestionType

from . import ParsedOption, ParsedQuestion, ParseResult, Rejection, build_question, join_category_path

MIN_OPTION_COLUMNS = 8
BASE_COLUMNS = (
    "name",
    "domain",
    "type",
    "choose",
    "difficulty",
    "status",
    "tags",
    "stem",
    "explanation",
    "source",
)
REQUIRED_COLUMNS = ("name", "domain", "type", "stem", "correct")
CASE_COLUMN = "case_study"  # optional; absent: the questions' case studies are left alone
_NUMBERED = re.compile(r"(option|rationale|match)_([1-9]\d*)")
_TRUE_FALSE = {"true": True, "t": True, "false": False, "f": False}


def columns(option_count: int = MIN_OPTION_COLUMNS, *, matches: bool = False) -> list[str]:
    """Return the header of our CSV for questions with up to option_count options (matches: match_N too)."""
    count = max(option_count, MIN_OPTION_COLUMNS)
    return [
        *BASE_COLUMNS,
        *(f"option_{n}" for n in range(1, count + 1)),
        "correct",
        *(f"rationale_{n}" for n in range(1, count + 1)),
        *((f"match_{n}" for n in range(1, count + 1)) if matches else ()),
    ]


def parse_csv(text: str) -> ParseResult:
    """Parse our CSV text into questions and rejections (a bad header rejects the whole file)."""
    result = ParseResult()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        result.rejected.append(
            Rejection("(file)", 1, "the file is empty: the first row must name the columns")
        )
        return result
    except csv.Error as error:
        result.rejected.append(Rejection("(file)", 1, f"unreadable CSV: {error}"))
        return result
    problem = _header_problem(header)
    if problem:
        result.rejected.append(Rejection("(file)", 1, problem))
        return result
    option_numbers = sorted({int(m.group(2)) for c in header if (m := _NUMBERED.fullmatch(c))})
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.rejected.append(Rejection("(row)", start, f"unreadable CSV: {error}"))
            break
        if any(cell.strip() for cell in row):
            built = _read_row(
                dict(zip(header, row, strict=False)), start, option_numbers, len(row), len(header)
            )
            if isinstance(built, ParsedQuestion):
                result.questions.append(built)
            else:
                result.rejected.append(built)
        start = reader.line_num + 1
    return result


def _header_problem(header: Sequence[str]) -> str | None:
    known = set(BASE_COLUMNS) | {"correct", CASE_COLUMN}
    unknown = [c for c in header if c not in known and not _NUMBERED.fullmatch(c)]
    if unknown:
        return f"unknown column(s) {', '.join(map(repr, unknown))}; see docs/importing.md for the columns"
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return f"missing column(s): {', '.join(missing)}"
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        return f"column(s) named twice: {', '.join(repeated)}"
    return None


def _read_row(
    row: dict[str, str], line: int, numbers: Sequence[int], cells: int, width: int
) -> ParsedQuestion | Rejection:
    def cell(column: str) -> str:
        return (row.get(column) or "").strip()

    name = cell("name")
    if cells > width:
        return Rejection(name, line, f"the row has {cells} cells but the header names {width} columns")
    qtype = cell("type").lower()
    texts = {n: cell(f"option_{n}") for n in numbers}
    rationales = {n: cell(f"rationale_{n}") for n in numbers}
    if qtype == QuestionType.MATCHING:
        return _matching_row(row, line, name, numbers, cell)
    if qtype == QuestionType.TRUE_FALSE:
        texts = {1: texts.get(1) or "True", 2: texts.get(2) or "False"} | {
            n: t for n, t in texts.items() if n > 2
        }
    gaps = [n for n in numbers if not texts.get(n) and rationales.get(n)]
    if gaps:
        return Rejection(name, line, f"rationale_{gaps[0]} is filled but option_{gaps[0]} is empty")
    used = [n for n in sorted(texts) if texts[n]]
    if used != list(range(1, len(used) + 1)):
        return Rejection(name, line, "options must fill option_1, option_2, ... without gaps")

    correct = cell("correct")
    if not correct:
        return Rejection(name, line, "no correct option: fill the column correct (e.g. 2, 1;3 or true)")
    keys = _correct_numbers(correct, qtype, texts)
    if isinstance(keys, str):
        return Rejection(name, line, keys)
    if any(n not in used for n in keys):
        return Rejection(name, line, f"correct names option {max(keys)}, but the row has {len(used)} options")

    choose: int | None = None
    if cell("choose"):
        if not cell("choose").isdigit():
            return Rejection(name, line, f"choose {cell('choose')!r} is not a whole number")
        choose = int(cell("choose"))
    if qtype == QuestionType.ORDERING:
        order = _correct_order(correct, len(used))
        if isinstance(order, str):
            return Rejection(name, line, order)
        options = [ParsedOption(texts[n], False, rationales.get(n, "")) for n in order]
    else:
        options = [ParsedOption(texts[n], n in keys, rationales.get(n, "")) for n in used]
    return build_question(options=options, choose=choose, **_common(row, line, name, qtype, cell))


def _common(
    row: dict[str, str], line: int, name: str, qtype: str, cell: Callable[[str], str]
) -> dict[str, Any]:
    """Return the fields of build_question every row type reads the same way."""
    return {
        "name": name or "",
        "line": line,
        "category": join_category_path([cell("domain")]) if cell("domain") else "",
        "qtype": qtype,
        "stem": cell("stem"),
        "explanation": cell("explanation"),
        "difficulty": cell("difficulty") or None,
        "status": cell("status") or None,
        "source_url": cell("source") or None,
        "tags": cell("tags").split(";") if "tags" in row else None,
        "case": cell(CASE_COLUMN) if CASE_COLUMN in row else None,
    }


def _correct_order(correct: str, count: int) -> list[int] | str:
    """Return the option numbers of an ordering row in the right order, or what is wrong with them."""
    parts = [part.strip() for part in re.split(r"[;,]", correct) if part.strip()]
    if not all(part.isdigit() for part in parts) or sorted(map(int, parts)) != list(range(1, count + 1)):
        return (
            f"correct {correct!r} must list each of the {count} options once, in the right order "
            f"(such as {';'.join(map(str, range(1, count + 1)))})"
        )
    return [int(part) for part in parts]


def _matching_row(
    row: dict[str, str], line: int, name: str, numbers: Sequence[int], cell: Callable[[str], str]
) -> ParsedQuestion | Rejection:
    """Read a matching row: option_N a prompt, match_N its answer (a match alone is a distractor)."""
    used = [n for n in numbers if cell(f"option_{n}") or cell(f"match_{n}")]
    if cell("correct"):
        return Rejection(name, line, "a matching row has no correct column: each option_N pairs with match_N")
    options = [
        ParsedOption(cell(f"option_{n}"), False, cell(f"rationale_{n}"), match=cell(f"match_{n}"))
        for n in used
    ]
    return build_question(options=options, **_common(row, line, name, QuestionType.MATCHING, cell))


def _correct_numbers(correct: str, qtype: str, texts: dict[int, str]) -> set[int] | str:
    if qtype == QuestionType.TRUE_FALSE and correct.lower() in _TRUE_FALSE:
        wanted = "true" if _TRUE_FALSE[correct.lower()] else "false"
        return {n for n, text in texts.items() if text.lower() == wanted} or {1 if wanted == "true" else 2}
    numbers = [part.strip() for part in re.split(r"[;,]", correct) if part.strip()]
    if not numbers or not all(part.isdigit() for part in numbers):
        return f"correct {correct!r} is not option numbers such as 2 or 1;3"
    return {int(part) for part in numbers}
