"""Starting, saving and submitting attempts against the real database."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from unittest.mock import patch

import pytest
from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from courses.models import PathStatus
from quizzes import services
from quizzes.exceptions import (
    AttemptClosed,
    AttemptLimitReached,
    AttemptNotFound,
    BankTooSmall,
    CooldownActive,
    ExamNotAvailable,
    InvalidAnswer,
)
from quizzes.models import (
    Answer,
    Attempt,
    AttemptState,
    Exam,
    Question,
    QuestionStatus,
    QuestionType,
    SubmittedBy,
)
from quizzes.scoring import OptionId
from tests.factories import UserFactory
from tests.quizzes.delivery import add_question, bank_for, exam_for, path_with_domains

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def path():
    path = path_with_domains()
    bank_for(path, per_domain=25)
    return path


def test_start_draws_items_to_the_blueprint_weights(path, student):
    exam = exam_for(path, item_count=65)

    attempt = services.start_attempt(exam=exam, student=student, now=NOW)

    per_domain = Counter(attempt.items.values_list("domain__position", flat=True))
    assert per_domain == {1: 16, 2: 19, 3: 22, 4: 8}
    assert attempt.item_count == 65
    assert attempt.deadline == NOW + dt.timedelta(minutes=30)


def test_start_draws_only_active_questions(student):
    path = path_with_domains((100,))
    bank = bank_for(path, per_domain=3)
    domain = path.domains.get()
    for status in (QuestionStatus.DRAFT, QuestionStatus.RETIRED):
        add_question(bank, domain, status=status)

    attempt = services.start_attempt(exam=exam_for(path, item_count=3), student=student, now=NOW)

    assert set(attempt.items.values_list("question__status", flat=True)) == {QuestionStatus.ACTIVE}


def test_the_same_seed_draws_the_same_items_in_the_same_order(path):
    exam = exam_for(path, item_count=10)
    first = services.start_attempt(exam=exam, student=UserFactory(), now=NOW, seed=42)
    second = services.start_attempt(exam=exam, student=UserFactory(), now=NOW, seed=42)

    def shown(attempt: Attempt) -> list[tuple[int, list[OptionId]]]:
        return [(i.question_id, i.option_ids) for i in attempt.items.order_by("position")]

    assert shown(first) == shown(second)


def test_a_bank_too_small_for_a_domain_is_refused_naming_the_domain(student):
    path = path_with_domains((50, 50))
    bank = bank_for(path, per_domain=0)
    first, second = path.domains.order_by("position")
    for _ in range(10):
        add_question(bank, first)
    for _ in range(2):
        add_question(bank, second)

    with pytest.raises(BankTooSmall, match="'Domain 2' needs 5 active items and the bank has 2"):
        services.start_attempt(exam=exam_for(path, item_count=10), student=student, now=NOW)
    assert not Attempt.objects.exists()


def test_an_open_attempt_is_resumed_instead_of_starting_another(path, student):
    exam = exam_for(path)
    first = services.start_attempt(exam=exam, student=student, now=NOW)

    again = services.start_attempt(exam=exam, student=student, now=NOW + dt.timedelta(minutes=1))

    assert again.pk == first.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_yield_one_attempt(student):
    path = path_with_domains()
    bank_for(path, per_domain=10)
    exam = exam_for(path)
    results: list[int] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            results.append(services.start_attempt(exam=exam, student=student, now=timezone.now()).pk)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(set(results)) == 1
    assert Attempt.objects.filter(exam=exam, student=student).count() == 1


def test_retired_paths_cannot_start_new_exams(student):
    path = path_with_domains(status=PathStatus.RETIRED, retired_on=dt.date(2026, 3, 31))
    bank_for(path, per_domain=5)

    with pytest.raises(ExamNotAvailable, match="is retired: no new exam can be started"):
        services.start_attempt(exam=exam_for(path, item_count=4), student=student, now=NOW)


def test_attempt_limit(path, student):
    exam = exam_for(path, item_count=4, max_attempts=1)
    attempt = services.start_attempt(exam=exam, student=student, now=NOW)
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=NOW)

    with pytest.raises(AttemptLimitReached, match="all 1 attempts"):
        services.start_attempt(exam=exam, student=student, now=NOW)


def test_cooldown_between_attempts(path, student):
    exam = exam_for(path, item_count=4, cooldown_minutes=60)
    attempt = services.start_attempt(exam=exam, student=student, now=NOW)
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=NOW)

    with pytest.raises(CooldownActive, match="13:00 UTC"):
        services.start_attempt(exam=exam, student=student, now=NOW + dt.timedelta(minutes=59))
    assert services.start_attempt(exam=exam, student=student, now=NOW + dt.timedelta(minutes=61))


@pytest.fixture
def attempt(path, student):
    return services.start_attempt(exam=exam_for(path, item_count=8), student=student, now=NOW)


def first_item(attempt: Attempt):
    return attempt.items.get(position=1)


def test_save_stores_the_selection(attempt, student):
    item = first_item(attempt)

    result = services.save_item_state(
        attempt_id=attempt.pk, student=student, position=1, seq=1, now=NOW, selected=[item.option_ids[2]]
    )

    item.refresh_from_db()
    assert result.stale is False
    assert item.answer.selected == [item.option_ids[2]]


def test_an_older_save_arriving_late_never_overwrites_a_newer_one(attempt, student):
    item = first_item(attempt)
    newer, older = item.option_ids[0], item.option_ids[1]
    services.save_item_state(
        attempt_id=attempt.pk, student=student, position=1, seq=5, now=NOW, selected=[newer]
    )

    result = services.save_item_state(
        attempt_id=attempt.pk, student=student, position=1, seq=4, now=NOW, selected=[older]
    )

    item.refresh_from_db()
    assert result.stale is True
    assert item.answer.selected == [newer]


def test_flag_and_current_item_are_remembered(attempt, student):
    services.save_item_state(attempt_id=attempt.pk, student=student, position=3, seq=1, now=NOW, flagged=True)

    attempt = Attempt.objects.with_current_position().get(pk=attempt.pk)
    assert attempt.current_position == 3
    assert attempt.items.get(position=3).flagged is True


def test_an_option_of_another_item_is_refused(attempt, student):
    other = attempt.items.get(position=2).option_ids[0]

    with pytest.raises(InvalidAnswer, match=f"Option {other} is not an option of item 1"):
        services.save_item_state(
            attempt_id=attempt.pk, student=student, position=1, seq=1, now=NOW, selected=[other]
        )


def test_an_item_not_in_the_attempt_is_refused(attempt, student):
    with pytest.raises(InvalidAnswer, match="no item 99"):
        services.save_item_state(
            attempt_id=attempt.pk, student=student, position=99, seq=1, now=NOW, selected=[]
        )


def test_more_choices_than_asked_are_refused(student):
    path = path_with_domains((100,))
    bank = bank_for(path, per_domain=0)
    add_question(bank, path.domains.get(), qtype=QuestionType.MULTIPLE, choose=2)
    attempt = services.start_attempt(exam=exam_for(path, item_count=1), student=student, now=NOW)
    item = first_item(attempt)

    with pytest.raises(InvalidAnswer, match="choose 2; 3 were sent"):
        services.save_item_state(
            attempt_id=attempt.pk, student=student, position=1, seq=1, now=NOW, selected=item.option_ids[:3]
        )
    assert not Answer.objects.filter(item=item).exists()


def test_another_students_attempt_reads_as_missing(attempt):
    with pytest.raises(AttemptNotFound):
        services.save_item_state(
            attempt_id=attempt.pk, student=UserFactory(), position=1, seq=1, now=NOW, selected=[]
        )


def test_saves_after_submit_are_refused_and_nothing_changes(attempt, student):
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=NOW)
    item = first_item(attempt)

    with pytest.raises(AttemptClosed, match="submitted"):
        services.save_item_state(
            attempt_id=attempt.pk, student=student, position=1, seq=1, now=NOW, selected=[item.option_ids[0]]
        )
    assert not Answer.objects.filter(item=item).exists()


def test_saves_within_the_grace_after_the_deadline_are_accepted(attempt, student, settings):
    settings.EXAM_GRACE_SECONDS = 15
    late = attempt.deadline + dt.timedelta(seconds=10)

    result = services.save_item_state(
        attempt_id=attempt.pk, student=student, position=1, seq=1, now=late, selected=[]
    )

    assert result.stale is False


def test_saves_after_the_deadline_and_grace_are_refused(attempt, student, settings):
    settings.EXAM_GRACE_SECONDS = 15
    too_late = attempt.deadline + dt.timedelta(seconds=16)

    with pytest.raises(AttemptClosed, match="Time is up"):
        services.save_item_state(
            attempt_id=attempt.pk, student=student, position=1, seq=1, now=too_late, selected=[]
        )


def test_submit_is_idempotent(attempt, student):
    first = services.submit_attempt(attempt_id=attempt.pk, student=student, now=NOW)
    second = services.submit_attempt(
        attempt_id=attempt.pk, student=student, now=NOW + dt.timedelta(minutes=5)
    )

    assert first.state == second.state == AttemptState.SUBMITTED
    assert second.submitted_at == NOW


def test_a_late_submit_counts_at_the_deadline(attempt, student):
    late = attempt.deadline + dt.timedelta(seconds=5)

    submitted = services.submit_attempt(attempt_id=attempt.pk, student=student, now=late)

    assert submitted.finished_at == attempt.deadline
    assert submitted.submitted_by == SubmittedBy.TIMER


def test_a_submit_before_the_deadline_is_the_students(attempt, student):
    submitted = services.submit_attempt(attempt_id=attempt.pk, student=student, now=NOW)

    assert submitted.submitted_by == SubmittedBy.STUDENT


def test_the_pages_timer_submit_just_before_the_deadline_is_the_timers(attempt, student):
    a_second_early = attempt.deadline - dt.timedelta(seconds=1)

    submitted = services.submit_attempt(
        attempt_id=attempt.pk, student=student, now=a_second_early, by_timer=True
    )

    assert submitted.submitted_by == SubmittedBy.TIMER


def test_a_timer_submit_long_before_the_deadline_counts_as_the_students(attempt, student):
    submitted = services.submit_attempt(attempt_id=attempt.pk, student=student, now=NOW, by_timer=True)

    assert submitted.submitted_by == SubmittedBy.STUDENT


def test_check_answer_is_only_for_practice_mode(attempt, student):
    with pytest.raises(InvalidAnswer, match="after you submit"):
        services.save_item_state(
            attempt_id=attempt.pk, student=student, position=1, seq=1, now=NOW, check=True
        )


def test_practice_mode_check_returns_feedback_and_freezes_the_answer(path, student):
    attempt = services.start_attempt(
        exam=exam_for(path, item_count=4, mode="practice"), student=student, now=NOW
    )
    item = first_item(attempt)
    services.save_item_state(
        attempt_id=attempt.pk, student=student, position=1, seq=1, now=NOW, selected=[item.option_ids[0]]
    )

    result = services.save_item_state(
        attempt_id=attempt.pk, student=student, position=1, seq=2, now=NOW, check=True
    )

    assert result.feedback is not None
    assert result.feedback["correct_ids"] == sorted(item.key)
    with pytest.raises(InvalidAnswer, match="already checked"):
        services.save_item_state(
            attempt_id=attempt.pk, student=student, position=1, seq=3, now=NOW, selected=[item.option_ids[1]]
        )


@pytest.mark.django_db(transaction=True)
def test_a_save_racing_a_submit_waits_for_it_and_is_then_refused(path, student):
    attempt = services.start_attempt(exam=exam_for(path, item_count=8), student=student, now=NOW)
    option = attempt.items.get(position=1).option_ids[0]
    outcome: list[object] = []

    def save() -> None:
        try:
            services.save_item_state(
                attempt_id=attempt.pk, student=student, position=1, seq=1, now=NOW, selected=[option]
            )
        except AttemptClosed as error:
            outcome.append(error)
        finally:
            close_old_connections()

    with transaction.atomic():  # what a submit does: lock the attempt, change its state
        Attempt.objects.select_for_update().get(pk=attempt.pk)
        Attempt.objects.filter(pk=attempt.pk).update(state=AttemptState.SUBMITTED)
        saver = threading.Thread(target=save)
        saver.start()
        saver.join(timeout=1)
        assert saver.is_alive()  # the save waits for the submit's lock
    saver.join(timeout=10)

    assert len(outcome) == 1
    assert isinstance(outcome[0], AttemptClosed)
    assert not Answer.objects.filter(item__attempt=attempt).exists()


def render_the_bank(path) -> None:
    Question.objects.filter(bank__path=path).render()


@pytest.mark.parametrize("item_count", [5, 40])
def test_starting_an_attempt_is_five_statements_whatever_the_exam_length(
    path, item_count, django_assert_num_queries
):
    render_the_bank(path)
    exam = Exam.objects.select_related("path", "owner").get(pk=exam_for(path, item_count=item_count).pk)
    student = UserFactory()

    # the student's history at this exam, the domains, the bank, the enrollment, the attempt with
    # its items: no transaction control either
    with django_assert_num_queries(5):
        attempt = services.start_attempt(exam=exam, student=student, now=NOW)

    assert attempt.items.count() == item_count


def test_a_question_is_rendered_once_per_revision_not_once_per_attempt(path):
    render_the_bank(path)

    with patch("quizzes.models.banks.render_markdown") as render:
        services.start_attempt(exam=exam_for(path, item_count=40), student=UserFactory(), now=NOW)

    render.assert_not_called()


def test_a_new_revision_is_rendered_at_its_next_draw(path):
    render_the_bank(path)
    Question.objects.filter(bank__path=path).update(stem="Edited stem", revision=F("revision") + 1)

    attempt = services.start_attempt(exam=exam_for(path, item_count=5), student=UserFactory(), now=NOW)

    assert {item.snapshot["stem_html"] for item in attempt.items.all()} == {"<p>Edited stem</p>"}
