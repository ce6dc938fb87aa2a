"""The admin import page: owners' banks only, the report with lines and reasons, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from quizzes.models import Question, QuestionBank
from tests.factories import QuestionBankFactory
from tests.quizzes.import_helpers import DATA, bank_with_domains

pytestmark = pytest.mark.django_db


@pytest.fixture
def url() -> str:
    return reverse("admin:quizzes_questionbank_import")


@pytest.fixture
def own_bank(instructor: Any) -> QuestionBank:
    return bank_with_domains(name="My bank", owners=[instructor])


@pytest.fixture
def author(client: Client, instructor: Any) -> Client:
    client.force_login(instructor)
    return client


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes())


def post(client: Client, url: str, bank: QuestionBank, name: str, **fields: Any) -> Any:
    return client.post(url, {"file": upload(name), "bank": bank.pk, "fmt": "auto", **fields})


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_form_offers_an_instructor_only_the_banks_they_own(
    author: Client, url: str, own_bank: QuestionBank
):
    QuestionBankFactory.create(name="Someone else's bank")

    response = author.get(url)

    assert response.status_code == 200
    assert list(response.context["form"].fields["bank"].queryset) == [own_bank]
    html = response.content.decode()
    assert "Import questions" in html
    assert 'enctype="multipart/form-data"' in html
    assert "Someone else" not in html


def test_an_upload_imports_the_file_and_shows_the_report(author: Client, url: str, own_bank: QuestionBank):
    response = post(author, url, own_bank, "mixed.gift")

    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith("Imported mixed.gift (gift) into My bank: 9 imported, 0 updated")
    html = response.content.decode()
    assert "question types this site does not support" in html
    assert "<td>58</td><td>imp-essay</td><td>essay (an empty answer block)" in html
    assert Question.objects.filter(bank=own_bank).count() == 9


def test_a_malformed_upload_lists_lines_and_reasons_and_writes_nothing(
    author: Client, url: str, own_bank: QuestionBank
):
    response = post(author, url, own_bank, "broken.gift")

    [message] = messages_of(response)
    assert message.startswith("Nothing was imported: 4 item(s) of broken.gift were rejected.")
    html = response.content.decode()
    reason = "the answer block &#x27;{&#x27; is never closed by &#x27;}&#x27;"
    assert f"<td>13</td><td>broken-open</td><td>{reason}</td>" in html
    assert "<td>34</td><td>billing-001</td><td>unknown domain &#x27;Billing&#x27;" in html
    assert not Question.objects.exists()


def test_skip_invalid_imports_the_valid_questions(author: Client, url: str, own_bank: QuestionBank):
    post(author, url, own_bank, "broken.gift", skip_invalid="on")

    assert list(Question.objects.values_list("name", flat=True)) == ["ok-001"]


def test_dry_run_with_a_domain_map_checks_and_writes_nothing(
    author: Client, url: str, own_bank: QuestionBank
):
    response = post(author, url, own_bank, "mixed.xml", dry_run="on", domain_map=upload("domain_map.yaml"))

    [message] = messages_of(response)
    assert message.startswith("Checked mixed.xml (moodle-xml) into My bank: 6 imported")
    assert "(dry run: nothing was written)" in response.content.decode()
    assert not Question.objects.exists()


def test_a_bad_domain_map_or_a_non_utf8_file_is_a_form_error(
    author: Client, url: str, own_bank: QuestionBank
):
    bad_map = author.post(
        url,
        {
            "file": upload("mixed.xml"),
            "bank": own_bank.pk,
            "fmt": "moodle-xml",
            "domain_map": upload("map.yaml", b"Networking: Nowhere\n"),
        },
    )
    latin1 = author.post(
        url,
        {
            "file": upload("bank.gift", "Café?{=oui ~non}".encode("latin-1")),
            "bank": own_bank.pk,
            "fmt": "gift",
        },
    )

    assert "not a domain of" in str(bad_map.context["form"].errors["domain_map"])
    assert "not UTF-8 text" in str(latin1.context["form"].errors["file"])
    assert not Question.objects.exists()


def test_an_instructor_cannot_import_into_a_bank_they_do_not_own(
    author: Client, url: str, own_bank: QuestionBank
):
    other = bank_with_domains(name="Not mine")

    response = post(author, url, other, "mixed.gift")

    assert "bank" in response.context["form"].errors
    assert not Question.objects.exists()


def test_a_superuser_may_import_into_any_bank(client: Client, url: str, staff: Any, own_bank: QuestionBank):
    client.force_login(staff)

    post(client, url, own_bank, "questions.csv")

    assert Question.objects.filter(bank=own_bank).count() == 3


def test_a_student_is_sent_to_the_admin_log_in(client: Client, url: str, student: Any):
    client.force_login(student)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
