"""Export a question bank as GIFT, Moodle XML or our CSV, in a form the importers read back whole.

GIFT and XML are written the way Moodle's own export writes them (so Moodle imports them too): a
category per exam domain (`$course$/top/<path code>/<domain>`), Markdown texts marked as such,
Moodle's answer weights, and our difficulty, status and source where Moodle looks past them (a GIFT
comment, an XML element it does not know). Case studies come first, as Moodle descriptions in a
"Case studies" category, named by a `[case:]` comment (GIFT) or a `case:<id>` tag (XML); see
docs/importing.md.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Sequence

from .importers import csv_format, join_category_path
from .importers.gift import escape, escape_meta
from .models import CaseStudy, Question, QuestionBank, QuestionStatus, QuestionType

_FORMAT_PREFIX = re.compile(r"\[(markdown|html|plain|moodle)\]")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def export_questions(*, bank: QuestionBank, fmt: str) -> str:
    """Return every question of bank (with options and tags) as text in fmt: gift, moodle-xml or csv."""
    writers: dict[str, Callable[[QuestionBank, Sequence[Question], Sequence[CaseStudy]], str]] = {
        "gift": _gift,
        "moodle-xml": _moodle_xml,
        "csv": _csv,
    }
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(writers)}")
    questions = list(
        Question.objects.filter(bank=bank)
        .select_related("domain", "case_study")
        .prefetch_related("choices", "tags")
        .order_by("domain__position", "name")
    )
    return writers[fmt](bank, questions, list(CaseStudy.objects.filter(bank=bank).order_by("name")))


def _category(bank: QuestionBank, question: Question) -> str:
    return join_category_path(["$course$", "top", bank.path.code, question.domain.name])


def _case_category(bank: QuestionBank) -> str:
    return join_category_path(["$course$", "top", bank.path.code, "Case studies"])


def moodle_weight(choose: int) -> str:
    """Return a right option's percentage in a choose-N question as Moodle writes it (33.33333)."""
    return f"{100 / choose:.5f}".rstrip("0").rstrip(".")


def _true_false_sides(question: Question) -> tuple[bool, str, str]:
    """Return (whether True is right, the right option's rationale, the wrong one's)."""
    by_text = {choice.text.strip().casefold(): choice for choice in question.choices.all()}
    true, false = by_text["true"], by_text["false"]
    right, wrong = (true, false) if true.is_correct else (false, true)
    return true.is_correct, right.rationale, wrong.rationale


# --- GIFT -------------------------------------------------------------------------------------


def _gift_text(text: str) -> str:
    """Escape text for GIFT; mark it [markdown] when it would otherwise read as a format prefix."""
    return ("[markdown]" if _FORMAT_PREFIX.match(text) else "") + escape(text)


def _gift(bank: QuestionBank, questions: Sequence[Question], cases: Sequence[CaseStudy]) -> str:
    out = [
        f"// Question bank {bank.name} ({bank.path.code}): {len(questions)} questions.",
        "// Moodle GIFT; the [difficulty:] [status:] [source:] [case:] comments are ours "
        "(docs/importing.md).",
        "",
    ]
    if cases:
        out += [f"$CATEGORY: {_case_category(bank)}", ""]
    for case in cases:
        out += [
            f"// [case:{escape_meta(case.name)}]",
            f"::{escape(case.title)}::[markdown]{escape(case.scenario)}",
            "",
        ]
    category = None
    for question in questions:
        if _category(bank, question) != category:
            category = _category(bank, question)
            out += [f"$CATEGORY: {category}", ""]
        meta = [f"[id:{escape_meta(question.name)}]", f"[difficulty:{question.difficulty}]"]
        meta.append(f"[status:{question.status}]")
        if question.source_url:
            meta.append(f"[source:{escape_meta(question.source_url)}]")
        meta += [f"[tag:{escape_meta(tag.name)}]" for tag in question.tags.all()]
        if question.case_study is not None:
            meta.append(f"[case:{escape_meta(question.case_study.name)}]")
        out.append("// " + " ".join(meta))
        head = f"::{escape(question.name)}::[markdown]{escape(question.stem)}"
        general = f"####{_gift_text(question.explanation)}" if question.explanation else ""
        if question.qtype == QuestionType.TRUE_FALSE:
            true_is_right, right, wrong = _true_false_sides(question)
            answer = "TRUE" if true_is_right else "FALSE"
            feedback = f"#{_gift_text(wrong)}#{_gift_text(right)}" if wrong or right else ""
            out += [f"{head}{{{answer}{feedback}{general}}}", ""]
            continue
        if question.qtype == QuestionType.ORDERING:  # GIFT has no ordering syntax
            out += [
                f"// {escape_meta(question.name)}: an ordering question; export Moodle XML or CSV for it",
                "",
            ]
            continue
        if question.qtype == QuestionType.MATCHING:  # Moodle's GIFT matching has no feedback per pair
            out.append(head + "{")
            out += [f"\t={_gift_text(c.text)} -> {_gift_text(c.match)}" for c in question.choices.all()]
            if general:
                out.append(f"\t{general}")
            out += ["}", ""]
            continue
        out.append(head + "{")
        weight = moodle_weight(question.choose)
        for choice in question.choices.all():
            if question.qtype == QuestionType.SINGLE:
                marker = "=" if choice.is_correct else "~"
            else:
                marker = f"~%{weight}%" if choice.is_correct else "~%-100%"
            rationale = f"#{_gift_text(choice.rationale)}" if choice.rationale else ""
            out.append(f"\t{marker}{_gift_text(choice.text)}{rationale}")
        if general:
            out.append(f"\t{general}")
        out += ["}", ""]
    return "\n".join(out)


