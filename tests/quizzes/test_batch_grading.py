"""Grading in sets: the SQL scorer agrees with the Python one; a batch costs a fixed number of statements."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes import grading, services, tasks
from quizzes.models import Answer, Attempt, AttemptItem, AttemptState, DomainResult, Exam
from quizzes.scoring import ITEM_SCORE_SQL, ScoredItem, score_item
from tests.factories import QuestionBankFactory, UserFactory
from tests.quizzes.delivery import add_question, bank_for, exam_for, path_with_domains
from tests.quizzes.test_grading import answer_all

pytestmark = pytest.mark.django_db


def sql_item_scores(attempt: Attempt) -> dict[int, float]:
    """Score each item of attempt with ITEM_SCORE_SQL: {item id: score}."""
    rows = f"{grading.ITEM_ROWS_SQL} WHERE i.attempt_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT item.item_id, {ITEM_SCORE_SQL} FROM ({rows}) AS item", [attempt.pk])  # noqa: S608
        return dict(cursor.fetchall())


def python_item_scores(attempt: Attempt) -> dict[int, float]:
    scores = {}
    for item in attempt.items.select_related("answer"):
        answer = getattr(item, "answer", None)
        scored = ScoredItem(
            domain_id=item.domain_id,
            key=frozenset(item.key),
            choose=item.choose,
            selected=frozenset(answer.selected) if answer else frozenset(),
            placements=item.is_placement,
        )
        scores[item.pk] = score_item(scored, partial_credit=attempt.exam.partial_credit)
    return scores


def store(item: AttemptItem, selected: list[Any] | None) -> None:
    """Store a selection as it is, past the save path's checks (older data, or data it never made)."""
    if selected is None:
        Answer.objects.filter(item=item).delete()
    else:
        Answer.objects.update_or_create(
            item=item, defaults={"selected": selected, "client_seq": 1, "saved_at": timezone.now()}
        )


def every_kind_of_answer(attempt: Attempt) -> None:
    """Give the attempt's items every case the rule has: exact, subset, extra wrong, too many, none..."""
    items = list(attempt.items.order_by("position"))
    walked = {"single": 0, "multiple": 0}
    for item in items:
        # Each kind walks the cases on its own, and multiple-choice items start at "part of the
        # key": the first one drawn is answered in part, whatever the draw (partial credit is tried).
        kind = "single" if item.choose == 1 else "multiple"
        n = walked[kind] + (2 if kind == "multiple" else 0)
        walked[kind] += 1
        key = sorted(item.key, key=str)
        wrong = [o for o in item.option_ids if o not in item.key]
        cases: list[list[Any] | None] = [
            key,  # exactly the key
            list(reversed(key)),  # the key in another order
            key[:1],  # part of the key
            key[:1] + wrong[:1],  # one right, one wrong
            wrong[: item.choose],  # all wrong
            key + wrong[:1],  # more options than asked for
            key + key,  # the key twice over
            [],  # an empty selection
            None,  # never answered
        ]
        store(item, cases[n % len(cases)])


@pytest.fixture
def attempts(student) -> list[Attempt]:
    """Two submitted attempts at exams with and without partial credit, answered in every way."""
    path = path_with_domains(score_min=100, score_max=1000, pass_mark=700)
    bank_for(path, per_domain=12)  # every fifth question is choose-2
    made = []
    for partial in (False, True):
        exam = exam_for(
            path, item_count=27, pass_percent=60, partial_credit=partial, title=f"partial {partial}"
        )
        attempt = services.start_attempt(exam=exam, student=student, now=timezone.now())
        every_kind_of_answer(attempt)
        made.append(services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now()))
    return made


def test_sql_and_python_score_every_item_alike(attempts):
    for attempt in attempts:
        python = python_item_scores(attempt)
        assert any(0 < score < 1 for score in python.values()) == attempt.exam.partial_credit
        assert sql_item_scores(attempt) == pytest.approx(python)


def every_kind_of_placement(attempt: Attempt) -> None:
    """Give each ordering or matching item one case of the rule, walking the cases over the items."""
    for n, item in enumerate(attempt.items.order_by("position")):
        key = sorted(map(str, item.key))
        moved = [key[0].split("@")[0] + "@" + key[1].split("@")[1]]  # a step or prompt misplaced
        cases: list[list[Any] | None] = [
            key,  # exactly the key
            list(reversed(key)),  # the key sent in another order
            key[:2],  # part of the key
            key[2:] + moved,  # right but for one misplacement
            moved,  # only a misplacement
            key + moved,  # more placements than steps or prompts
            [],  # an empty selection
            None,  # never answered
        ]
        store(item, cases[n % len(cases)])


@pytest.fixture
def placement_attempts(student) -> list[Attempt]:
    """Two attempts of 16 ordering and matching items, with and without partial credit."""
    path = path_with_domains((100,))
    bank = QuestionBankFactory.create(path=path, slug="placement-bank")
    for n in range(16):
        add_question(bank, path.domains.get(), qtype="ordering" if n % 2 else "matching")
    made = []
    for partial in (False, True):
        exam = exam_for(path, item_count=16, partial_credit=partial, title=f"placements, partial {partial}")
        attempt = services.start_attempt(exam=exam, student=student, now=timezone.now())
        every_kind_of_placement(attempt)
        made.append(attempt)
    return made


