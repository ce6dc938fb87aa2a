"""The student dashboard: progress, readiness and what to study next."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from quizzes import grading, services
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains
from tests.quizzes.test_grading import answer_all

pytestmark = pytest.mark.django_db


def test_a_new_student_is_invited_to_browse(client: Client, student):
    client.force_login(student)

    assert "You are not enrolled yet" in client.get("/dashboard/").content.decode()


def test_after_a_graded_exam_the_dashboard_shows_readiness_and_the_weakest_domains(client: Client, student):
    path = path_with_domains((50, 50), code="DSH-C01")
    bank_for(path, per_domain=4)
    attempt = services.start_attempt(exam=exam_for(path, item_count=4), student=student, now=timezone.now())
    answer_all(attempt, student, right=4)
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())
    grading.grade_attempt(attempt_id=attempt.pk)
    client.force_login(student)

    html = client.get("/dashboard/").content.decode()

    assert "DSH-C01" in html
    assert "<strong>100%</strong>" in html
    assert "<strong>ready</strong>" in html
    assert "Study next:" in html
