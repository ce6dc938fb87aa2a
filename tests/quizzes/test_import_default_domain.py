"""Moodle exports without categories (`--domain`), and question names that Moodle lets repeat."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from quizzes.exceptions import ImportRejected, UnknownDomain
from quizzes.importing import import_questions
from quizzes.models import Question, QuestionBank
from tests.quizzes.import_helpers import DATA, bank_with_domains, data

pytestmark = pytest.mark.django_db
EXPORT = "moodle_uncategorised.xml"


@pytest.fixture
def bank() -> QuestionBank:
    return bank_with_domains(slug="imp-bank")


def names_and_domains(bank: QuestionBank) -> dict[str, str]:
    return dict(Question.objects.filter(bank=bank).values_list("name", "domain__name"))


def test_without_a_default_domain_uncategorised_questions_are_rejected_with_their_lines(bank: QuestionBank):
    with pytest.raises(ImportRejected) as raised:
        import_questions(bank=bank, text=data(EXPORT), fmt="moodle-xml")

    rejected = raised.value.report.rejected
    assert [r.line for r in rejected] == [15, 68, 117]
    assert all("give a default domain" in r.reason for r in rejected)
    assert not Question.objects.filter(bank=bank).exists()


def test_a_default_domain_takes_the_questions_that_have_no_category(bank: QuestionBank):
    import_questions(bank=bank, text=data(EXPORT), fmt="moodle-xml", default_domain="security and compliance")

    assert set(names_and_domains(bank).values()) == {"Security and Compliance"}


def test_a_categorised_question_keeps_its_own_domain_when_a_default_is_given(bank: QuestionBank):
    import_questions(
        bank=bank,
        text=data("mixed.xml"),
        fmt="moodle-xml",
        domain_map={"Networking": "Cloud Concepts"},
        default_domain="Privileges / access control basics",
    )

    domains = names_and_domains(bank)
    assert domains["xml-cc-001"] == "Cloud Concepts"
    assert "Privileges / access control basics" not in domains.values()


def test_a_category_that_names_no_domain_is_still_rejected_when_a_default_is_given(bank: QuestionBank):
    with pytest.raises(ImportRejected) as raised:
        import_questions(bank=bank, text=data("mixed.xml"), fmt="moodle-xml", default_domain="Cloud Concepts")

    rejections = raised.value.report.rejected
    assert [r.name for r in rejections] == ["xml-net-001", "Match the layers"]
    assert all("unknown domain 'Networking'" in r.reason for r in rejections)


def test_a_default_domain_the_path_lacks_is_refused_naming_the_domains(bank: QuestionBank):
    with pytest.raises(UnknownDomain) as raised:
        import_questions(bank=bank, text=data(EXPORT), fmt="moodle-xml", default_domain="Networking")

    assert "'Networking' is not a domain" in str(raised.value)
    assert "Cloud Concepts" in str(raised.value)
    assert not Question.objects.filter(bank=bank).exists()


def test_a_repeated_moodle_name_is_told_apart_with_a_note(bank: QuestionBank):
    report = import_questions(bank=bank, text=data(EXPORT), fmt="moodle-xml", default_domain="Cloud Concepts")

    assert set(names_and_domains(bank)) == {
        "Shared responsibility",
        "Shared responsibility (2)",
        "tf-regions",
    }
    second = Question.objects.get(bank=bank, name="Shared responsibility (2)")
    assert "managed database service" in second.stem
    [note] = [n for n in report.notes if n.name == "Shared responsibility (2)"]
    assert note.line == 68
    assert "used again (first on line 15)" in note.note


def test_importing_the_export_again_updates_the_same_questions(bank: QuestionBank):
    import_questions(bank=bank, text=data(EXPORT), fmt="moodle-xml", default_domain="Cloud Concepts")

    report = import_questions(bank=bank, text=data(EXPORT), fmt="moodle-xml", default_domain="Cloud Concepts")

    assert (report.imported, report.updated, report.unchanged) == (0, 0, 3)
    assert Question.objects.filter(bank=bank).count() == 3


def test_a_repeated_idnumber_is_still_rejected(bank: QuestionBank):
    text = data(EXPORT).replace(
        "<idnumber></idnumber>\n    <single>", "<idnumber>dup</idnumber>\n    <single>"
    )

    with pytest.raises(ImportRejected) as raised:
        import_questions(bank=bank, text=text, fmt="moodle-xml", default_domain="Cloud Concepts")

    [rejection] = raised.value.report.rejected
    assert (rejection.name, rejection.line) == ("dup", 68)
    assert "used again" in rejection.reason


def test_the_command_takes_a_domain_and_lists_the_rename(bank: QuestionBank):
    out = StringIO()

    call_command(
        "import_questions",
        str(DATA / EXPORT),
        "--bank",
        "imp-bank",
        "--domain",
        "Cloud Concepts",
        stdout=out,
        stderr=StringIO(),
    )

    assert "3 imported" in out.getvalue()
    assert (
        "note: line 68: Shared responsibility (2): the name 'Shared responsibility' is used again"
        in out.getvalue()
    )


def test_the_command_refuses_an_unknown_domain_clearly(bank: QuestionBank):
    with pytest.raises(CommandError, match=r"--domain: the default domain 'Nope' is not a domain"):
        call_command(
            "import_questions",
            str(DATA / EXPORT),
            "--bank",
            "imp-bank",
            "--domain",
            "Nope",
            stdout=StringIO(),
            stderr=StringIO(),
        )


@pytest.fixture
def author(client: Client, instructor: Any) -> Client:
    client.force_login(instructor)
    return client


def upload_export(author: Client, bank: QuestionBank, domain: str) -> Any:
    with Path(DATA / EXPORT).open("rb") as handle:
        return author.post(
            reverse("admin:quizzes_questionbank_import"),
            {"file": handle, "bank": bank.pk, "fmt": "auto", "default_domain": domain},
        )


def test_the_admin_import_page_takes_a_default_domain(author: Client, instructor: Any):
    bank = bank_with_domains(owners=[instructor])

    response = upload_export(author, bank, "Cloud Concepts")

    assert response.status_code == 200
    assert set(names_and_domains(bank).values()) == {"Cloud Concepts"}
    assert "Shared responsibility (2)" in response.content.decode()


def test_the_admin_import_page_shows_an_unknown_default_domain_as_a_field_error(
    author: Client, instructor: Any
):
    bank = bank_with_domains(owners=[instructor])

    response = upload_export(author, bank, "Nope")

    assert response.context["form"].errors["default_domain"]
    assert not Question.objects.filter(bank=bank).exists()
