"""Our CSV: the documented columns, rows spanning lines, rejections naming the row's line."""

from __future__ import annotations

from pathlib import Path

from quizzes.importers import category_leaf
from quizzes.importers.csv_format import columns, parse_csv
from tests.quizzes.import_helpers import data

DOCS = Path(__file__).resolve().parents[2] / "docs" / "importing.md"


def test_the_documented_example_parses_into_three_questions():
    result = parse_csv(data("questions.csv"))

    assert result.rejected == []
    single, multiple, true_false = result.questions
    assert (single.name, single.qtype, single.choose, single.difficulty, single.status) == (
        "csv-cc-001",
        "single",
        1,
        "easy",
        "active",
    )
    assert single.tags == ("elasticity", "scaling")
    assert single.source_url == "https://example.com/docs/elasticity"
    assert [(o.text, o.is_correct) for o in single.options] == [
        ("Elasticity", True),
        ("Durability", False),
        ("Data residency", False),
    ]
    assert (multiple.qtype, multiple.choose, multiple.line) == ("multiple", 2, 3)
    assert multiple.stem == "Which two duties stay with the customer on a managed database?\nChoose two."
    assert true_false.line == 6  # the multi-line cells of the row before took lines 3-5
    assert [(o.text, o.is_correct) for o in true_false.options] == [("True", True), ("False", False)]
    assert category_leaf(true_false.category) == "Privileges / access control basics"


def test_the_docs_show_the_same_example_as_the_fixture():
    assert data("questions.csv").strip() in DOCS.read_text(encoding="utf-8")


def test_bad_rows_are_rejected_with_the_line_they_start_on():
    result = parse_csv(data("bad_rows.csv"))

    assert [(r.name, r.line) for r in result.rejected] == [("no-correct", 3), ("missing-option", 5)]
    assert "no correct option" in result.rejected[0].reason
    assert [q.name for q in result.questions] == ["ok-row", "unknown-domain"]


def test_an_unknown_or_missing_column_rejects_the_file():
    unknown = parse_csv("name,domain,type,stem,correct,colour\n")
    missing = parse_csv("name,type,stem,correct,option_1,option_2\n")

    assert unknown.rejected[0].line == 1
    assert "unknown column(s) 'colour'" in unknown.rejected[0].reason
    assert "missing column(s): domain" in missing.rejected[0].reason


def test_tags_column_left_out_means_not_stated():
    [q] = parse_csv("name,domain,type,stem,option_1,option_2,correct\nq,D,single,Which?,a,b,2\n").questions

    assert q.tags is None
    assert [o.is_correct for o in q.options] == [False, True]


def test_options_with_gaps_and_invalid_types_are_rejected():
    result = parse_csv(
        "name,domain,type,stem,option_1,option_2,option_3,correct\n"
        "gap,D,single,Which?,a,,c,1\n"
        "kind,D,essay,Which?,a,b,,1\n"
        "choose,D,multiple,Which?,a,b,c,1;2;3\n"
    )

    reasons = [r.reason for r in result.rejected]
    assert "without gaps" in reasons[0]
    assert "type 'essay' is not one of" in reasons[1]
    assert "at least 4 options" in reasons[2]


def test_columns_grow_beyond_eight_options():
    assert columns(10)[-1] == "rationale_10"
    assert columns(2).count("option_8") == 1
