"""The GIFT parser: Moodle's rules, our metadata comments, precise rejections (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizzes.importers import ParsedQuestion, category_leaf, split_category_path
from quizzes.importers.gift import escape, parse_gift
from tests.quizzes.import_helpers import data

CONTENT = Path(__file__).resolve().parents[2] / "content"


def by_name(questions: list[ParsedQuestion]) -> dict[str, ParsedQuestion]:
    return {q.name: q for q in questions}


def test_single_choice_keeps_key_rationales_explanation_and_metadata():
    result = parse_gift(data("mixed.gift"))

    q = by_name(result.questions)["imp-cc-001"]
    assert (q.qtype, q.choose, q.line) == ("single", 1, 8)
    assert q.category == "$course$/top/TST-IMP/Cloud Concepts"
    assert [(o.text, o.is_correct) for o in q.options] == [
        ("Elasticity", True),
        ("Durability", False),
        ("Data residency", False),
    ]
    assert q.options[1].rationale == "Wrong: durability is about keeping stored data safe."
    assert q.explanation == "**Elasticity** matches capacity to load, so the bill follows real use."
    assert (q.difficulty, q.status, q.source_url) == ("easy", None, "https://example.com/docs/elasticity")
    assert q.tags == ("elasticity", "Scaling")


def test_multiple_answer_choose_n_is_the_number_of_positive_weights():
    q = by_name(parse_gift(data("mixed.gift")).questions)["imp-cc-002"]

    assert (q.qtype, q.choose, q.status) == ("multiple", 2, "draft")
    assert [o.is_correct for o in q.options] == [True, True, False, False]


def test_true_false_takes_moodles_feedback_order_wrong_then_right():
    q = by_name(parse_gift(data("mixed.gift")).questions)["imp-cc-003"]

    assert q.qtype == "truefalse"
    assert [(o.text, o.is_correct) for o in q.options] == [("True", False), ("False", True)]
    assert q.options[1].rationale == "Right: every Region is built from several zones."
    assert q.options[0].rationale == "Wrong: a Region holds several isolated zones."
    assert q.explanation == "Spread a workload across zones so that it survives the loss of one site."


def test_escaped_specials_and_line_breaks_are_unescaped():
    q = by_name(parse_gift(data("mixed.gift")).questions)["imp-sec-001"]

    assert q.stem == (
        "In the rule `a = b` written inside braces { like these }, what does the sign mean?\nPick one."
    )
    assert q.options[0].text == "An equality test: both sides must match"
    assert q.options[2].text == "The start of a comment #"
    assert q.explanation == "The = sign compares; ~ is not used at all."


def test_html_text_is_sanitized_and_plain_text_shows_literally():
    questions = by_name(parse_gift(data("mixed.gift")).questions)

    html = questions["Shared model (html)"]
    assert "<script>" not in html.stem
    assert (
        html.stem == "<div><p>Who patches the <b>guest operating system</b> of a virtual machine?</p></div>"
    )
    assert html.options[0].text == "The customer"
    plain = questions["plain text"]
    assert plain.stem == "<div>Is 2 &lt; 3 true for *every* reader?</div>"
    assert plain.explanation == "Plain text shows **as typed**."


def test_missing_word_question_gets_a_blank_in_its_stem():
    q = by_name(parse_gift(data("mixed.gift")).questions)["imp-sec-003"]

    assert q.stem == "The principle of _____ privilege grants only the permissions a task needs."
    assert [o.text for o in q.options if o.is_correct] == ["least"]


def test_category_with_an_escaped_slash_ends_in_the_whole_domain_name():
    q = by_name(parse_gift(data("mixed.gift")).questions)["imp-priv-001"]

    assert category_leaf(q.category) == "Privileges / access control basics"
    assert split_category_path("$course$/top/DB/DataFrame//DataSet API") == [
        "$course$",
        "top",
        "DB",
        "DataFrame/DataSet API",
    ]


def test_unsupported_types_are_listed_with_line_and_reason_not_rejected():
    result = parse_gift(data("mixed.gift"))

    assert [(u.name, u.line, u.reason.split(" (")[0]) for u in result.unsupported] == [
        ("imp-essay", 58, "essay"),
        ("imp-numeric", 61, "numerical"),
        ("imp-short", 71, "short answer"),
        ("imp-description", 73, "description"),
    ]
    assert result.rejected == []
    assert len(result.questions) == 9


def test_malformed_questions_are_rejected_with_their_line_and_reason():
    result = parse_gift(data("broken.gift"))

    assert [(r.name, r.line) for r in result.rejected] == [
        ("broken-open", 13),
        ("broken-two-right", 18),
        ("broken-stray", 26),
    ]
    reasons = [r.reason for r in result.rejected]
    assert "never closed" in reasons[0]
    assert "exactly one correct option; this one has 2" in reasons[1]
    assert "closes no answer block" in reasons[2]
    assert [q.name for q in result.questions] == ["ok-001", "billing-001"]


def test_a_second_answer_block_is_rejected():
    result = parse_gift("::q::Pick {=a ~b} or {=c ~d}\n")

    [rejection] = result.rejected
    assert "a second '{'" in rejection.reason


def test_partial_credit_in_single_choice_is_rejected():
    result = parse_gift("$CATEGORY: D\n\n::q::Pick one.{=right ~%50%half right ~wrong}\n")

    [rejection] = result.rejected
    assert "partial credit (50%)" in rejection.reason


def test_multiple_answer_with_one_positive_option_becomes_single_choice():
    result = parse_gift("::q::Pick.{~%100%right ~%-50%wrong ~wrong too}\n")

    [q] = result.questions
    assert (q.qtype, q.choose) == ("single", 1)
    assert any("imported as single choice" in note for note in q.notes)


def test_multiple_answer_without_any_positive_weight_is_rejected():
    [rejection] = parse_gift("::q::Pick.{~%-100%a ~%-100%b ~c}\n").rejected

    assert "no option is right" in rejection.reason


def test_idnumber_names_the_question_and_an_unnamed_one_is_named_from_its_stem():
    result = parse_gift(
        "// [id:the-id]\n::display name::Which?{=a ~b}\n\nWhat colour is a clear daytime sky?{=Blue ~Green}\n"
    )

    assert [q.name for q in result.questions] == ["the-id", "What colour is a clear daytime sky?"]


def test_bad_metadata_is_rejected():
    result = parse_gift(
        "// [id:a] [difficulty:extreme]\n::a::Q?{=x ~y}\n\n// [id:b] [source:ftp://x.org/f]\n::b::Q?{=x ~y}\n"
    )

    assert [r.reason.split(" ")[0] for r in result.rejected] == ["difficulty", "the"]
    assert "not an http(s) URL" in result.rejected[1].reason


def test_escape_writes_what_the_parser_reads_back():
    text = "a = b; {x}; ~y; #z; c:d; back\\slash; two\nlines"

    [q] = parse_gift(f"::q::[markdown]{escape(text)}{{=yes ~no}}\n").questions

    assert q.stem == text


@pytest.mark.parametrize(
    "code",
    [
        "1z0-071",
        "clf-c02",
        "db-spark-dev-assoc",
        "dp-900",
        "google-da-pc",
        "mla-c01",
        "pca",
        "pmle",
        "saa-c03",
    ],
)
def test_every_demo_content_file_parses_without_rejections(code: str):
    result = parse_gift((CONTENT / code / "questions.gift").read_text(encoding="utf-8"))

    assert result.rejected == []
    assert result.unsupported == []
    assert len(result.questions) >= 20
    assert all(q.difficulty and q.source_url and q.explanation for q in result.questions)


def test_the_demo_content_list_covers_every_bank_file():
    assert {p.parent.name for p in CONTENT.glob("*/questions.gift")} <= {
        "1z0-071",
        "clf-c02",
        "db-spark-dev-assoc",
        "dp-900",
        "google-da-pc",
        "mla-c01",
        "pca",
        "pmle",
        "saa-c03",
    }
