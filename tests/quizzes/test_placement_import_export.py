"""Ordering and matching questions in and out: Moodle XML, GIFT matching and our CSV."""

from __future__ import annotations

from typing import Any

import pytest

from quizzes.exporters import export_questions
from quizzes.importers.csv_format import parse_csv
from quizzes.importers.gift import parse_gift
from quizzes.importers.moodle_xml import parse_moodle_xml
from quizzes.importing import import_questions
from quizzes.models import Choice, Question, QuestionBank
from tests.factories import QuestionBankFactory, QuestionFactory
from tests.quizzes.import_helpers import bank_with_domains

STEPS = [
    ("Collect the data", "First: nothing to label yet."),
    ("Label it", ""),
    ("Train", ""),
    ("Deploy", ""),
]
PAIRS = [("S3", "Objects"), ("EBS", "Blocks"), ("EFS", "Files"), ("", "Tapes")]


def snapshot(bank: QuestionBank) -> dict[str, Any]:
    """The questions with their options in position order, prompts' answers included."""
    return {
        q.name: (
            q.qtype,
            q.stem,
            q.explanation,
            [(c.text, c.match, c.is_correct, c.rationale) for c in q.choices.all()],
        )
        for q in Question.objects.filter(bank=bank).prefetch_related("choices")
    }


@pytest.fixture
def bank(db) -> QuestionBank:
    bank = bank_with_domains(slug="placement-source")
    domain = bank.path.domains.get(name="Cloud Concepts")
    ordering = QuestionFactory.create(
        bank=bank, domain=domain, name="pl-order", qtype="ordering", choices=[], stem="Order the ML steps."
    )
    for position, (text, rationale) in enumerate(STEPS, start=1):
        Choice.objects.create(question=ordering, position=position, text=text, rationale=rationale)
    matching = QuestionFactory.create(
        bank=bank, domain=domain, name="pl-match", qtype="matching", choices=[], stem="Match each store."
    )
    for position, (text, match) in enumerate(PAIRS, start=1):
        Choice.objects.create(question=matching, position=position, text=text, match=match)
    return bank


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["moodle-xml", "csv"])
def test_export_then_import_reproduces_ordering_and_matching(bank: QuestionBank, fmt: str):
    copy = QuestionBankFactory.create(path=bank.path)

    report = import_questions(bank=copy, text=export_questions(bank=bank, fmt=fmt), fmt=fmt)

    assert (report.imported, report.rejected, report.unsupported) == (2, [], [])
    assert snapshot(copy) == snapshot(bank)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["moodle-xml", "csv"])
def test_reimporting_its_own_export_changes_nothing(bank: QuestionBank, fmt: str):
    report = import_questions(bank=bank, text=export_questions(bank=bank, fmt=fmt), fmt=fmt)

    assert (report.imported, report.updated, report.unchanged) == (0, 0, 2)


@pytest.mark.django_db
def test_gift_carries_matching_and_says_ordering_needs_another_format(bank: QuestionBank):
    text = export_questions(bank=bank, fmt="gift")
    copy = QuestionBankFactory.create(path=bank.path)

    report = import_questions(bank=copy, text=text, fmt="gift")

    assert "\t=S3 -> Objects" in text
    assert "\t= -> Tapes" in text
    assert "// pl-order: an ordering question; export Moodle XML or CSV for it" in text
    assert report.imported == 1
    assert snapshot(copy)["pl-match"] == snapshot(bank)["pl-match"]


@pytest.mark.django_db
def test_a_reordered_step_makes_a_new_revision_on_import(bank: QuestionBank):
    text = export_questions(bank=bank, fmt="csv").replace(",1;2;3;4,", ",2;1;3;4,")

    report = import_questions(bank=bank, text=text, fmt="csv")

    assert report.updated == 1
    assert Question.objects.get(name="pl-order").revision == 2
    assert list(Choice.objects.filter(question__name="pl-order").values_list("text", flat=True))[:2] == [
        "Label it",
        "Collect the data",
    ]


MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="ordering">
    <name><text>Order</text></name>
    <questiontext format="html"><text>Put them in order.</text></questiontext>
    <answer fraction="2" format="moodle_auto_format"><text>Second</text></answer>
    <answer fraction="1" format="moodle_auto_format"><text>First</text></answer>
    <answer fraction="3" format="moodle_auto_format"><text>Third</text></answer>
  </question>
  <question type="matching">
    <name><text>Match</text></name>
    <questiontext format="html"><text>Match them.</text></questiontext>
    <subquestion format="html">
      <text><![CDATA[<p>Red</p>]]></text><answer><text>Stop</text></answer>
    </subquestion>
    <subquestion format="html"><text>Green</text><answer><text>Go</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>Dance</text></answer></subquestion>
  </question>
  <question type="matching">
    <name><text>Half a pair</text></name>
    <questiontext format="html"><text>Broken.</text></questiontext>
    <subquestion format="html"><text>Red</text><answer><text></text></answer></subquestion>
    <subquestion format="html"><text>Green</text><answer><text>Go</text></answer></subquestion>
  </question>
</quiz>
"""


def test_moodle_ordering_takes_the_order_of_the_fractions():
    order = parse_moodle_xml(MOODLE).questions[0]

    assert order.qtype == "ordering"
    assert [o.text for o in order.options] == ["First", "Second", "Third"]


def test_moodle_matching_reads_prompts_answers_and_distractors():
    match = parse_moodle_xml(MOODLE).questions[1]

    assert match.qtype == "matching"
    assert [(o.text, o.match) for o in match.options] == [("Red", "Stop"), ("Green", "Go"), ("", "Dance")]


def test_a_moodle_matching_prompt_without_answer_is_rejected_with_its_line():
    rejected = parse_moodle_xml(MOODLE).rejected

    assert [(r.name, r.line) for r in rejected] == [("Half a pair", 19)]
    assert 'needs its answer (the "match" text)' in rejected[0].reason


def test_gift_matching_pairs_and_a_prompt_without_answer_rejected_at_its_line():
    text = (
        "::Pairs::Match them. {\n=S3 -> Objects\n=EBS -> Blocks\n= -> Tapes\n}\n\n\n"
        "::Bad::Half {\n=S3\n=EBS -> Blocks\n}\n"
    )

    result = parse_gift(text)

    assert [(o.text, o.match) for o in result.questions[0].options] == [
        ("S3", "Objects"),
        ("EBS", "Blocks"),
        ("", "Tapes"),
    ]
    assert [(r.name, r.line) for r in result.rejected] == [("Bad", 8)]


def test_csv_ordering_lists_the_right_order_as_option_numbers():
    header = "name,domain,type,stem,option_1,option_2,option_3,correct\n"

    result = parse_csv(
        header + "o1,D,ordering,Order?,Train,Collect,Label,2;3;1\no2,D,ordering,Order?,A,B,C,1;1;2\n"
    )

    assert [o.text for o in result.questions[0].options] == ["Collect", "Label", "Train"]
    assert [(r.name, r.line) for r in result.rejected] == [("o2", 3)]
    assert "each of the 3 options once" in result.rejected[0].reason
