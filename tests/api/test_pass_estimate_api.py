"""The pass estimate and its trend in /api/v1/progress/."""

from __future__ import annotations

import pytest

from tests.quizzes.delivery import bank_for, exam_for, path_with_domains
from tests.quizzes.test_dashboard import sit

pytestmark = pytest.mark.django_db


def test_progress_carries_the_estimate_with_its_range_and_the_trend(api_client, student):
    path = path_with_domains((50, 50), pass_mark=700, score_max=1000)
    bank_for(path, per_domain=10)  # the exam draws the whole bank every time
    exam = exam_for(path, item_count=20)
    sit(student, exam, right=20)
    sit(student, exam, right=20)
    api_client.force_authenticate(student)

    (row,) = api_client.get("/api/v1/progress/").json()["paths"]

    estimate = row["estimate"]
    assert estimate["enough_data"] is True
    assert estimate["answers"] == 20  # the second sitting saw the same questions: not counted again
    assert estimate["low"] <= estimate["probability"] <= estimate["high"]
    assert estimate["cut_percent"] == 70.0
    assert [d["total"] for d in estimate["domains"]] == [10, 10]
    assert [p["answers"] for p in row["trend"]] == [20]


def test_only_the_first_graded_answer_to_a_question_counts(api_client, student):
    path = path_with_domains((50, 50))
    bank_for(path, per_domain=10)  # the exam draws the whole bank every time
    exam = exam_for(path, item_count=20)
    sit(student, exam, right=0)
    sit(student, exam, right=20)  # the same questions again, all right: memory, not readiness
    api_client.force_authenticate(student)

    (row,) = api_client.get("/api/v1/progress/").json()["paths"]

    assert [(d["correct"], d["total"]) for d in row["estimate"]["domains"]] == [(0.0, 10), (0.0, 10)]
    assert row["estimate"]["probability"] < 0.01


def test_before_enough_new_questions_the_estimate_says_so(api_client, student):
    path = path_with_domains((50, 50))
    bank_for(path, per_domain=2)
    sit(student, exam_for(path, item_count=4), right=2)
    api_client.force_authenticate(student)

    (row,) = api_client.get("/api/v1/progress/").json()["paths"]

    assert row["estimate"]["enough_data"] is False
    assert row["estimate"]["probability"] is None
    assert (row["estimate"]["answers"], row["estimate"]["needed"]) == (4, 20)
    assert row["trend"] == [{**row["trend"][0], "probability": None}]
