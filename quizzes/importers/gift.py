"""GIFT, as Moodle reads and writes it, plus the metadata comments of content/FORMAT.md.

A blank line ends a question. Lines starting with `//` are comments; the comment lines of a question
may carry `[id:...]` and `[tag:...]` (Moodle's) and `[difficulty:...]`, `[status:...]`,
`[source:...]`, `[case:...]` (ours). A description (text without an answer block) whose comment
says `[case:<id>]` is a case study: `::<title>::<scenario>`; a question's `[case:<id>]` puts it
in that case study. `$CATEGORY: a/b/c` sets the category of the questions that follow. Texts
may start with a format, `[markdown]`, `[html]`, `[plain]` or `[moodle]` (the default); answers and
feedback default to the question text's format. `\\~ \\= \\# \\{ \\} \\: \\\\` are escaped specials
and `\\n` a line break.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from quizzes.models.banks import QuestionType

from . import (
    ParsedOption,
    ParsedQuestion,
    ParseResult,
    Rejection,
    build_question,
    key_from_weights,
    plain_excerpt,
    to_markdown,
)

_ESCAPES = {":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004", "}": "\ue005", "~": "\ue006"}
_BACKSLASH = "\ue000"
_NEWLINE = "\ue007"
_UNESCAPE = str.maketrans({_BACKSLASH: "\\", _NEWLINE: "\n", **{v: k for k, v in _ESCAPES.items()}})
_FORMAT_PREFIX = re.compile(r"\[(markdown|html|plain|moodle)\]")
_WEIGHT = re.compile(r"%(-*)(\d+(?:\.\d*)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_UNSUPPORTED = "only single choice, multiple response, true/false and matching questions are imported"


def _meta(key: str, exclude: str = "") -> re.Pattern[str]:
    return re.compile(rf"\[{key}:((?:\\\]|[^\]{exclude}\x00-\x1f])+)\]")


_META_ID = _meta("id")
_META_TAG = _meta("tag", "<>")
_META_DIFFICULTY = _meta("difficulty")
_META_STATUS = _meta("status")
_META_SOURCE = _meta("source")
_META_CASE = _meta("case")


def escape(text: str) -> str:
    """Escape GIFT's specials in text (and write line breaks as \\n), as Moodle's export does."""
    text = text.replace("\\", "\\\\")
    for char in "#=~{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def escape_meta(value: str) -> str:
    """Escape a value for a `[key:value]` metadata comment."""
    return value.replace("\r", " ").replace("\n", " ").replace("]", "\\]")


def _hide_escapes(text: str) -> str:
    text = text.replace("\\\\", _BACKSLASH)
    for char, placeholder in _ESCAPES.items():
        text = text.replace("\\" + char, placeholder)
    return text.replace("\\n", _NEWLINE)


def _unescape(text: str) -> str:
    return text.translate(_UNESCAPE)


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line number, lines) for each run of lines between blank lines."""
    start, lines = 0, list[str]()
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not lines:
                start = number
            lines.append(line)
        elif lines:
            yield start, lines
            lines = []
    if lines:
        yield start, lines


def parse_gift(text: str) -> ParseResult:
    """Parse GIFT text into questions, rejections and unsupported items."""
    result = ParseResult()
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    category = ""
    for start, lines in _blocks(text):
        comments = "\n".join(line.strip() for line in lines if line.strip().startswith("//"))
        body = [("" if line.strip().startswith("//") else line) for line in lines]
        while body and not body[0].strip():
            body.pop(0)
            start += 1
        if not body:
            continue  # a comment on its own, such as a file header
        source = _hide_escapes("\n".join(body).rstrip())
        if source.lstrip().startswith("$CATEGORY:"):
            first, _, rest = source.partition("\n")
            category = _unescape(first.strip()[len("$CATEGORY:") :]).strip()
            if not rest.strip():
                continue
            skipped = len(rest) - len(rest.lstrip("\n"))
            start, source = start + 1 + rest[:skipped].count("\n"), rest.lstrip("\n")
        _read_question(result, source.strip(), start, comments, category)
    return result