# --- Moodle XML -------------------------------------------------------------------------------


def _cdata(text: str) -> str:
    """Return text for an XML element: as it is if plain, else in CDATA (as Moodle's xml_escape does)."""
    text = _XML_INVALID.sub("", text)
    if not any(char in text for char in "&<>\"'"):
        return text
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _attr(value: str) -> str:
    return html.escape(_XML_INVALID.sub("", value), quote=True)


def _xml_text(tag: str, text: str, fmt: str | None = "markdown", indent: int = 4) -> list[str]:
    pad = " " * indent
    fmt_attr = f' format="{fmt}"' if fmt else ""
    return [f"{pad}<{tag}{fmt_attr}>", f"{pad}  <text>{_cdata(text)}</text>", f"{pad}</{tag}>"]


def _xml_answer(fraction: str, text: str, feedback: str, text_format: str = "markdown") -> list[str]:
    return [
        f'    <answer fraction="{fraction}" format="{text_format}">',
        f"      <text>{_cdata(text)}</text>",
        *_xml_text("feedback", feedback, indent=6),
        "    </answer>",
    ]


def _xml_category(category: str) -> list[str]:
    return [
        "<!-- question: 0  -->",
        '  <question type="category">',
        *_xml_text("category", category, fmt=None),
        *_xml_text("info", "", fmt="moodle_auto_format"),
        "    <idnumber></idnumber>",
        "  </question>",
        "",
    ]


def _xml_tags(names: Sequence[str]) -> list[str]:
    if not names:
        return []
    return ["    <tags>", *(f"      <tag><text>{_cdata(name)}</text></tag>" for name in names), "    </tags>"]


