"""Moodle XML (`<quiz><question type="...">...`), as Moodle's question export writes it.

Imported: `multichoice` (single or multiple answer, Moodle's percentage fractions), `truefalse`,
`matching` (each `<subquestion>` a prompt with its `<answer>`; one with no text is an extra wrong
answer) and the `ordering` plugin's questions (the answers in the right order: by their fraction,
which the plugin numbers 1, 2, ..., else as written); `category` questions set the category of
those that follow. Read and ignored: `answernumbering`,
`shuffleanswers`, `penalty`, `defaultgrade`, combined feedback and hints. Embedded `<file>`s are
dropped (with a note). Our own fields ride on an element Moodle ignores:
`<certlms difficulty="hard" status="active" source="https://..."/>`. Case studies ride on Moodle
tags: a `description` question tagged `case:<id>` is a case study (its name the title, its text
the scenario), and a question tagged `case:<id>` belongs to it.

The document is read with expat directly so every element keeps its line, and with DTDs and entity
declarations refused (the XML attacks that need them cannot happen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from quizzes.models.banks import QuestionStatus, QuestionType

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

# Moodle's names for text formats (qformat_xml::get_format) -> ours (see to_markdown).
_TEXT_FORMATS = {
    "html": "html",
    "moodle_auto_format": "moodle",
    "plain_text": "plain",
    "markdown": "markdown",
}
_UNSUPPORTED_TYPES = {
    "shortanswer": "short answer",
    "numerical": "numerical",
    "essay": "essay",
    "cloze": "cloze (embedded answers)",
    "multianswer": "cloze (embedded answers)",
    "description": "description (text without an answer)",
    "calculated": "calculated",
    "calculatedsimple": "calculated (simple)",
    "calculatedmulti": "calculated multichoice",
    "ddwtos": "drag and drop into text",
    "ddimageortext": "drag and drop onto image",
    "ddmarker": "drag and drop markers",
    "gapselect": "select missing words",
    "randomsamatch": "random short-answer matching",
    "random": "random question",
}
_SUPPORTED = "only multichoice, truefalse, matching and ordering questions are imported"
_IMPORTED = ("multichoice", "truefalse", "matching", "ordering")
CASE_TAG = "case:"


class _XmlError(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass
class Element:
    """An XML element with the line it starts on, its attributes, children and direct text."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Element] = field(default_factory=list)
    chunks: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def find(self, *path: str) -> Element | None:
        node: Element | None = self
        for tag in path:
            node = next((child for child in node.children if child.tag == tag), None) if node else None
        return node

    def findall(self, tag: str) -> list[Element]:
        return [child for child in self.children if child.tag == tag]

    def value(self, *path: str, default: str = "") -> str:
        node = self.find(*path)
        return node.text.strip() if node is not None else default


def parse_xml(text: str) -> Element:
    """Parse text into Elements; raise _XmlError (with the line) if it is not well-formed XML."""
    parser = expat.ParserCreate(encoding="utf-8")
    parser.buffer_text = True
    root = Element("", {}, 0)
    stack = [root]

    def refuse(*_: object) -> None:
        raise _XmlError(parser.CurrentLineNumber, "DTDs and entity declarations are not accepted")

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = Element(tag, attrs, parser.CurrentLineNumber)
        stack[-1].children.append(element)
        stack.append(element)

    def end(_: str) -> None:
        stack.pop()

    def data(chunk: str) -> None:
        stack[-1].chunks.append(chunk)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        parser.Parse(text.lstrip("\ufeff"), True)
    except expat.ExpatError as error:
        reason = (
            f"invalid XML: {expat.ErrorString(error.code)} (line {error.lineno}, column {error.offset + 1})"
        )
        raise _XmlError(error.lineno, reason) from None
    if not root.children:
        raise _XmlError(1, "invalid XML: no root element")
    return root.children[0]