def _read_question(result: ParseResult, source: str, line: int, comments: str, category: str) -> None:
    def line_at(offset: int) -> int:
        return line + source.count("\n", 0, offset)

    name, position = "", 0
    if source.startswith("::"):
        end = source.find("::", 2)
        if end != -1:
            name, position = _unescape(source[2:end]).strip(), end + 2
        else:
            position = 2
    ident = _first(_META_ID, comments)
    label = ident or name or plain_excerpt(_unescape(source[position:])) or f"line {line}"

    opening, closing = source.find("{", position), source.find("}", position)
    case = _first(_META_CASE, comments)
    if opening == -1 and closing == -1 and case is not None:
        _, scenario = _with_format(source[position:].strip(), "moodle", [])
        result.add_case_study(name=case, line=line, title=name, scenario=scenario)
        return
    if opening == -1 and closing == -1:
        result.unsupported.append(
            Rejection(label, line, f"description (text without an answer block): {_UNSUPPORTED}")
        )
        return
    if opening == -1 or (closing != -1 and closing < opening):
        result.rejected.append(
            Rejection(label, line_at(closing), "'}' closes no answer block: escape a literal brace as \\}")
        )
        return
    if closing == -1:
        result.rejected.append(
            Rejection(label, line_at(opening), "the answer block '{' is never closed by '}'")
        )
        return
    nested = source.find("{", opening + 1, closing)
    if nested != -1:
        result.rejected.append(
            Rejection(
                label,
                line_at(nested),
                f"'{{' inside the answer block opened on line {line_at(opening)}: is a '}}' missing? "
                "(escape a literal brace as \\{)",
            )
        )
        return
    strays = (source.find("{", closing + 1), source.find("}", closing + 1))
    extra = min((i for i in strays if i != -1), default=-1)
    if extra != -1:
        result.rejected.append(
            Rejection(
                label,
                line_at(extra),
                f"a second '{source[extra]}' after the answer block closed on line {line_at(closing)}: "
                "a question has one answer block (escape literal braces as \\{ \\})",
            )
        )
        return

    after = source[closing + 1 :]
    question_text = source[position:opening] + ("_____" + after if after.strip() else "")
    answers = source[opening + 1 : closing]
    general_feedback = ""
    separator = answers.rfind("####")
    if separator != -1:
        general_feedback, answers = answers[separator + 4 :], answers[:separator]

    notes: list[str] = []
    stem_format, stem = _with_format(question_text.strip(), "moodle", notes)
    _, explanation = _with_format(general_feedback.strip(), stem_format, notes)

    stripped = answers.strip()
    unsupported = _unsupported_kind(stripped)
    if unsupported:
        result.unsupported.append(Rejection(label, line, f"{unsupported}: {_UNSUPPORTED}"))
        return

    qtype: str
    options: list[ParsedOption]
    if "~" not in stripped and "->" in stripped:
        qtype, options = QuestionType.MATCHING, _matching(answers, stem_format, notes)
    elif "~" in stripped:
        parsed = _multichoice(answers, stem_format, notes)
        if isinstance(parsed, str):
            result.rejected.append(Rejection(label, line, parsed))
            return
        qtype, options = parsed
    else:
        qtype, options = QuestionType.TRUE_FALSE, _true_false(stripped, stem_format, notes)

    built = build_question(
        name=ident or name,
        line=line,
        category=category,
        qtype=qtype,
        stem=stem,
        explanation=explanation,
        options=options,
        difficulty=_first(_META_DIFFICULTY, comments),
        status=_first(_META_STATUS, comments),
        source_url=_first(_META_SOURCE, comments),
        tags=[tag.replace("\\]", "]") for tag in _META_TAG.findall(comments)],
        notes=notes,
        name_is_id=ident is not None,
        case=case or "",
    )
    if isinstance(built, ParsedQuestion):
        result.questions.append(built)
    else:
        result.rejected.append(built)


def _first(pattern: re.Pattern[str], comments: str) -> str | None:
    match = pattern.search(comments)
    return match.group(1).replace("\\]", "]").strip() if match else None


def _with_format(text: str, default: str, notes: list[str]) -> tuple[str, str]:
    """Split a leading [format] off text; return the format and the text as Markdown."""
    fmt = default
    match = _FORMAT_PREFIX.match(text)
    if match:
        fmt, text = match.group(1), text[match.end() :]
    converted, dropped = to_markdown(_unescape(text), fmt)
    notes.extend(dropped)
    return fmt, converted


def _unsupported_kind(answers: str) -> str | None:
    """Name the question type of an answer block we do not import, the way Moodle tells them apart."""
    if not answers:
        return "essay (an empty answer block)"
    if answers.startswith("#"):
        return "numerical (an answer block starting with #)"
    if "~" in answers or "->" in answers:  # multiple choice, or matching
        return None
    verdict = answers.split("#", 1)[0].strip() if "#" in answers[1:] else answers
    if verdict.upper() not in _TRUE_FALSE:
        return "short answer (only =right answers, no ~wrong ones)"
    return None


def _multichoice(answers: str, fmt: str, notes: list[str]) -> tuple[str, list[ParsedOption]] | str:
    single = "=" in answers
    pieces = re.split(r"(?=[~=])", answers)
    if pieces and not pieces[0].strip():
        pieces.pop(0)
    weighted: list[tuple[float, ParsedOption]] = []
    for piece in pieces:
        piece = piece.strip()
        weight = 0.0
        if piece.startswith("="):
            weight, piece = 1.0, piece[1:]
        else:
            piece = piece.removeprefix("~").lstrip()
            match = _WEIGHT.match(piece)
            if match:
                weight = float(match.group(2)) / 100 * (-1 if match.group(1) else 1)
                piece = piece[match.end() :]
        text, _, feedback = piece.partition("#")
        _, option_text = _with_format(text.strip(), fmt, notes)
        _, rationale = _with_format(feedback.strip(), fmt, notes)
        weighted.append((weight, ParsedOption(option_text, False, rationale)))
    return key_from_weights(weighted, single=single, notes=notes)


def _matching(answers: str, fmt: str, notes: list[str]) -> list[ParsedOption]:
    """Read pairs `=prompt -> answer`; `= -> answer` (no prompt) is an extra wrong answer."""
    options = []
    for piece in re.split(r"(?==)", answers):
        piece = piece.strip().removeprefix("=")
        if not piece.strip():
            continue
        prompt, arrow, answer = piece.partition("->")
        if not arrow:  # validation reports a prompt without its answer
            prompt, answer = piece, ""
        answer, _, feedback = answer.partition("#")
        _, prompt_text = _with_format(prompt.strip(), fmt, notes)
        _, answer_text = _with_format(answer.strip(), fmt, notes)
        _, rationale = _with_format(feedback.strip(), fmt, notes)
        options.append(ParsedOption(prompt_text, False, rationale, match=answer_text))
    return options


def _true_false(answers: str, fmt: str, notes: list[str]) -> list[ParsedOption]:
    bits = answers.split("#", 2)
    verdict = _TRUE_FALSE[bits[0].strip().upper()]
    wrong = _with_format(bits[1].strip(), fmt, notes)[1] if len(bits) > 1 else ""
    right = _with_format(bits[2].strip(), fmt, notes)[1] if len(bits) > 2 else ""
    return [
        ParsedOption("True", verdict, right if verdict else wrong),
        ParsedOption("False", not verdict, wrong if verdict else right),
    ]
