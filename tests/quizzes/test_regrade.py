"""Correcting a key regrades every attempt that saw the question and records what changed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from quizzes import grading, services, tasks
from quizzes.models import Attempt, Choice, GradeChange
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains
from tests.quizzes.test_grading import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(student) -> Attempt:
    path = path_with_domains((100,))
    bank_for(path, per_domain=4)
    attempt = services.start_attempt(
        exam=exam_for(path, item_count=4, pass_percent=70), student=student, now=timezone.now()
    )
    answer_all(attempt, student, right=2)  # items 3 and 4 answered wrongly: 50 %
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())
    grading.grade_attempt(attempt_id=attempt.pk)
    attempt.refresh_from_db()
    return attempt


def make_the_students_answer_the_key(attempt: Attempt, position: int) -> int:
    item = attempt.items.get(position=position)
    selected = set(item.answer.selected)
    picked = {option["choice_id"] for option in item.snapshot["options"] if option["id"] in selected}
    for choice in Choice.objects.filter(question=item.question):
        choice.is_correct = choice.pk in picked
        choice.save()
    return item.question_id


def test_a_corrected_key_changes_the_grade_and_records_why(graded, staff):
    question_id = make_the_students_answer_the_key(graded, 3)

    changed = tasks.regrade_question(question_id, "Key corrected", staff.pk)

    graded.refresh_from_db()
    change = GradeChange.objects.get(attempt=graded)
    assert changed == 1
    assert graded.score_percent == 75.0
    assert (change.old_score_percent, change.new_score_percent, change.reason) == (
        50.0,
        75.0,
        "Key corrected",
    )
    assert (change.old_passed, change.new_passed, change.changed_by) == (False, True, staff)


def test_regrading_again_changes_nothing(graded):
    question_id = make_the_students_answer_the_key(graded, 3)
    tasks.regrade_question(question_id, "Key corrected")

    assert tasks.regrade_question(question_id, "Key corrected") == 0
    assert GradeChange.objects.filter(attempt=graded).count() == 1


def test_the_text_the_student_saw_is_kept(graded):
    item = graded.items.get(position=3)
    shown = [o["text_html"] for o in item.snapshot["options"]]
    Choice.objects.filter(question=item.question).update(text="Reworded after the attempt")
    make_the_students_answer_the_key(graded, 3)

    tasks.regrade_question(item.question_id, "Key corrected")

    item.refresh_from_db()
    assert [o["text_html"] for o in item.snapshot["options"]] == shown


def test_the_admin_action_queues_a_regrade_after_commit(
    client, staff, graded, django_capture_on_commit_callbacks
):
    question_id = make_the_students_answer_the_key(graded, 4)
    client.force_login(staff)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/admin/quizzes/question/", {"action": "regrade_attempts", "_selected_action": [question_id]}
        )

    assert response.status_code == 302
    assert len(callbacks) == 1


def row_versions(attempt: Attempt) -> dict[int, str]:
    """Each item's row version (PostgreSQL's xmin): it changes when the row is written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT position, xmin::text FROM quizzes_attemptitem WHERE attempt_id = %s", [attempt.pk]
        )
        return dict(cursor.fetchall())


def test_a_regrade_keeps_the_new_item_score_on_the_attempt(graded):
    question_id = make_the_students_answer_the_key(graded, 3)

    tasks.regrade_question(question_id, "Key corrected")

    graded.refresh_from_db()
    assert graded.item_scores == [1.0, 1.0, 1.0, 0.0]
    assert graded.items.get(position=3).score == 1.0


def test_a_regrade_rewrites_only_the_corrected_item(graded):
    before = row_versions(graded)
    question_id = make_the_students_answer_the_key(graded, 3)

    tasks.regrade_question(question_id, "Key corrected")

    after = row_versions(graded)
    rewritten = [p for p in before if before[p] != after[p]]
    assert rewritten == [3]  # its snapshot's key (the scores are kept on the attempt)
