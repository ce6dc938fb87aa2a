"""`manage.py import_questions`: the report, JSON, dry run, exit status, progress on stderr."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from quizzes.models import Question, QuestionBank
from tests.quizzes.import_helpers import DATA, bank_with_domains

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank() -> QuestionBank:
    return bank_with_domains(slug="imp-bank")


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_questions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_the_counts_and_lists_skipped_types(bank: QuestionBank):
    out, err = run(str(DATA / "mixed.gift"), "--bank", "imp-bank")

    assert "9 imported, 0 updated (0 with a new revision), 0 unchanged, 0 rejected" in out
    assert "unsupported type, skipped: line 58: imp-essay: essay" in out
    assert "Reading" in err
    assert "[##############################] 9/9" in err
    assert Question.objects.filter(bank=bank).count() == 9


def test_json_prints_exactly_the_machine_readable_report(bank: QuestionBank):
    out, _ = run(str(DATA / "questions.csv"), "--bank", "imp-bank", "--json")

    report = json.loads(out)
    assert (report["imported"], report["rejected"], report["dry_run"]) == (3, [], False)
    assert report["format"] == "csv"


def test_dry_run_writes_nothing(bank: QuestionBank):
    out, _ = run(
        str(DATA / "mixed.xml"),
        "--bank",
        "imp-bank",
        "--dry-run",
        "--json",
        "--domain-map",
        str(DATA / "domain_map.yaml"),
    )

    report = json.loads(out)
    assert (report["imported"], report["dry_run"]) == (6, True)
    assert len(report["skipped_unsupported"]) == 6
    assert not Question.objects.exists()


def test_a_malformed_file_fails_with_lines_and_reasons_and_writes_nothing(bank: QuestionBank):
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command(
            "import_questions",
            str(DATA / "broken.gift"),
            bank="imp-bank",
            json=True,
            stdout=out,
            stderr=StringIO(),
        )

    message = str(raised.value)
    assert "4 item(s) rejected, nothing was imported" in message
    assert "line 13: broken-open: the answer block '{' is never closed" in message
    assert "line 34: billing-001: unknown domain 'Billing'" in message
    report = json.loads(out.getvalue())
    assert report["imported"] == 0
    assert [(r["name"], r["line"]) for r in report["rejected"]] == [
        ("broken-open", 13),
        ("broken-two-right", 18),
        ("broken-stray", 26),
        ("billing-001", 34),
    ]
    assert not Question.objects.exists()


def test_invalid_xml_and_a_csv_row_without_answer_are_rejected(bank: QuestionBank):
    with pytest.raises(CommandError, match=r"line 11: \(file\): invalid XML: mismatched tag"):
        run(str(DATA / "broken.xml"), "--bank", "imp-bank")
    with pytest.raises(CommandError, match="line 3: no-correct: no correct option"):
        run(str(DATA / "bad_rows.csv"), "--bank", "imp-bank")
    assert not Question.objects.exists()


def test_skip_invalid_imports_the_rest_and_lists_the_rejected(bank: QuestionBank):
    out, _ = run(str(DATA / "bad_rows.csv"), "--bank", "imp-bank", "--skip-invalid")

    assert "1 imported" in out
    assert "rejected (skipped): line 4: unknown-domain: unknown domain 'Billing'" in out
    assert list(Question.objects.values_list("name", flat=True)) == ["ok-row"]


def test_the_format_option_overrides_the_file_name(bank: QuestionBank, tmp_path: Path):
    source = tmp_path / "export.txt"
    source.write_text((DATA / "questions.csv").read_text(encoding="utf-8"), encoding="utf-8")

    out, _ = run(str(source), "--bank", "imp-bank", "--format", "csv", "--json")

    assert json.loads(out)["imported"] == 3


def test_a_bad_domain_map_an_unknown_bank_or_unreadable_file_fail_clearly(bank: QuestionBank, tmp_path: Path):
    bad_map = tmp_path / "map.yaml"
    bad_map.write_text("Networking: No Such Domain\n", encoding="utf-8")
    latin1 = tmp_path / "latin1.gift"
    latin1.write_bytes("::q::Caf\xe9?{=oui ~non}".encode("latin-1"))

    with pytest.raises(CommandError, match="not a domain of"):
        run(str(DATA / "mixed.xml"), "--bank", "imp-bank", "--domain-map", str(bad_map))
    with pytest.raises(CommandError, match="no question bank has the slug 'nope'"):
        run(str(DATA / "mixed.gift"), "--bank", "nope")
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        run(str(latin1), "--bank", "imp-bank")
    with pytest.raises(CommandError, match="cannot read"):
        run(str(tmp_path / "missing.gift"), "--bank", "imp-bank")


def test_a_rejected_file_exits_with_status_1(bank: QuestionBank, monkeypatch: Any, capsys: Any):
    # run_from_argv closes the connections when done; keep the test's transaction open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(
            ["manage.py", "import_questions", str(DATA / "broken.gift"), "--bank", "imp-bank"]
        ).execute()

    assert exited.value.code == 1
    assert "nothing was imported" in capsys.readouterr().err


def test_reimporting_reports_everything_unchanged(bank: QuestionBank):
    run(str(DATA / "mixed.gift"), "--bank", "imp-bank")

    out, _ = run(str(DATA / "mixed.gift"), "--bank", "imp-bank", "--json")

    assert (json.loads(out)["imported"], json.loads(out)["unchanged"]) == (0, 9)