def test_sql_and_python_score_ordering_and_matching_alike(placement_attempts):
    for attempt in placement_attempts:
        python = python_item_scores(attempt)
        assert any(0 < score < 1 for score in python.values()) == attempt.exam.partial_credit
        assert sql_item_scores(attempt) == pytest.approx(python)


def test_old_integer_option_ids_score_alike(attempts):
    attempt = attempts[1]
    for item in attempt.items.all():
        for option in item.snapshot["options"]:
            option["id"] = option["choice_id"]  # as attempts stored them before ids became opaque
        item.save(update_fields=["snapshot"])
    every_kind_of_answer(attempt)

    assert sql_item_scores(attempt) == pytest.approx(python_item_scores(attempt))


def test_batch_grading_stores_what_the_python_scorer_computes(attempts):
    expected = {
        a.pk: grading.compute_result(Attempt.objects.select_related("exam__path").get(pk=a.pk))
        for a in attempts
    }

    graded = grading.grade_attempts(attempt_ids=[a.pk for a in attempts])

    assert graded == sorted(expected)
    for attempt_id, result in expected.items():
        stored = Attempt.objects.get(pk=attempt_id)
        assert stored.state == AttemptState.GRADED
        assert (
            stored.raw_score,
            stored.max_score,
            stored.score_percent,
            stored.scaled_score,
            stored.passed,
        ) == (
            result.raw_score,
            result.max_score,
            result.percent,
            result.scaled_score,
            result.passed,
        )
        assert stored.item_scores == pytest.approx(result.item_scores)
        domains = {
            (d.domain_id, d.score, d.total) for d in DomainResult.objects.filter(attempt_id=attempt_id)
        }
        assert domains == {(d.domain_id, d.score, d.total) for d in result.domains}


def submitted_attempts(count: int) -> list[Attempt]:
    path = path_with_domains()
    bank_for(path, per_domain=5)
    exam = exam_for(path, item_count=8)
    made = []
    for n in range(count):
        student = UserFactory()
        attempt = services.start_attempt(exam=exam, student=student, now=timezone.now())
        answer_all(attempt, student, right=(8 - n) % 9)  # every batch has a pass (a certificate)
        made.append(services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now()))
    return made


def statements_to_grade(attempts: list[Attempt]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert len(grading.grade_attempts(attempt_ids=[attempts[0].pk], also_waiting=len(attempts))) == len(
            attempts
        )
    return len(queries)


def test_a_batch_costs_the_same_statements_whatever_its_size(db):
    small = statements_to_grade(submitted_attempts(2))
    large = statements_to_grade(submitted_attempts(7))

    # the named attempt's lock and the waiting ones', their exams, the scoring, the attempts' and
    # their domains' writes, the certificates read and written; four savepoint statements
    assert small == large == 12


def test_a_grading_task_grades_the_other_waiting_attempts_too(db, settings):
    settings.GRADING_BATCH_SIZE = 3
    first, *others = submitted_attempts(4)

    assert tasks.grade_attempt(first.pk) == 3

    states = dict(Attempt.objects.values_list("pk", "state"))
    assert [states[a.pk] for a in (first, *others)].count(AttemptState.GRADED) == 3
    assert tasks.grade_attempt(others[-1].pk) == 1  # the one left over, graded by its own task


def test_an_attempt_that_cannot_be_scored_does_not_hold_up_the_one_named(db):
    named, broken = submitted_attempts(2)
    Exam.objects.filter(pk=broken.exam_id).update(partial_credit=True)
    item = broken.items.get(position=8)  # answered wrongly, so the rule reads how many to choose
    item.snapshot["choose"] = "two"  # a malformed snapshot: the batch's statement fails on it
    item.save(update_fields=["snapshot"])

    assert grading.grade_attempts(attempt_ids=[named.pk], also_waiting=5) == [named.pk]

    assert Attempt.objects.get(pk=broken.pk).state == AttemptState.SUBMITTED


def test_grading_writes_no_item_row(db):
    (attempt,) = submitted_attempts(1)
    item_rows = "SELECT xmin::text FROM quizzes_attemptitem WHERE attempt_id = %s ORDER BY position"
    with connection.cursor() as cursor:
        cursor.execute(item_rows, [attempt.pk])
        before = cursor.fetchall()

        grading.grade_attempts(attempt_ids=[attempt.pk])

        cursor.execute(item_rows, [attempt.pk])
        assert cursor.fetchall() == before  # each score is kept on the attempt's row (item_scores)
    assert len(Attempt.objects.get(pk=attempt.pk).item_scores) == 8


def test_graded_and_open_attempts_are_left_alone(db):
    graded, open_attempt = submitted_attempts(2)
    grading.grade_attempts(attempt_ids=[graded.pk])
    Attempt.objects.filter(pk=open_attempt.pk).update(state=AttemptState.IN_PROGRESS)
    before = Attempt.objects.get(pk=graded.pk)

    assert grading.grade_attempts(attempt_ids=[graded.pk, open_attempt.pk], also_waiting=5) == []

    after = Attempt.objects.get(pk=graded.pk)
    assert (after.graded_at, after.score_percent) == (before.graded_at, before.score_percent)
    assert Attempt.objects.get(pk=open_attempt.pk).state == AttemptState.IN_PROGRESS
