"""Large imports run in the background (QuestionImport + the run_question_import task), with a
progress page and a truncated report; files above the hard maximum are refused."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from core.roles import Role
from lms.celery import app as celery_app
from quizzes import importing, tasks
from quizzes.importers import Rejection
from quizzes.importers.report import ImportReport
from quizzes.models import ImportStatus, Question, QuestionBank, QuestionImport
from tests.factories import UserFactory
from tests.quizzes.import_helpers import DATA, bank_with_domains, data
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db

MIXED_GIFT_SIZE = (DATA / "mixed.gift").stat().st_size


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


def post(client: Client, url: str, bank: QuestionBank, name: str = "mixed.gift", **fields: Any) -> Any:
    upload = SimpleUploadedFile(name, (DATA / name).read_bytes())
    return client.post(url, {"file": upload, "bank": bank.pk, "fmt": "auto", **fields})


# --- The upload page sends large files to the background ---------------------------------------------


@pytest.fixture
def tasks_in_this_process() -> Iterator[None]:
    """Run Celery tasks in this process, inside the test's transaction (a worker could not see the
    job row); test_the_worker_runs_a_queued_import covers the real worker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_a_file_over_the_inline_size_is_imported_by_a_task_and_its_page_shows_the_report(
    author: Client,
    url: str,
    own_bank: QuestionBank,
    settings,
    django_capture_on_commit_callbacks,
    tasks_in_this_process,
):
    settings.IMPORT_INLINE_MAX_BYTES = MIXED_GIFT_SIZE - 1

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = post(author, url, own_bank)
    job = QuestionImport.objects.get()
    page = author.get(response["Location"]).content.decode()
    status = author.get(reverse("admin:quizzes_questionbank_import_job_status", kwargs={"pk": job.pk})).json()

    assert len(queued) == 1
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert (job.status, job.total, job.text) == (
        ImportStatus.DONE,
        13,
        "",
    )  # 9 imported, 4 skipped; upload dropped
    assert Question.objects.filter(bank=own_bank).count() == 9
    assert "9 imported, 0 updated" in page
    assert "question types this site does not support" in page
    assert status == {
        "status": "done",
        "label": "Finished",
        "finished": True,
        "done": 13,
        "total": 13,
        "message": job.message,
    }


def test_a_file_with_more_items_than_the_inline_count_goes_to_the_background(
    author: Client, url: str, own_bank: QuestionBank, settings
):
    settings.IMPORT_INLINE_MAX_ITEMS = 3

    response = post(author, url, own_bank)

    assert response.status_code == 302
    assert QuestionImport.objects.get().filename == "mixed.gift"


def test_a_small_file_is_still_imported_in_the_request(author: Client, url: str, own_bank: QuestionBank):
    response = post(author, url, own_bank)

    assert response.status_code == 200
    assert not QuestionImport.objects.exists()
    assert Question.objects.filter(bank=own_bank).count() == 9


def test_a_file_over_the_hard_maximum_is_refused_with_a_form_error(
    author: Client, url: str, own_bank: QuestionBank, settings
):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.gift", b"// padding\n" * 200_000)

    response = author.post(url, {"file": big, "bank": own_bank.pk, "fmt": "auto"})

    assert response.status_code == 200
    assert "The file is 2.1 MB; the largest file this site imports is 1 MB." in response.content.decode()
    assert not QuestionImport.objects.exists()
    assert not Question.objects.exists()


def test_a_running_import_page_polls_from_a_static_script_not_an_inline_one(
    author: Client, own_bank: QuestionBank, instructor: Any
):
    job = importing.create_import_job(
        bank=own_bank, requested_by=instructor, filename="big.gift", text=data("mixed.gift"), fmt="gift"
    )

    html = author.get(job.get_absolute_url()).content.decode()
    status = author.get(reverse("admin:quizzes_questionbank_import_job_status", kwargs={"pk": job.pk})).json()

    assert "js/import_job.js" in html
    assert "data-status-url" in html
    assert "<script>" not in html
    assert (status["status"], status["finished"], status["done"]) == ("queued", False, 0)


def test_another_instructors_import_reads_as_missing(client: Client, own_bank: QuestionBank, instructor: Any):
    job = importing.create_import_job(
        bank=own_bank, requested_by=instructor, filename="mine.gift", text=data("mixed.gift"), fmt="gift"
    )
    other: Any = UserFactory(role=Role.INSTRUCTOR)
    client.force_login(other)

    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(f"{job.get_absolute_url()}status.json").status_code == 404


# --- The job itself -----------------------------------------------------------------------------------


def test_running_a_job_twice_imports_it_once(own_bank: QuestionBank, instructor: Any):
    job = importing.create_import_job(
        bank=own_bank, requested_by=instructor, filename="mixed.gift", text=data("mixed.gift"), fmt="gift"
    )

    first = tasks.run_question_import(job.pk)
    second = tasks.run_question_import(job.pk)

    assert (first, second) == ("done", "already finished")
    assert Question.objects.filter(bank=own_bank).count() == 9


def test_a_rejected_file_ends_the_job_with_its_reasons_and_writes_nothing(
    own_bank: QuestionBank, instructor: Any
):
    job = importing.create_import_job(
        bank=own_bank, requested_by=instructor, filename="broken.gift", text=data("broken.gift"), fmt="gift"
    )

    importing.run_import_job(job_id=job.pk)
    job.refresh_from_db()

    assert job.status == ImportStatus.REJECTED
    assert "nothing was imported" in job.message
    assert job.report["rejected_total"] == len(job.report["rejected"]) > 0
    assert not Question.objects.filter(bank=own_bank).exists()


def test_a_stored_report_keeps_the_first_rejections_and_counts_every_one_by_reason():
    rejected = [
        Rejection(f"q{n}", n, f"unknown domain 'D{n}' (category 'C{n}'): X has A") for n in range(150)
    ]
    rejected += [Rejection("dup", 999, "the name is used again (first on line 3); names identify questions")]
    report = ImportReport(fmt="gift", rejected=rejected)

    stored = importing.summarize(report)

    assert len(stored["rejected"]) == importing.REPORT_LISTED == 100
    assert stored["rejected_total"] == 151
    assert stored["rejected_by_reason"] == [
        {"reason": "unknown domain '…' (category '…')", "count": 150},
        {"reason": "the name is used again (first on line N)", "count": 1},
    ]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_import(celery_worker, instructor: Any):
    bank = bank_with_domains(owners=[instructor])
    job = importing.create_import_job(
        bank=bank, requested_by=instructor, filename="mixed.gift", text=data("mixed.gift"), fmt="gift"
    )

    tasks.queue_import_on_commit(job.pk)  # no transaction open: sent at once

    wait_until(lambda: QuestionImport.objects.get(pk=job.pk).is_finished, what="the import to finish")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Question.objects.filter(bank=bank).count() == 9


# --- The command's size limit -------------------------------------------------------------------------


def test_the_command_refuses_a_file_over_its_limit_unless_told_otherwise(settings):
    bank_with_domains(slug="limit-bank")
    settings.IMPORT_MAX_BYTES = 100
    file = str(DATA / "mixed.gift")

    with pytest.raises(CommandError, match=r"more than the limit of 100 .*pass --max-bytes"):
        call_command("import_questions", file, "--bank", "limit-bank", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command(
        "import_questions",
        file,
        "--bank",
        "limit-bank",
        "--max-bytes",
        "1000000",
        stdout=out,
        stderr=StringIO(),
    )

    assert "9 imported" in out.getvalue()
