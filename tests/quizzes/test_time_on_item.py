"""Time on item: each save adds what the page reports (bounded) to the answer, in the same statement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from quizzes import services
from quizzes.models import Answer, Attempt
from tests.factories import UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def attempt() -> Attempt:
    path = path_with_domains((100,))
    bank_for(path, per_domain=4)
    exam = exam_for(path, item_count=3, minutes=None)
    return services.start_attempt(exam=exam, student=UserFactory(), now=NOW)


def save(attempt: Attempt, *, seq: int, spent_ms: int, option: int = 0, **fields: Any) -> services.SaveResult:
    item = attempt.items.get(position=1)
    return services.save_item_state(
        attempt_id=attempt.pk,
        student=attempt.student,
        position=1,
        seq=seq,
        now=NOW,
        selected=[item.option_ids[option]],
        spent_ms=spent_ms,
        **fields,
    )


def time_on_item(attempt: Attempt) -> int:
    return Answer.objects.get(item__attempt=attempt, item__position=1).time_ms


def test_the_time_each_save_reports_adds_up(attempt):
    save(attempt, seq=1, spent_ms=20_000)
    save(attempt, seq=2, spent_ms=5_500, option=1)

    assert time_on_item(attempt) == 25_500


def test_a_stale_or_repeated_save_adds_no_time(attempt):
    save(attempt, seq=2, spent_ms=20_000)

    result = save(attempt, seq=2, spent_ms=20_000)  # a retry of a save that was stored

    assert result.stale
    assert time_on_item(attempt) == 20_000


def test_one_save_adds_at_most_ten_minutes(attempt):
    save(attempt, seq=1, spent_ms=3 * 60 * 60 * 1000)  # a tab left open for three hours

    assert time_on_item(attempt) == Answer.SAVE_TIME_MAX_MS == 600_000


def test_a_save_through_the_locked_path_adds_its_time_too(attempt):
    save(attempt, seq=1, spent_ms=1_000)

    save(attempt, seq=2, spent_ms=2_000, flagged=True)  # a flag with the selection: not the one statement

    assert time_on_item(attempt) == 3_000


def test_the_api_takes_spent_ms_with_a_save_and_refuses_a_negative_one(attempt):
    client = APIClient()
    client.force_authenticate(attempt.student)
    url = f"/api/v1/attempts/{attempt.pk}/answers/"
    option = attempt.items.get(position=1).option_ids[0]

    ok = client.post(url, {"position": 1, "seq": 1, "selected": [option], "spent_ms": 42_000}, format="json")
    bad = client.post(url, {"position": 1, "seq": 2, "selected": [option], "spent_ms": -1}, format="json")

    assert ok.status_code == 200
    assert time_on_item(attempt) == 42_000
    assert bad.status_code == 400
    assert "spent_ms" in bad.content.decode()
