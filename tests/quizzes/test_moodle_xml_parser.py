"""The Moodle XML parser: Moodle's elements and fractions, element paths and lines (no database)."""

from __future__ import annotations

from quizzes.importers import ParsedQuestion, category_leaf
from quizzes.importers.moodle_xml import parse_moodle_xml
from tests.quizzes.import_helpers import data


def by_name(questions: list[ParsedQuestion]) -> dict[str, ParsedQuestion]:
    return {q.name: q for q in questions}


def test_single_answer_multichoice_with_html_in_cdata_tags_and_idnumber():
    result = parse_moodle_xml(data("mixed.xml"))

    q = by_name(result.questions)["xml-cc-001"]
    assert (q.qtype, q.choose, q.line) == ("single", 1, 15)
    assert category_leaf(q.category) == "Cloud Concepts"
    # The image went with its <file>; what is left is one plain paragraph, stored as plain text.
    assert q.stem == "A team pays only for the compute hours it actually uses. Which pricing model is this?"
    assert [(o.text, o.is_correct) for o in q.options] == [
        ("Pay-as-you-go", True),
        ("Reserved capacity", False),
        ("Spot bidding", False),
    ]
    assert q.options[0].rationale == "Right: the bill follows use."
    assert (
        q.explanation
        == "<div><p><strong>Pay-as-you-go</strong> bills for what is consumed, nothing more.</p></div>"
    )
    assert q.tags == ("pricing", "billing")
    assert any("meter.png" in note and "dropped" in note for note in q.notes)


def test_multiple_answer_is_single_false_and_n_counts_positive_fractions():
    q = by_name(parse_moodle_xml(data("mixed.xml")).questions)["Shared duties"]

    assert (q.qtype, q.choose) == ("multiple", 2)
    assert [o.is_correct for o in q.options] == [True, True, False, False]
    assert category_leaf(q.category) == "security and compliance"
    assert q.stem == "<div>Which two duties stay with the customer<br>\non a managed database service?</div>"
    assert q.explanation == "The provider runs the engine; the customer owns data and access."


def test_true_false_reads_the_true_and_false_answers_with_their_feedback():
    q = by_name(parse_moodle_xml(data("mixed.xml")).questions)["xml-sec-002"]

    assert q.qtype == "truefalse"
    assert [(o.text, o.is_correct, o.rationale) for o in q.options] == [
        ("True", True, "Right: it can and it should."),
        ("False", False, "Wrong: the root user supports MFA."),
    ]


def test_hidden_question_is_retired_and_markdown_text_is_kept():
    q = by_name(parse_moodle_xml(data("mixed.xml")).questions)["xml-sec-003"]

    assert q.status == "retired"
    assert q.stem == "Which file holds the **older** rule set?"
    assert q.qtype == "single"  # <single>false</single> with one right answer
    assert [o.text for o in q.options] == ["`rules-v1.json`", "`rules-v2.json`"]


def test_unsupported_types_are_listed_with_element_path_and_line():
    result = parse_moodle_xml(data("mixed.xml"))

    assert [(u.name, u.line, u.reason.split(":")[0]) for u in result.unsupported] == [
        ("Describe a failover", 205, "quiz/question[9]"),
        ("Port of HTTPS", 233, "quiz/question[10]"),
        ("Cloze about subnets", 267, "quiz/question[12]"),
        ("Nines", 277, "quiz/question[13]"),
        ("Section intro", 291, "quiz/question[14]"),
        ("Drag words", 301, "quiz/question[15]"),
    ]
    assert "essay" in result.unsupported[0].reason
    assert "drag and drop" in result.unsupported[-1].reason
    assert result.rejected == []
    assert len(result.questions) == 6


def test_invalid_xml_rejects_the_file_with_line_and_column():
    result = parse_moodle_xml(data("broken.xml"))

    [rejection] = result.rejected
    assert (rejection.name, rejection.line) == ("(file)", 11)
    assert "mismatched tag" in rejection.reason
    assert result.questions == []


def test_entity_declarations_are_refused():
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
        "<quiz><question type='multichoice'><name><text>&b;</text></name></question></quiz>"
    )

    [rejection] = parse_moodle_xml(bomb).rejected

    assert "DTDs and entity declarations are not accepted" in rejection.reason


def test_a_root_other_than_quiz_is_rejected():
    [rejection] = parse_moodle_xml("<questions/>").rejected

    assert "not <quiz>" in rejection.reason


def test_a_question_breaking_our_rules_is_rejected_with_its_element_path():
    xml = """<quiz>
  <question type="category"><category><text>$course$/top/X/Cloud Concepts</text></category></question>
  <question type="multichoice">
    <name><text>Two right</text></name>
    <questiontext format="html"><text>Pick one</text></questiontext>
    <single>true</single>
    <answer fraction="100"><text>A</text></answer>
    <answer fraction="100"><text>B</text></answer>
  </question>
  <question type="multichoice">
    <name><text>Partial</text></name>
    <questiontext format="html"><text>Pick one</text></questiontext>
    <answer fraction="100"><text>A</text></answer>
    <answer fraction="33.33333"><text>B</text></answer>
  </question>
</quiz>"""

    result = parse_moodle_xml(xml)

    assert [(r.name, r.line) for r in result.rejected] == [("Two right", 3), ("Partial", 10)]
    assert result.rejected[0].reason.startswith("quiz/question[2]: A single-choice question has exactly one")
    assert "partial credit (33.3333%)" in result.rejected[1].reason


def test_our_certlms_element_carries_difficulty_status_and_source():
    xml = """<quiz>
  <question type="truefalse">
    <name><text>n</text></name>
    <questiontext format="markdown"><text>Is it?</text></questiontext>
    <certlms difficulty="hard" status="draft" source="https://example.com/x"/>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
</quiz>"""

    [q] = parse_moodle_xml(xml).questions

    assert (q.difficulty, q.status, q.source_url) == ("hard", "draft", "https://example.com/x")
    assert [o.is_correct for o in q.options] == [False, True]
