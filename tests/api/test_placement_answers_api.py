"""Ordering and matching items over the API: targets in the public item, placements saved or refused."""

from __future__ import annotations

from typing import Any

import pytest

from quizzes.models import Attempt, AttemptItem, QuestionType, ReviewPolicy
from tests.api.support import World, start, submit_and_grade
from tests.factories import QuestionBankFactory
from tests.quizzes.delivery import add_question, exam_for, path_with_domains

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(world: World) -> Attempt:
    path = path_with_domains((100,), code="PLC-C01")
    bank = QuestionBankFactory.create(path=path, slug="placement-api-bank")
    add_question(bank, path.domains.get(), qtype=QuestionType.ORDERING)
    add_question(bank, path.domains.get(), qtype=QuestionType.MATCHING)
    exam = exam_for(path, item_count=2, title="Placement exam", review_policy=ReviewPolicy.FULL)
    return start(exam, world.student)


def item_of(attempt: Attempt, qtype: str) -> AttemptItem:
    return next(item for item in attempt.items.all() if item.snapshot["qtype"] == qtype)


def save(world: World, attempt: Attempt, body: dict[str, Any]) -> Any:
    return world.client("student").post(f"/api/v1/attempts/{attempt.pk}/answers/", body, format="json")


def test_a_placement_item_lists_its_targets_and_no_key(world: World, attempt: Attempt):
    body = world.client("student").get(f"/api/v1/attempts/{attempt.pk}/").json()

    ordering = next(item for item in body["items"] if item["qtype"] == "ordering")
    assert [t["id"] for t in ordering["targets"]] == ["1", "2", "3", "4"]
    assert all(set(option) == {"id", "text_html"} for item in body["items"] for option in item["options"])
    for secret in ("key", "Why Step", "choice_id"):
        assert secret not in str(body)


def test_the_right_placements_are_saved_and_graded_correct(world: World, attempt: Attempt):
    for qtype in ("ordering", "matching"):
        item = item_of(attempt, qtype)
        response = save(world, attempt, {"position": item.position, "seq": 1, "selected": sorted(item.key)})
        assert response.status_code == 200
        assert sorted(response.json()["selected"]) == sorted(item.key)

    result = world.client("student").get(f"/api/v1/attempts/{submit_and_grade(attempt).pk}/result/").json()

    assert result["raw_score"] == 2.0
    assert all(item["correct"] and item["targets"] for item in result["items"])


@pytest.mark.parametrize("token", ["0123456789abcdef@", "0123456789abcdef@0", "@1", "0123456789abcdef@1@2"])
def test_a_malformed_placement_gets_400_with_a_clear_message(world: World, attempt: Attempt, token: str):
    response = save(world, attempt, {"position": 1, "seq": 1, "selected": [token]})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert '"<option id>@<target id>"' in str(response.json()["errors"]["selected"])


def test_two_steps_at_one_position_get_400_and_nothing_is_saved(world: World, attempt: Attempt):
    item = item_of(attempt, "ordering")
    first, second = item.option_ids[:2]

    response = save(
        world, attempt, {"position": item.position, "seq": 1, "selected": [f"{first}@1", f"{second}@1"]}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_answer"
    assert response.json()["message"] == f"Item {item.position} puts two steps at one position."
    assert not AttemptItem.objects.filter(pk=item.pk, answer__isnull=False).exists()


def test_a_plain_option_id_gets_400_on_a_matching_item(world: World, attempt: Attempt):
    item = item_of(attempt, "matching")

    response = save(world, attempt, {"position": item.position, "seq": 1, "selected": item.option_ids[:1]})

    assert (response.status_code, response.json()["code"]) == (400, "invalid_answer")
    assert "is not a placement of item" in response.json()["message"]