def parse_moodle_xml(text: str) -> ParseResult:
    """Parse Moodle XML text into questions, rejections and unsupported items."""
    result = ParseResult()
    try:
        quiz = parse_xml(text)
    except _XmlError as error:
        result.rejected.append(Rejection("(file)", error.line, error.reason))
        return result
    if quiz.tag != "quiz":
        result.rejected.append(
            Rejection("(file)", quiz.line, f"the root element is <{quiz.tag}>, not <quiz>")
        )
        return result
    category = ""
    for index, element in enumerate(quiz.findall("question"), start=1):
        where = f"quiz/question[{index}]"
        qtype = element.attrs.get("type", "")
        if qtype == "category":
            category = element.value("category", "text") or element.value("category")
            continue
        name = element.value("idnumber") or element.value("name", "text")
        label = name or plain_excerpt(element.value("questiontext", "text")) or where
        cases, _ = _tags(element)
        if len(cases) > 1:
            reason = (
                f"{where}: tagged with {len(cases)} case studies ({', '.join(cases)}); use one {CASE_TAG} tag"
            )
            result.rejected.append(Rejection(label, element.line, reason))
        elif qtype == "description" and cases:
            _, scenario = _formatted(element.find("questiontext"), "html", [])
            title = element.value("name", "text")
            result.add_case_study(name=cases[0], line=element.line, title=title, scenario=scenario)
        elif qtype in _IMPORTED:
            built = _read_question(
                element, qtype, name=name, category=category, name_is_id=bool(element.value("idnumber"))
            )
            if isinstance(built, ParsedQuestion):
                result.questions.append(built)
            else:
                result.rejected.append(Rejection(label, element.line, f"{where}: {built}"))
        elif not qtype:
            result.rejected.append(
                Rejection(label, element.line, f"{where}: <question> has no type attribute")
            )
        else:
            kind = _UNSUPPORTED_TYPES.get(qtype, f"question type {qtype!r}")
            result.unsupported.append(Rejection(label, element.line, f"{where}: {kind}: {_SUPPORTED}"))
    return result


def _formatted(node: Element | None, default: str, notes: list[str]) -> tuple[str, str]:
    """Return (Moodle format name, Markdown) of a node holding <text> and maybe <file>s."""
    if node is None:
        return default, ""
    fmt = node.attrs.get("format", default)
    text = node.value("text")
    if node.findall("file"):
        names = ", ".join(f.attrs.get("name", "?") for f in node.findall("file"))
        notes.append(f"embedded file(s) {names} in <{node.tag}> dropped: files are not imported")
    markdown, dropped = to_markdown(text, _TEXT_FORMATS.get(fmt, "html"))
    notes.extend(note for note in dropped if not node.findall("file"))
    return fmt, markdown


def _read_question(
    element: Element, qtype: str, *, name: str, category: str, name_is_id: bool
) -> ParsedQuestion | str:
    notes: list[str] = []
    stem_format, stem = _formatted(element.find("questiontext"), "html", notes)
    if element.find("image_base64") is not None:
        notes.append("the old-style embedded <image> was dropped: files are not imported")
    _, explanation = _formatted(element.find("generalfeedback"), stem_format, notes)

    answers = element.findall("answer")
    options: list[ParsedOption]
    if qtype == "truefalse":
        parsed = _true_false(answers, stem_format, notes)
    elif qtype == "matching":
        parsed = _matching(element, stem_format, notes)
    elif qtype == "ordering":
        parsed = _ordering(element, answers, stem_format, notes)
    else:
        weighted = []
        for answer in answers:
            try:
                fraction = float(answer.attrs.get("fraction", "0")) / 100
            except ValueError:
                return f"answer on line {answer.line}: fraction {answer.attrs['fraction']!r} is not a number"
            _, text = _formatted(answer, answer.attrs.get("format", stem_format), notes)
            _, rationale = _formatted(answer.find("feedback"), stem_format, notes)
            weighted.append((fraction, ParsedOption(text, False, rationale)))
        single = element.value("single", default="true").lower() not in ("false", "0", "")
        parsed = key_from_weights(weighted, single=single, notes=notes)
    if isinstance(parsed, str):
        return parsed
    qtype, options = parsed

    ours = element.find("certlms")
    status = ours.attrs.get("status") if ours is not None else None
    if status is None and element.value("hidden") == "1":
        status = QuestionStatus.RETIRED
        notes.append("hidden in Moodle: imported as retired")
    built = build_question(
        name=name,
        line=element.line,
        category=category,
        qtype=qtype,
        stem=stem,
        explanation=explanation,
        options=options,
        difficulty=ours.attrs.get("difficulty") if ours is not None else None,
        status=status,
        source_url=ours.attrs.get("source") if ours is not None else None,
        tags=_tags(element)[1],
        notes=notes,
        name_is_id=name_is_id,
        case=next(iter(_tags(element)[0]), ""),
    )
    return built if isinstance(built, ParsedQuestion) else built.reason


