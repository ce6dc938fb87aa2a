"""Attempt history: the student's graded attempts per path, with a score-trend chart and its table."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from courses.models import Provider, ScoreScale
from quizzes.models import AttemptState, SubmittedBy
from quizzes.selectors.history import attempt_history
from tests.factories import AttemptFactory, CertificationPathFactory, ExamFactory, UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains
from tests.quizzes.test_dashboard import sit

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
START = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)  # the site's time zone is UTC


def graded(exam, student, *, day: int, score: float, passed: bool, **fields):
    finished = START + day * DAY
    return AttemptFactory(
        exam=exam,
        student=student,
        state=AttemptState.GRADED,
        started_at=finished - dt.timedelta(minutes=40),
        submitted_at=finished,
        finished_at=finished,
        graded_at=finished,
        score_percent=score,
        passed=passed,
        submitted_by=fields.pop("submitted_by", SubmittedBy.STUDENT),
        **fields,
    )


@pytest.fixture
def aws_exam():
    path = CertificationPathFactory(code="SAA-C03", name="Solutions Architect", provider=Provider.AWS)
    return ExamFactory(path=path, title="Full practice exam", pass_percent=72)


def test_history_lists_graded_attempts_oldest_first_with_their_figures(student, aws_exam):
    graded(aws_exam, student, day=3, score=76.0, passed=True, scaled_score=760)
    first = graded(aws_exam, student, day=1, score=48.0, passed=False, scaled_score=480)
    graded(aws_exam, student, day=2, score=62.5, passed=False, submitted_by=SubmittedBy.TIMER)

    [path] = attempt_history(student_id=student.pk)

    assert (path.code, path.name, path.pass_percent) == ("SAA-C03", "Solutions Architect", 72)
    assert [a.score_percent for a in path.attempts] == [48.0, 62.5, 76.0]
    row = path.attempts[0]
    assert (row.attempt_id, row.exam_title, row.finished_at) == (first.pk, "Full practice exam", START + DAY)
    assert (row.scaled_score, row.passed, row.submitted_by_timer) == (480, False, False)
    assert path.attempts[1].submitted_by_timer


def test_the_pass_mark_is_the_real_exams_as_percent_correct(student):
    percent_path = CertificationPathFactory(score_scale=ScoreScale.PERCENT, pass_mark=65, score_max=100)
    graded(ExamFactory(path=percent_path), student, day=1, score=50.0, passed=False)

    assert attempt_history(student_id=student.pk)[0].pass_percent == 65


def test_history_leaves_out_open_and_ungraded_attempts(student, aws_exam):
    AttemptFactory(exam=aws_exam, student=student, state=AttemptState.IN_PROGRESS)
    AttemptFactory(exam=aws_exam, student=student, state=AttemptState.SUBMITTED)
    AttemptFactory(exam=ExamFactory(path=aws_exam.path), student=student, state=AttemptState.NEEDS_ATTENTION)

    assert attempt_history(student_id=student.pk) == []


def test_history_shows_only_the_students_own_attempts(student, aws_exam):
    graded(aws_exam, UserFactory(), day=1, score=90.0, passed=True)

    assert attempt_history(student_id=student.pk) == []


def test_history_groups_by_path_in_catalog_order(student, aws_exam):
    gcp = CertificationPathFactory(code="PCA", provider=Provider.GCP)
    azure = CertificationPathFactory(code="AZ-104", provider=Provider.AZURE)
    for path in (gcp, azure):
        graded(ExamFactory(path=path), student, day=1, score=50.0, passed=False)
    graded(aws_exam, student, day=1, score=50.0, passed=False)

    assert [p.code for p in attempt_history(student_id=student.pk)] == ["SAA-C03", "AZ-104", "PCA"]


def test_history_can_keep_one_path_by_code_in_any_letter_case(student, aws_exam):
    graded(aws_exam, student, day=1, score=50.0, passed=False)
    graded(ExamFactory(), student, day=1, score=50.0, passed=False)

    assert [p.code for p in attempt_history(student_id=student.pk, path_code="saa-c03")] == ["SAA-C03"]


@pytest.mark.parametrize("paths", [1, 4])
def test_history_is_one_query_however_many_paths_and_attempts(student, django_assert_num_queries, paths: int):
    for _ in range(paths):
        exam = ExamFactory()
        for day in range(3):
            graded(exam, student, day=day, score=60.0, passed=False)

    with django_assert_num_queries(1):
        history = attempt_history(student_id=student.pk)

    assert sum(len(p.attempts) for p in history) == 3 * paths


def test_history_reads_the_grade_the_grader_stored(student):
    path = path_with_domains((50, 50), code="HIS-C01")
    bank_for(path, per_domain=4)
    sit(student, exam_for(path, item_count=4, minutes=None), right=3)

    [row] = attempt_history(student_id=student.pk)[0].attempts

    assert (row.score_percent, row.passed, row.submitted_by) == (75.0, True, SubmittedBy.STUDENT)


# --- The page -------------------------------------------------------------------------------------


def test_the_dashboard_links_to_the_history(client: Client, student):
    client.force_login(student)

    assert 'href="/dashboard/history/"' in client.get("/dashboard/").content.decode()


def test_the_history_page_needs_a_signed_in_student(client: Client):
    response = client.get("/dashboard/history/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_chart_is_an_image_named_by_its_summary(client: Client, student, aws_exam):
    for day, score in enumerate((48.0, 80.0, 76.0), start=1):
        graded(aws_exam, student, day=day, score=score, passed=score >= 72)
    client.force_login(student)

    html = client.get("/dashboard/history/").content.decode()

    assert '<svg class="chart" role="img" aria-labelledby="trend-SAA-C03"' in html
    assert (
        '<title id="trend-SAA-C03">Score trend for SAA-C03: '
        "3 attempts, from 48% to 76%, best 80%, pass mark 72%.</title>"
    ) in html
    assert html.count('<circle class="chart-point') == 3
    assert html.count("chart-point--passed") == 2
    assert 'class="chart-pass"' in html


def test_the_table_behind_the_chart_holds_every_attempt(client: Client, student, aws_exam):
    first = graded(aws_exam, student, day=1, score=48.0, passed=False, scaled_score=480)
    graded(aws_exam, student, day=2, score=76.25, passed=True, submitted_by=SubmittedBy.TIMER)
    client.force_login(student)

    html = client.get("/dashboard/history/").content.decode()

    assert '<caption id="caption-SAA-C03">Graded attempts at SAA-C03, oldest first</caption>' in html
    headers = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert headers == ["Attempt", "Date", "Exam", "Score", "Scaled score", "Result", "Submitted by"]
    rows = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>\s*(<th scope=\"row\">.*?)</tr>", html, re.S)
    ]
    assert rows == [
        ["Attempt 1", "3 Nov 2026 09:30", "Full practice exam", "48%", "480", "Not passed", "You"],
        [
            "Attempt 2",
            "4 Nov 2026 09:30",
            "Full practice exam",
            "76.3%",
            "none",
            "Passed",
            "Timer (time ran out)",
        ],
    ]
    assert f'<a href="/attempts/{first.pk}/result">Attempt 1</a>' in html


def test_the_history_page_is_a_fixed_number_of_queries(
    client: Client, student, django_assert_num_queries, aws_exam
):
    for day in range(5):
        graded(aws_exam, student, day=day, score=50.0 + day, passed=False)
    client.force_login(student)

    with django_assert_num_queries(2):  # the user (sessions are cached), the attempts with exams and paths
        client.get("/dashboard/history/")


def test_a_student_without_graded_attempts_is_told_so(client: Client, student):
    client.force_login(student)

    assert "No graded attempts yet." in client.get("/dashboard/history/").content.decode()
