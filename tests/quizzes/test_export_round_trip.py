"""Export then import into an empty bank of the same path gives the same bank, in every format."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from quizzes.exporters import export_questions
from quizzes.importers.gift import parse_gift
from quizzes.importers.moodle_xml import parse_xml
from quizzes.importing import import_questions
from quizzes.models import Choice, Question, QuestionBank
from tests.factories import QuestionBankFactory, QuestionFactory, TagFactory
from tests.quizzes.import_helpers import bank_with_domains, snapshot

pytestmark = pytest.mark.django_db
FORMATS = ["gift", "moodle-xml", "csv"]
TRICKY = "Which of `a = b`, `{x}`, `~y`, `#z`, `c:d` and `back\\slash` holds?\n```sql\nSELECT a FROM t\n```"


def add(
    bank: QuestionBank, domain: str, name: str, qtype: str, options: list[tuple[str, bool, str]], **fields
):
    question = QuestionFactory.create(
        bank=bank,
        domain=bank.path.domains.get(name=domain),
        name=name,
        qtype=qtype,
        choose=sum(1 for _, right, _ in options if right) if qtype == "multiple" else 1,
        choices=[],
        **fields,
    )
    for position, (text, is_correct, rationale) in enumerate(options, start=1):
        Choice.objects.create(
            question=question, position=position, text=text, is_correct=is_correct, rationale=rationale
        )
    return question


@pytest.fixture
def bank() -> QuestionBank:
    bank = bank_with_domains(slug="source-bank")
    sql, escaping = TagFactory.create(name="sql"), TagFactory.create(name="escaping: {all} #of =them")
    add(
        bank,
        "Cloud Concepts",
        "rt-specials",
        "single",
        [
            ("`a = b` and {x}", True, "Right # because = compares; see {docs}: here."),
            ("~y or #z", False, "Wrong: ~ and # are plain here."),
            ("back\\slash \\n stays", False, "Wrong.\nSecond line of the rationale."),
        ],
        stem=TRICKY,
        explanation="Ends a CDATA: ]]> and has <b>tags</b> & ampersands.",
        difficulty="hard",
        status="active",
        source_url="https://example.com/docs?a=1&b=[2]",
        tags=[sql, escaping],
    )
    add(
        bank,
        "Security and Compliance",
        "rt-choose-2",
        "multiple",
        [
            ("One", True, "Right."),
            ("Two", True, "Right."),
            ("Three", False, ""),
            ("Four", False, "No."),
            ("Five", False, "No."),
        ],
        status="draft",
        difficulty="easy",
        source_url="",
    )
    add(
        bank,
        "Security and Compliance",
        "rt-choose-3",
        "multiple",
        [("Alpha", True, "Yes."), ("Beta", True, "Yes."), ("Gamma", True, "Yes."), ("Delta", False, "No.")],
    )
    add(
        bank,
        "Privileges / access control basics",
        "rt-true",
        "truefalse",
        [("True", True, "Right: it is."), ("False", False, "Wrong: it is true.")],
        stem="REVOKE takes back a privilege that GRANT gave.",
    )
    add(
        bank,
        "Privileges / access control basics",
        "rt-false",
        "truefalse",
        [("True", False, ""), ("False", True, "Right: a role is not a user.")],
        status="retired",
        explanation="",
    )
    add(
        bank,
        "Cloud Concepts",
        "rt-prefix",
        "single",
        [("[html] is just text here", True, "[markdown] also just text"), ("Other", False, "No.")],
        stem="[plain] Is this a format prefix? Ünïcödé, 日本語 and emoji 🚀 too.",
    )
    add(
        bank,
        "Cloud Concepts",
        "rt-nine",
        "single",
        [(f"Option {n}", n == 9, f"Why {n}.") for n in range(1, 10)],
        stem="A question with nine options?",
    )
    return bank


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_then_import_into_an_empty_bank_reproduces_the_bank(bank: QuestionBank, fmt: str):
    text = export_questions(bank=bank, fmt=fmt)
    copy = QuestionBankFactory.create(path=bank.path)

    report = import_questions(bank=copy, text=text, fmt=fmt)

    assert (report.imported, report.rejected, report.unsupported) == (7, [], [])
    assert snapshot(copy) == snapshot(bank)


@pytest.mark.parametrize("fmt", FORMATS)
def test_importing_its_own_export_leaves_the_bank_unchanged(bank: QuestionBank, fmt: str):
    revisions = dict(Question.objects.values_list("name", "revision"))

    report = import_questions(bank=bank, text=export_questions(bank=bank, fmt=fmt), fmt=fmt)

    assert (report.imported, report.updated, report.unchanged) == (0, 0, 7)
    assert dict(Question.objects.values_list("name", "revision")) == revisions


def test_exported_gift_is_written_the_way_moodle_writes_it(bank: QuestionBank):
    text = export_questions(bank=bank, fmt="gift")

    code = bank.path.code
    assert f"$CATEGORY: $course$/top/{code}/Privileges // access control basics" in text
    assert "\t=`a \\= b` and \\{x\\}#Right \\# because \\= compares; see \\{docs\\}\\: here." in text
    assert (
        "::rt-specials::[markdown]Which of `a \\= b`, `\\{x\\}`, `\\~y`, `\\#z`, `c\\:d` and `back\\\\slash`"
        in text
    )
    assert "\\n```sql\\nSELECT a FROM t\\n```{" in text  # line breaks written as \n, one line per text
    assert "\t~%50%One#Right." in text
    assert "\t~%-100%Three" in text
    assert "\t~%33.33333%Alpha#Yes." in text
    true_false = "::rt-true::[markdown]REVOKE takes back a privilege that GRANT gave."
    assert true_false + "{TRUE#Wrong\\: it is true.#Right\\: it is." in text
    assert "{FALSE##Right\\: a role is not a user.}" in text
    assert "\t=[markdown][html] is just text here#[markdown][markdown] also just text" in text
    assert (
        "// [id:rt-specials] [difficulty:hard] [status:active] [source:https://example.com/docs?a=1&b=[2\\]]"
        in text
    )
    for block in re.split(r"\n\s*\n", text):
        assert "\n\n" not in block
    assert parse_gift(text).rejected == []


def test_exported_xml_is_well_formed_moodle_xml_with_cdata(bank: QuestionBank):
    text = export_questions(bank=bank, fmt="moodle-xml")

    quiz = parse_xml(text)
    assert quiz.tag == "quiz"
    kinds = [q.attrs["type"] for q in quiz.findall("question")]
    assert kinds.count("category") == 3
    assert kinds.count("truefalse") == 2
    assert "<text><![CDATA[Ends a CDATA: ]]]]><![CDATA[> and has <b>tags</b> & ampersands.]]></text>" in text
    assert '<answer fraction="33.33333" format="markdown">' in text
    assert '<answer fraction="-100" format="markdown">' in text
    assert "<single>false</single>" in text
    assert "<single>true</single>" in text
    assert "<idnumber>rt-choose-2</idnumber>" in text
    assert "<tag><text><![CDATA[escaping: {all} #of =them]]></text></tag>" not in text  # no specials for XML
    assert "<tag><text>escaping: {all} #of =them</text></tag>" in text
    assert (
        '<certlms difficulty="hard" status="active" source="https://example.com/docs?a=1&amp;b=[2]"/>' in text
    )


def test_export_command_writes_a_file_that_imports_back(bank: QuestionBank, tmp_path: Path):
    target = tmp_path / "bank.xml"
    err = StringIO()
    QuestionBankFactory.create(path=bank.path, slug="copy-bank")

    call_command("export_questions", bank="source-bank", fmt="moodle-xml", output=str(target), stderr=err)
    call_command("import_questions", str(target), bank="copy-bank", stdout=StringIO(), stderr=StringIO())

    assert "Wrote bank source-bank (moodle-xml)" in err.getvalue()
    assert snapshot(QuestionBank.objects.get(slug="copy-bank")) == snapshot(bank)


def test_export_command_prints_to_stdout(bank: QuestionBank):
    out = StringIO()

    call_command("export_questions", bank="source-bank", fmt="csv", stdout=out)

    header = out.getvalue().splitlines()[0]
    assert header.startswith(
        "name,domain,type,choose,difficulty,status,tags,stem,explanation,source,option_1"
    )
    assert "option_9" in header
