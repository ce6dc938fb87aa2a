"""Case-study items over the API: the public snapshot carries the scenario, never a key."""

from __future__ import annotations

import pytest

from quizzes.models import Attempt, Question, QuestionBank
from tests.api.support import World, key_leaks, submit_and_grade
from tests.factories import CaseStudyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_world(world: World) -> World:
    """The shared exam's bank with every question in one case study."""
    bank = QuestionBank.objects.get(path=world.path)
    case = CaseStudyFactory(bank=bank, name="lumen", title="Lumen Labs", scenario="Lumen runs *one* region.")
    Question.objects.filter(bank=bank).update(case_study=case, revision=2)
    return world


def test_an_item_of_a_case_study_carries_its_title_and_scenario(case_world: World):
    client = case_world.client("instructor")

    body = client.post(f"/api/v1/exams/{case_world.exam.pk}/attempts/", {}, format="json").json()

    assert body["items"][0]["case_study"] == {
        "name": "lumen",
        "title": "Lumen Labs",
        "scenario_html": "<p>Lumen runs <em>one</em> region.</p>",
    }
    assert key_leaks(str(body)) == []


def test_an_item_without_a_case_study_says_null(world: World):
    body = (
        world.client("instructor").post(f"/api/v1/exams/{world.exam.pk}/attempts/", {}, format="json").json()
    )

    assert [item["case_study"] for item in body["items"]] == [None] * len(body["items"])


def test_the_result_shows_the_scenario_the_student_saw(case_world: World):
    client = case_world.client("instructor")
    started = client.post(f"/api/v1/exams/{case_world.exam.pk}/attempts/", {}, format="json").json()

    submit_and_grade(Attempt.objects.get(pk=started["id"]))

    result = client.get(f"/api/v1/attempts/{started['id']}/result/").json()

    assert {item["case_study"]["title"] for item in result["items"]} == {"Lumen Labs"}