def _tags(element: Element) -> tuple[list[str], list[str]]:
    """Return the case studies a question's Moodle tags name (`case:<id>`) and its other tags."""
    tags = [tag.value("text") for tag in (element.find("tags") or Element("", {}, 0)).findall("tag")]
    cases = [tag[len(CASE_TAG) :].strip() for tag in tags if tag.strip().lower().startswith(CASE_TAG)]
    return [case for case in cases if case], [
        tag for tag in tags if not tag.strip().lower().startswith(CASE_TAG)
    ]


def _true_false(answers: list[Element], fmt: str, notes: list[str]) -> tuple[str, list[ParsedOption]] | str:
    """Read Moodle's two answers, 'true' and 'false' (old files: true first), into True and False."""
    verdicts: dict[bool, tuple[bool, str]] = {}
    for position, answer in enumerate(answers):
        text = answer.value("text").lower()
        side = text == "true" if text in ("true", "false") else position == 0
        try:
            right = float(answer.attrs.get("fraction", "0")) >= 100
        except ValueError:
            return f"answer on line {answer.line}: fraction {answer.attrs['fraction']!r} is not a number"
        verdicts[side] = (right, _formatted(answer.find("feedback"), fmt, notes)[1])
    if set(verdicts) != {True, False}:
        return "a true/false question needs an answer 'true' and an answer 'false'"
    true_right, false_right = verdicts[True][0], verdicts[False][0]
    if true_right == false_right:
        return "exactly one of the answers 'true' and 'false' must have fraction 100"
    return QuestionType.TRUE_FALSE, [
        ParsedOption("True", true_right, verdicts[True][1]),
        ParsedOption("False", false_right, verdicts[False][1]),
    ]


def _matching(element: Element, fmt: str, notes: list[str]) -> tuple[str, list[ParsedOption]]:
    """Read Moodle's subquestions: each a prompt (its text) with its answer (plain text)."""
    options = []
    for sub in element.findall("subquestion"):
        _, prompt = _formatted(sub, sub.attrs.get("format", fmt), notes)
        options.append(ParsedOption(prompt, False, match=sub.value("answer", "text")))
    return QuestionType.MATCHING, options


def _ordering(
    element: Element, answers: list[Element], fmt: str, notes: list[str]
) -> tuple[str, list[ParsedOption]] | str:
    """Read the ordering plugin's answers into steps in the right order (by fraction, else as written)."""
    select = element.value("selecttype", default="ALL").upper()
    if select not in ("ALL", "0"):
        notes.append(f"selecttype {select}: every answer is a step here, all of them to be ordered")
    weighted = []
    for number, answer in enumerate(answers):
        try:
            rank = float(answer.attrs.get("fraction", number))
        except ValueError:
            return f"answer on line {answer.line}: fraction {answer.attrs['fraction']!r} is not a number"
        _, text = _formatted(answer, answer.attrs.get("format", fmt), notes)
        _, rationale = _formatted(answer.find("feedback"), fmt, notes)
        weighted.append((rank, number, ParsedOption(text, False, rationale)))
    return QuestionType.ORDERING, [option for _, _, option in sorted(weighted, key=lambda w: w[:2])]
