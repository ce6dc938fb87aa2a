"""Item analysis: statistics checked against values worked out by hand, computed incrementally."""

from __future__ import annotations

import math
import statistics

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.roles import Role
from quizzes import grading, item_stats, services
from quizzes.models import Attempt, ItemStats, Question
from tests.factories import QuestionBankFactory, UserFactory
from tests.quizzes.delivery import add_question, exam_for, path_with_domains

pytestmark = pytest.mark.django_db

# Who got which of the three questions right (1) or wrong (0). Attempt totals: 2, 1, 2, 3, 1.
PATTERNS = [(1, 1, 0), (1, 0, 0), (0, 1, 1), (1, 1, 1), (0, 0, 1)]


def hand_r(item: list[int], totals: list[int]) -> float:
    """Pearson r of the item score with the rest score (total minus the item), by the textbook formula."""
    rest = [t - x for x, t in zip(item, totals, strict=True)]
    mx, my = sum(item) / len(item), sum(rest) / len(rest)
    sxy = sum((x - mx) * (y - my) for x, y in zip(item, rest, strict=True))
    return sxy / math.sqrt(sum((x - mx) ** 2 for x in item) * sum((y - my) ** 2 for y in rest))


@pytest.fixture
def questions(db) -> list[Question]:
    path = path_with_domains((100,))
    bank = QuestionBankFactory.create(
        path=path, slug="stats-bank", owners=[UserFactory(role=Role.INSTRUCTOR)]
    )
    return [add_question(bank, path.domains.get()) for _ in range(3)]


def sit(questions: list[Question], pattern: tuple[int, ...], times: tuple[int, ...] = (0, 0, 0)) -> Attempt:
    """One student sits the three questions: the key where pattern says 1, the first wrong option else.

    times: the milliseconds the page reports on each question (0: none reported).
    """
    student = UserFactory()
    exam = exam_for(questions[0].bank.path, item_count=3, title="Stats exam")
    attempt = services.start_attempt(exam=exam, student=student, now=timezone.now())
    for item in attempt.items.all():
        n = [q.pk for q in questions].index(item.question_id)
        right = pattern[n]
        wanted = [c.pk for c in item.question.choices.order_by("position") if c.is_correct == bool(right)][:1]
        ids = [o["id"] for o in item.snapshot["options"] if o["choice_id"] in wanted]
        services.save_item_state(
            attempt_id=attempt.pk,
            student=student,
            position=item.position,
            seq=1,
            now=timezone.now(),
            selected=ids,
            spent_ms=times[n],
        )
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())
    grading.grade_attempt(attempt_id=attempt.pk)
    return attempt


# Milliseconds on each question per attempt; question 2's fourth answer reported none, question 3's none.
TIMES = [(30_000, 12_000, 0), (45_000, 20_000, 0), (61_000, 9_000, 0), (90_000, 0, 0), (15_000, 16_000, 0)]


@pytest.fixture
def sat(questions) -> list[Attempt]:
    return [sit(questions, pattern, times) for pattern, times in zip(PATTERNS, TIMES, strict=True)]


def test_difficulty_and_discrimination_match_the_hand_computation(questions, sat, settings):
    settings.ITEM_STATS_MIN_RESPONSES = 5

    assert item_stats.compute_item_stats() == 3

    totals = [sum(p) for p in PATTERNS]
    for n, question in enumerate(questions):
        stats = ItemStats.objects.get(question=question, revision=question.revision)
        column = [p[n] for p in PATTERNS]
        assert (stats.responses, stats.answered) == (5, 5)
        assert stats.difficulty == pytest.approx(0.6)
        assert stats.discrimination == pytest.approx(hand_r(column, totals))
    # Worked by hand: question 1 rest scores 1, 0, 2, 2, 1 -> r = -0.6 / sqrt(1.2 x 2.8) = -0.327.
    assert ItemStats.objects.get(question=questions[0]).discrimination == pytest.approx(-0.32733, abs=1e-5)
    assert ItemStats.objects.get(question=questions[1]).discrimination == pytest.approx(0.40825, abs=1e-5)


def test_median_time_on_item_is_over_the_answers_that_reported_a_time(questions, sat):
    item_stats.compute_item_stats()

    medians = [ItemStats.objects.get(question=q).median_time_ms for q in questions]
    by_hand = [statistics.median(t[n] for t in TIMES if t[n]) for n in (0, 1)]
    assert by_hand == [45_000, 14_000]  # question 2: 9, 12, 16, 20 s -> (12 + 16) / 2
    assert medians == [by_hand[0], by_hand[1], None]


def test_median_time_on_item_moves_with_the_next_run(questions, sat):
    item_stats.compute_item_stats()

    sit(questions, (1, 1, 1), (100_000, 100_000, 7_000))
    item_stats.compute_item_stats()

    medians = [ItemStats.objects.get(question=q).median_time_ms for q in questions]
    assert medians == [
        statistics.median([30_000, 45_000, 61_000, 90_000, 15_000, 100_000]),  # 53 s
        statistics.median([12_000, 20_000, 9_000, 16_000, 100_000]),  # 16 s
        7_000,
    ]


