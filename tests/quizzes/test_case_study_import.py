"""Case studies in GIFT, Moodle XML and CSV: read, imported, exported and read back whole."""

from __future__ import annotations

import pytest

from quizzes.exceptions import ImportRejected
from quizzes.exporters import export_questions
from quizzes.importers.csv_format import parse_csv
from quizzes.importers.gift import parse_gift
from quizzes.importers.moodle_xml import parse_moodle_xml
from quizzes.importing import import_questions
from quizzes.models import CaseStudy, Question, QuestionBank
from tests.factories import CaseStudyFactory, QuestionBankFactory
from tests.quizzes.import_helpers import bank_with_domains

GIFT = """$CATEGORY: $course$/top/T/Case studies

// [case:harbor]
::Harbor Analytics::[markdown]Harbor keeps **sales data** on premises.\\n\\nIt wants reports by 9 a.m.

$CATEGORY: $course$/top/T/Cloud Concepts

// [id:hb-1] [case:harbor]
::hb-1::[markdown]Which store suits Harbor's reports?{
=A warehouse#Right.
~A queue#Wrong.
}

// [id:plain-1]
::plain-1::[markdown]Is this outside any case study?{TRUE#No.#Yes.}
"""


def test_gift_reads_a_described_case_study_and_the_questions_naming_it():
    result = parse_gift(GIFT)

    (case,) = result.case_studies
    assert (case.name, case.line, case.title) == ("harbor", 4, "Harbor Analytics")
    assert case.scenario == "Harbor keeps **sales data** on premises.\n\nIt wants reports by 9 a.m."
    assert [(q.name, q.case) for q in result.questions] == [("hb-1", "harbor"), ("plain-1", "")]
    assert result.unsupported == result.rejected == []


def test_gift_still_skips_a_description_that_is_not_a_case_study():
    result = parse_gift("// just words\n::intro::Read this first.\n")

    assert result.case_studies == []
    assert [item.name for item in result.unsupported] == ["intro"]


def test_gift_rejects_a_case_study_defined_twice_with_both_lines():
    text = "// [case:c1]\n::One::First text.\n\n// [case:c1]\n::Two::Second text.\n"

    (rejection,) = parse_gift(text).rejected

    assert (rejection.name, rejection.line) == ("c1", 5)
    assert "defined again (first on line 2)" in rejection.reason


def test_moodle_xml_reads_a_description_tagged_case_and_the_questions_tagged_with_it():
    text = """<?xml version="1.0"?>
<quiz>
  <question type="description">
    <name><text>Harbor Analytics</text></name>
    <questiontext format="html"><text><![CDATA[<p>Harbor keeps sales data.</p>]]></text></questiontext>
    <tags><tag><text>case:harbor</text></tag></tags>
  </question>
  <question type="truefalse">
    <name><text>hb-2</text></name>
    <questiontext format="html"><text>Harbor needs a warehouse.</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
    <tags><tag><text>analytics</text></tag><tag><text>case:harbor</text></tag></tags>
  </question>
</quiz>
"""
    result = parse_moodle_xml(text)

    (case,) = result.case_studies
    assert (case.name, case.title, case.scenario, case.line) == (
        "harbor",
        "Harbor Analytics",
        "Harbor keeps sales data.",
        3,
    )
    (question,) = result.questions
    assert (question.case, question.tags) == ("harbor", ("analytics",))


def test_csv_reads_the_case_study_column_and_leaves_questions_alone_without_it():
    header = "name,domain,type,stem,option_1,option_2,correct"
    with_column = parse_csv(f"{header},case_study\nq1,D,single,Stem?,A,B,1,harbor\n")
    without = parse_csv(f"{header}\nq1,D,single,Stem?,A,B,1\n")

    assert with_column.questions[0].case == "harbor"
    assert without.questions[0].case is None


# --- importing ----------------------------------------------------------------------------------


@pytest.fixture
def bank(db) -> QuestionBank:
    return bank_with_domains(slug="case-bank")


def test_import_creates_the_case_study_and_puts_its_questions_in_it(bank):
    report = import_questions(bank=bank, text=GIFT, fmt="gift")

    case = CaseStudy.objects.get(bank=bank)
    assert (case.name, case.title) == ("harbor", "Harbor Analytics")
    assert list(case.questions.values_list("name", flat=True)) == ["hb-1"]
    assert Question.objects.get(name="plain-1").case_study is None
    assert report.imported == 2
    assert any(note.note == "new case study" and note.line == 4 for note in report.notes)


