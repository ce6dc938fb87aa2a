"""Certificates: issued for a passed full-length exam, downloadable as PDF, publicly verifiable."""

from __future__ import annotations

import pytest
from django.test import Client

from quizzes import grading
from quizzes.models import Certificate, ExamKind
from quizzes.models.certificates import score_band
from tests.factories import UserFactory
from tests.quizzes.test_reviews import graded_attempt


@pytest.mark.parametrize(
    ("percent", "scaled", "scale_max", "band"),
    [
        (84.0, 845, 1000, "800-899 of 1000"),
        (100.0, 1000, 1000, "900-1000 of 1000"),
        (72.5, None, None, "70-79%"),
        (100.0, None, None, "90-100%"),
    ],
)
def test_the_score_band_hides_the_exact_score(percent, scaled, scale_max, band):
    assert score_band(percent=percent, scaled=scaled, scale_max=scale_max) == band


@pytest.fixture
def ada(db):
    return UserFactory.create(username="ada", first_name="Ada", last_name="Lovelace")


def full_pass(student):
    return graded_attempt(student, right=6, kind=ExamKind.FULL, pass_percent=70)


@pytest.mark.django_db
def test_passing_a_full_length_exam_issues_one_certificate_with_an_unguessable_code(ada):
    attempt = full_pass(ada)

    certificate = Certificate.objects.get(attempt=attempt)
    assert certificate.holder_name == "Ada Lovelace"
    assert len(certificate.code) >= 24
    assert certificate.score_band == "900-1000 of 1000"
    assert certificate.passed_on == attempt.finished_at.date()


@pytest.mark.django_db
def test_a_failed_exam_and_a_passed_practice_set_earn_no_certificate(ada):
    graded_attempt(ada, right=1, kind=ExamKind.FULL)
    graded_attempt(ada, right=6, kind=ExamKind.PRACTICE)

    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_a_regrade_that_fails_the_attempt_withdraws_the_certificate(ada, client: Client):
    attempt = full_pass(ada)
    certificate = Certificate.objects.get(attempt=attempt)
    for item in attempt.items.all():  # a key correction: every option the student picked is now wrong
        for option in item.snapshot["options"]:
            option["is_correct"] = not option["is_correct"]
        item.save()

    assert grading.regrade_attempt(attempt_id=attempt.pk, reason="key corrected") is True

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    page = client.get(f"/verify/{certificate.code}").content.decode()
    assert "Withdrawn certificate" in page
    assert "Ada Lovelace" not in page


@pytest.mark.django_db
def test_the_verify_page_confirms_name_exam_date_and_band_and_nothing_else(ada, client: Client):
    attempt = full_pass(ada)
    certificate = Certificate.objects.get(attempt=attempt)

    response = client.get(f"/verify/{certificate.code}")

    page = response.content.decode().split("<main", 1)[1]  # the page's own content, not the site's controls
    assert response.status_code == 200
    assert "Valid certificate" in page
    for fact in ("Ada Lovelace", attempt.exam.path.code, "900-1000 of 1000", f"{attempt.finished_at:%Y}"):
        assert fact in page
    assert "ada@example.com" not in page
    assert f"/attempts/{attempt.pk}" not in page
    assert f"{attempt.score_percent:g}%" not in page


@pytest.mark.django_db
def test_an_unknown_code_is_a_404(client: Client):
    assert client.get("/verify/not-a-real-code").status_code == 404


@pytest.mark.django_db
def test_the_result_page_links_the_pdf_and_the_pdf_downloads(ada, client: Client):
    attempt = full_pass(ada)
    client.force_login(ada)

    result = client.get(f"/attempts/{attempt.pk}/result").content.decode()
    assert "Download your certificate (PDF)" in result

    response = client.get(f"/attempts/{attempt.pk}/certificate.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
def test_another_student_cannot_download_the_pdf(ada, client: Client):
    attempt = full_pass(ada)
    client.force_login(UserFactory.create())

    assert client.get(f"/attempts/{attempt.pk}/certificate.pdf").status_code == 404


@pytest.mark.django_db
def test_a_failed_attempt_has_no_download_link(ada, client: Client):
    attempt = graded_attempt(ada, right=1, kind=ExamKind.FULL)
    client.force_login(ada)

    assert "Download your certificate" not in client.get(f"/attempts/{attempt.pk}/result").content.decode()