def _moodle_xml(bank: QuestionBank, questions: Sequence[Question], cases: Sequence[CaseStudy]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    if cases:
        out += _xml_category(_case_category(bank))
    for case in cases:
        out += [
            f"<!-- case study: {case.pk}  -->",
            '  <question type="description">',
            *_xml_text("name", case.title, fmt=None),
            *_xml_text("questiontext", case.scenario),
            *_xml_text("generalfeedback", ""),
            "    <defaultgrade>0</defaultgrade>",
            "    <penalty>0</penalty>",
            "    <hidden>0</hidden>",
            "    <idnumber></idnumber>",
            *_xml_tags([f"case:{case.name}"]),
            "  </question>",
            "",
        ]
    category = None
    for question in questions:
        if _category(bank, question) != category:
            category = _category(bank, question)
            out += _xml_category(category)
        true_false = question.qtype == QuestionType.TRUE_FALSE
        moodle_types: dict[str, str] = {
            QuestionType.TRUE_FALSE: "truefalse",
            QuestionType.MATCHING: "matching",
            QuestionType.ORDERING: "ordering",
        }
        moodle_type = moodle_types.get(question.qtype, "multichoice")
        out += [
            f"<!-- question: {question.pk}  -->",
            f'  <question type="{moodle_type}">',
            *_xml_text("name", question.name, fmt=None),
            *_xml_text("questiontext", question.stem),
            *_xml_text("generalfeedback", question.explanation),
            "    <defaultgrade>1</defaultgrade>",
            f"    <penalty>{'1' if true_false else '0.3333333'}</penalty>",
            f"    <hidden>{1 if question.status == QuestionStatus.RETIRED else 0}</hidden>",
            f"    <idnumber>{_cdata(question.name)}</idnumber>",
            f'    <certlms difficulty="{_attr(question.difficulty)}" status="{_attr(question.status)}"'
            f' source="{_attr(question.source_url)}"/>',
        ]
        if true_false:
            true_is_right, right, wrong = _true_false_sides(question)
            out += _xml_answer(
                "100" if true_is_right else "0",
                "true",
                right if true_is_right else wrong,
                "moodle_auto_format",
            )
            out += _xml_answer(
                "0" if true_is_right else "100",
                "false",
                wrong if true_is_right else right,
                "moodle_auto_format",
            )
        elif question.qtype == QuestionType.MATCHING:
            out += ["    <shuffleanswers>true</shuffleanswers>"]
            for choice in question.choices.all():  # Moodle's answers are plain text
                out += [
                    '    <subquestion format="markdown">',
                    f"      <text>{_cdata(choice.text)}</text>",
                    f"      <answer><text>{_cdata(choice.match)}</text></answer>",
                    "    </subquestion>",
                ]
        elif question.qtype == QuestionType.ORDERING:  # the ordering plugin: answers in the right order
            out += [
                "    <layouttype>VERTICAL</layouttype>",
                "    <selecttype>ALL</selecttype>",
                "    <selectcount>0</selectcount>",
                "    <gradingtype>ABSOLUTE_POSITION</gradingtype>",
            ]
            for number, choice in enumerate(question.choices.all(), start=1):
                out += _xml_answer(str(number), choice.text, choice.rationale)
        else:
            single = question.qtype == QuestionType.SINGLE
            out += [
                f"    <single>{'true' if single else 'false'}</single>",
                "    <shuffleanswers>true</shuffleanswers>",
                "    <answernumbering>abc</answernumbering>",
                "    <showstandardinstruction>0</showstandardinstruction>",
                *_xml_text("correctfeedback", "", fmt="html"),
                *_xml_text("partiallycorrectfeedback", "", fmt="html"),
                *_xml_text("incorrectfeedback", "", fmt="html"),
            ]
            if not single:
                out.append("    <shownumcorrect/>")
            right_weight = "100" if single else moodle_weight(question.choose)
            for choice in question.choices.all():
                wrong_weight = "0" if single else "-100"
                out += _xml_answer(
                    right_weight if choice.is_correct else wrong_weight, choice.text, choice.rationale
                )
        tags = [tag.name for tag in question.tags.all()]
        if question.case_study is not None:
            tags.append(f"case:{question.case_study.name}")
        out += [*_xml_tags(tags), "  </question>", ""]
    out.append("</quiz>")
    return "\n".join(out) + "\n"


# --- CSV --------------------------------------------------------------------------------------


def _csv(bank: QuestionBank, questions: Sequence[Question], cases: Sequence[CaseStudy]) -> str:
    widest = max((len(question.choices.all()) for question in questions), default=0)
    matching = any(question.qtype == QuestionType.MATCHING for question in questions)
    header = csv_format.columns(widest, matches=matching)
    if cases:  # the column names them; their scenarios travel in GIFT or XML only
        header.append(csv_format.CASE_COLUMN)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for question in questions:
        choices = list(question.choices.all())
        row = {
            "name": question.name,
            "domain": question.domain.name,
            "type": question.qtype,
            "choose": question.choose,
            "difficulty": question.difficulty,
            "status": question.status,
            "tags": ";".join(tag.name for tag in question.tags.all()),
            "stem": question.stem,
            "explanation": question.explanation,
            "source": question.source_url,
        }
        if cases:
            row[csv_format.CASE_COLUMN] = question.case_study.name if question.case_study else ""
        for number, choice in enumerate(choices, start=1):
            row[f"option_{number}"] = choice.text
            row[f"rationale_{number}"] = choice.rationale
            if question.qtype == QuestionType.MATCHING:
                row[f"match_{number}"] = choice.match
        right = [number for number, choice in enumerate(choices, start=1) if choice.is_correct]
        if question.qtype == QuestionType.ORDERING:  # the right order, as option numbers
            row["correct"] = ";".join(str(number) for number in range(1, len(choices) + 1))
        elif question.qtype == QuestionType.TRUE_FALSE:
            row["correct"] = choices[right[0] - 1].text.strip().lower() if right else ""
        else:
            row["correct"] = ";".join(map(str, right))
        writer.writerow(row)
    return buffer.getvalue()