def test_a_question_naming_an_unknown_case_study_is_rejected_with_its_line(bank):
    text = "$CATEGORY: Cloud Concepts\n\n// [id:q9] [case:nowhere]\n::q9::Stem?{=A~B}\n"

    with pytest.raises(ImportRejected) as error:
        import_questions(bank=bank, text=text, fmt="gift")

    assert "line 4: q9: unknown case study 'nowhere'" in str(error.value)
    assert not Question.objects.filter(bank=bank).exists()


def test_a_question_may_name_a_case_study_the_bank_already_has(bank):
    case = CaseStudyFactory(bank=bank, name="known")
    text = "$CATEGORY: Cloud Concepts\n\n// [id:q9] [case:known]\n::q9::Stem?{=A~B}\n"

    import_questions(bank=bank, text=text, fmt="gift")

    assert Question.objects.get(name="q9").case_study == case


def test_a_case_study_of_another_bank_is_unknown(bank):
    CaseStudyFactory(bank=QuestionBankFactory(path=bank.path), name="theirs")
    text = "$CATEGORY: Cloud Concepts\n\n// [id:q9] [case:theirs]\n::q9::Stem?{=A~B}\n"

    with pytest.raises(ImportRejected):
        import_questions(bank=bank, text=text, fmt="gift")


def test_a_changed_scenario_gives_its_questions_a_new_revision(bank):
    import_questions(bank=bank, text=GIFT, fmt="gift")

    report = import_questions(bank=bank, text=GIFT.replace("by 9 a.m.", "by 8 a.m."), fmt="gift")

    assert CaseStudy.objects.get(bank=bank).scenario.endswith("by 8 a.m.")
    assert dict(Question.objects.values_list("name", "revision")) == {"hb-1": 2, "plain-1": 1}
    assert report.unchanged == 2


def test_moving_a_question_out_of_its_case_study_is_a_new_revision(bank):
    import_questions(bank=bank, text=GIFT, fmt="gift")

    report = import_questions(
        bank=bank, text=GIFT.replace("[id:hb-1] [case:harbor]", "[id:hb-1]"), fmt="gift"
    )

    question = Question.objects.get(name="hb-1")
    assert (question.case_study, question.revision, report.revised) == (None, 2, 1)


def test_a_dry_run_with_a_new_case_study_writes_nothing(bank):
    report = import_questions(bank=bank, text=GIFT, fmt="gift", dry_run=True)

    assert report.imported == 2
    assert not CaseStudy.objects.exists()
    assert not Question.objects.exists()


# --- export and back ----------------------------------------------------------------------------


def case_snapshot(bank: QuestionBank) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    cases = list(CaseStudy.objects.filter(bank=bank).values_list("name", "title", "scenario"))
    links = dict(Question.objects.filter(bank=bank).values_list("name", "case_study__name"))
    return cases, links


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml"])
def test_export_then_import_into_an_empty_bank_keeps_the_case_studies(bank, fmt):
    import_questions(bank=bank, text=GIFT, fmt="gift")
    CaseStudyFactory(bank=bank, name="empty: {case}", title="A #title = odd", scenario="Line 1\n\nLine ~2")
    copy = QuestionBankFactory(path=bank.path)

    report = import_questions(bank=copy, text=export_questions(bank=bank, fmt=fmt), fmt=fmt)

    assert (report.rejected, report.unsupported) == ([], [])
    assert case_snapshot(copy) == case_snapshot(bank)


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml", "csv"])
def test_importing_its_own_export_with_case_studies_changes_nothing(bank, fmt):
    import_questions(bank=bank, text=GIFT, fmt="gift")
    before = case_snapshot(bank), dict(Question.objects.values_list("name", "revision"))

    report = import_questions(bank=bank, text=export_questions(bank=bank, fmt=fmt), fmt=fmt)

    assert (report.imported, report.updated, report.unchanged) == (0, 0, 2)
    assert (case_snapshot(bank), dict(Question.objects.values_list("name", "revision"))) == before