def test_option_counts_are_by_choice(questions, sat):
    item_stats.compute_item_stats()

    stats = ItemStats.objects.get(question=questions[0])
    choices = list(questions[0].choices.order_by("position"))
    key = next(c for c in choices if c.is_correct)
    first_wrong = next(c for c in choices if not c.is_correct)
    assert stats.option_counts == {str(key.pk): 3, str(first_wrong.pk): 2}


def test_negative_discrimination_is_dubious_only_with_enough_responses(questions, sat, settings):
    settings.ITEM_STATS_MIN_RESPONSES = 6
    item_stats.compute_item_stats()
    assert not ItemStats.objects.filter(dubious=True).exists()

    settings.ITEM_STATS_MIN_RESPONSES = 5
    item_stats.compute_item_stats(full=True)

    dubious = dict(ItemStats.objects.filter(dubious=True).values_list("question_id", "dubious_reason"))
    assert dubious == {questions[0].pk: "negative discrimination", questions[2].pk: "negative discrimination"}


def test_items_outside_the_difficulty_band_are_dubious(questions, sat, settings):
    settings.ITEM_STATS_MIN_RESPONSES = 5
    settings.ITEM_STATS_HARD_BELOW = 0.7  # p = 0.6 is now too hard

    item_stats.compute_item_stats()

    assert ItemStats.objects.get(question=questions[1]).dubious_reason == "too hard"


def test_a_run_recomputes_only_revisions_graded_since_the_last(questions, sat):
    item_stats.compute_item_stats()
    assert item_stats.compute_item_stats() == 0

    sit(questions, (1, 1, 1))

    assert item_stats.compute_item_stats() == 3
    assert set(ItemStats.objects.values_list("responses", flat=True)) == {6}


def test_each_revision_has_its_own_statistics(questions, sat):
    item_stats.compute_item_stats()
    Question.objects.filter(pk=questions[0].pk).update(revision=2, rendered_revision=0)

    sit(questions, (1, 1, 1))
    item_stats.compute_item_stats()

    assert sorted(ItemStats.objects.filter(question=questions[0]).values_list("revision", "responses")) == [
        (1, 5),
        (2, 1),
    ]


def statements_for_a_run(questions: list[Question], attempts: int) -> int:
    for _ in range(attempts):
        sit(questions, (1, 0, 1))
    with CaptureQueriesContext(connection) as queries:
        item_stats.compute_item_stats(full=True)
    return len(queries)


def test_a_run_costs_the_same_statements_whatever_the_volume(questions):
    assert statements_for_a_run(questions, 1) == statements_for_a_run(questions, 6)


# --- Where instructors read them --------------------------------------------------------------

URL = "/api/v1/banks/stats-bank/item-stats/"


def test_the_banks_owner_reads_its_item_statistics_over_the_api(questions, sat, client, settings):
    settings.ITEM_STATS_MIN_RESPONSES = 5
    item_stats.compute_item_stats()
    client.force_login(questions[0].bank.owners.get())

    response = client.get(URL)

    assert response.status_code == 200
    rows = {row["question"]: row for row in response.json()["results"]}
    first = rows[questions[0].pk]
    assert (first["responses"], first["difficulty"], first["dubious"], first["current"]) == (
        5,
        0.6,
        True,
        True,
    )
    assert first["discrimination"] == pytest.approx(-0.32733, abs=1e-5)
    assert first["median_time_ms"] == 45_000
    dubious = client.get(URL, {"dubious": "true"}).json()["results"]
    assert {row["question"] for row in dubious} == {questions[0].pk, questions[2].pk}


@pytest.mark.parametrize(("who", "status"), [("other instructor", 404), ("student", 403), ("staff", 200)])
def test_only_the_owner_and_staff_read_a_banks_item_statistics(questions, sat, client, who, status):
    user = {
        "other instructor": lambda: UserFactory(role=Role.INSTRUCTOR),
        "student": lambda: UserFactory(role=Role.STUDENT),
        "staff": lambda: UserFactory(is_staff=True, is_superuser=True),
    }[who]()
    client.force_login(user)

    assert client.get(URL).status_code == status


def test_the_admin_question_list_shows_the_statistics_and_filters_the_dubious(
    questions, sat, client, settings
):
    settings.ITEM_STATS_MIN_RESPONSES = 5
    item_stats.compute_item_stats()
    client.force_login(questions[0].bank.owners.get())

    response = client.get("/admin/quizzes/question/", {"analysis": "dubious"})

    assert response.status_code == 200
    listed = {q.pk for q in response.context["cl"].result_list}
    assert listed == {questions[0].pk, questions[2].pk}
    assert "negative discrimination" in response.text
    assert "-0.33" in response.text
    assert "45 s" in response.text  # question 1's median time on item
