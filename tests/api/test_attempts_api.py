"""Attempts over the API: start, save, submit, result, with the same rules as the exam page, and no
key, explanation or rationale in any response before a graded result whose policy shows them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from courses.models import PathStatus
from quizzes import grading
from quizzes.models import Attempt, AttemptItem, AttemptState, ExamMode, ReviewPolicy
from tests.api.support import World, key_leaks, start, submit_and_grade
from tests.quizzes.delivery import exam_for, path_with_domains

pytestmark = pytest.mark.django_db


def items(attempt: Attempt) -> list[AttemptItem]:
    return list(attempt.items.order_by("position"))


def save(world: World, body: dict[str, Any], actor: str = "student", attempt: Attempt | None = None) -> Any:
    attempt = attempt or world.attempt
    return world.client(actor).post(f"/api/v1/attempts/{attempt.pk}/answers/", body, format="json")


def test_start_answers_201_then_200_with_the_same_open_attempt(world: World):
    client = world.client("instructor")

    first = client.post(f"/api/v1/exams/{world.exam.pk}/attempts/", {}, format="json")
    again = client.post(f"/api/v1/exams/{world.exam.pk}/attempts/", format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    body = first.json()
    assert body["state"] == "in_progress"
    assert len(body["items"]) == 4
    assert set(body["items"][0]) == {
        "position",
        "domain",
        "qtype",
        "choose",
        "stem_html",
        "case_study",
        "options",
        "selected",
        "seq",
        "flagged",
    }
    assert set(body["items"][0]["options"][0]) == {"id", "text_html"}


def test_a_new_attempt_reads_back_exactly_as_starting_answered(world: World):
    client = world.client("instructor")

    started = client.post(f"/api/v1/exams/{world.exam.pk}/attempts/", {}, format="json").json()
    read_back = client.get(f"/api/v1/attempts/{started['id']}/").json()

    assert started | {"remaining_seconds": None} == read_back | {"remaining_seconds": None}


def test_no_response_before_the_graded_result_carries_the_key(world: World):
    exam = exam_for(world.path, title="Practice mode", item_count=3, mode=ExamMode.PRACTICE)
    client = world.client("student")
    bodies = []

    started = client.post(f"/api/v1/exams/{exam.pk}/attempts/", {}, format="json")
    attempt = Attempt.objects.get(pk=started.json()["id"])
    first, second = items(attempt)[:2]
    wrong_item_option = second.option_ids[0]
    bodies += [
        started,
        client.post(f"/api/v1/exams/{exam.pk}/attempts/", {}, format="json"),
        save(
            world,
            {"position": 1, "seq": 1, "selected": [first.option_ids[0]], "flagged": True},
            attempt=attempt,
        ),
        save(world, {"position": 1, "seq": 1, "selected": [first.option_ids[1]]}, attempt=attempt),  # stale
        save(world, {"position": 1, "seq": 2, "selected": [wrong_item_option]}, attempt=attempt),  # 400
        save(world, {"position": 1, "seq": 3, "selected": [1], "check": True}, attempt=attempt),  # 400
        client.get(f"/api/v1/attempts/{attempt.pk}/"),
        client.get("/api/v1/attempts/"),
        client.get(f"/api/v1/attempts/{attempt.pk}/result/"),  # 409
        client.get("/api/v1/progress/"),
        client.get(f"/api/v1/exams/{exam.pk}/"),
        client.post(f"/api/v1/attempts/{attempt.pk}/submit/", {}, format="json"),
        client.get(f"/api/v1/attempts/{attempt.pk}/result/"),  # 202: submitted, not graded yet
        client.get(f"/api/v1/attempts/{attempt.pk}/"),
    ]

    assert [b.status_code for b in bodies] == [
        201,
        200,
        200,
        200,
        400,
        400,
        200,
        200,
        409,
        200,
        200,
        202,
        202,
        200,
    ]
    for response in bodies:
        assert key_leaks(response.content.decode()) == [], response.content


def test_the_result_shows_what_the_review_policy_allows(world: World):
    policies = {}
    for policy in ReviewPolicy:
        exam = exam_for(world.path, title=f"Policy {policy}", item_count=2, review_policy=policy)
        attempt = start(exam, world.student)
        first = items(attempt)[0]
        save(world, {"position": 1, "seq": 1, "selected": sorted(first.key)}, attempt=attempt)
        submit_and_grade(attempt)
        response = world.client("student").get(f"/api/v1/attempts/{attempt.pk}/result/")
        assert response.status_code == 200
        policies[policy] = response.json()

    full, answers = policies[ReviewPolicy.FULL], policies[ReviewPolicy.ANSWERS_ONLY]
    score = policies[ReviewPolicy.SCORE_ONLY]
    assert full["score_percent"] == answers["score_percent"] == score["score_percent"] == 50.0
    assert [d["total"] for d in full["domains"]] == [1, 1]
    assert full["items"][0]["correct"] is True
    assert full["items"][0]["correct_ids"]
    assert full["items"][0]["explanation_html"]
    assert {"is_correct", "rationale_html"} <= set(full["items"][0]["options"][0])
    assert [i["correct"] for i in answers["items"]] == [True, False]
    assert key_leaks(json.dumps(answers)) == []
    assert score["items"] is None
    assert key_leaks(json.dumps(score)) == []


def test_a_stale_save_is_acknowledged_and_changes_nothing(world: World):
    first = items(world.attempt)[0]
    save(world, {"position": 1, "seq": 5, "selected": [first.option_ids[0]]})

    late = save(world, {"position": 1, "seq": 4, "selected": [first.option_ids[1]]})

    assert late.status_code == 200
    assert late.json() == {
        "saved": False,
        "stale": True,
        "position": 1,
        "seq": 5,
        "selected": [first.option_ids[0]],
        "flagged": False,
        "feedback": None,
    }


def test_saves_after_the_submit_are_refused_with_409(world: World):
    world.client("student").post(f"/api/v1/attempts/{world.attempt.pk}/submit/", {}, format="json")

    response = save(world, {"position": 1, "seq": 1})

    assert response.status_code == 409
    assert response.json()["code"] == "attempt_closed"


def test_saves_after_the_deadline_and_grace_are_refused_with_409(world: World):
    Attempt.objects.filter(pk=world.attempt.pk).update(deadline=timezone.now() - dt.timedelta(minutes=5))

    response = save(world, {"position": 1, "seq": 1})

    assert response.status_code == 409
    assert response.json()["code"] == "attempt_closed"


@pytest.mark.parametrize(
    ("make_body", "message"),
    [
        (lambda first, second: {"position": 99, "seq": 1}, "This attempt has no item 99."),
        (
            lambda first, second: {"position": 1, "seq": 1, "selected": [second.option_ids[0]]},
            "is not an option of item 1",
        ),
        (
            lambda first, second: {"position": 1, "seq": 1, "selected": first.option_ids[: first.choose + 1]},
            "were sent",
        ),
    ],
    ids=["no such position", "option of another item", "too many options"],
)
def test_invalid_answers_are_400_invalid_answer(world: World, make_body: Any, message: str):
    first, second = items(world.attempt)[:2]

    response = save(world, make_body(first, second))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_answer"
    assert message in response.json()["message"]
    assert not world.attempt.items.filter(answer__isnull=False).exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"position", "seq"}),
        ({"position": "one", "seq": 1}, {"position"}),
        ({"position": 1, "seq": 0}, {"seq"}),
        ({"position": 1, "seq": 2**63}, {"seq"}),
        ({"position": 0, "seq": 1}, {"position"}),
        ({"position": 1, "seq": 1, "selected": "1"}, {"selected"}),
        ({"position": 1, "seq": 1, "selected": [None]}, {"selected"}),
        ({"position": 1, "seq": 1, "selected": [0]}, {"selected"}),
        ({"position": 1, "seq": 1, "flagged": "perhaps"}, {"flagged"}),
        ({"position": 1, "seq": 1, "flagged": None}, {"flagged"}),
        ({"position": 1, "seq": 1, "check": "maybe"}, {"check"}),
        ([1, 2], {"non_field_errors"}),
    ],
)
def test_malformed_answers_get_400_with_field_errors(world: World, body: Any, fields: set[str]):
    response = save(world, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["errors"]) == fields


def test_bodies_that_are_not_json_are_refused(world: World):
    client = world.client("student")
    url = f"/api/v1/attempts/{world.attempt.pk}/answers/"

    broken = client.post(url, data="{not json", content_type="application/json")
    form = client.post(url, {"position": 1, "seq": 1})  # multipart form

    assert (broken.status_code, broken.json()["code"]) == (400, "parse_error")
    assert (form.status_code, form.json()["code"]) == (415, "unsupported_media_type")


def test_submitting_twice_answers_202_with_the_state_both_times(
    world: World, grading_queue: list[int], django_capture_on_commit_callbacks: Any
):
    client = world.client("student")
    url = f"/api/v1/attempts/{world.attempt.pk}/submit/"

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {}, format="json")
        second = client.post(url, {}, format="json")

    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json()["state"] == second.json()["state"] == "submitted"
    assert first.json()["result_url"].endswith(f"/api/v1/attempts/{world.attempt.pk}/result/")
    assert grading_queue == [world.attempt.pk]  # queued once, after the commit


def test_a_submit_by_the_pages_timer_at_the_deadline_is_recorded_as_the_timers(world: World):
    Attempt.objects.filter(pk=world.attempt.pk).update(deadline=timezone.now() + dt.timedelta(seconds=2))

    response = world.client("student").post(
        f"/api/v1/attempts/{world.attempt.pk}/submit/", {"by": "timer"}, format="json"
    )

    assert (response.status_code, response.json()["submitted_by"]) == (202, "timer")


def test_a_submit_names_only_the_student_or_the_timer(world: World):
    response = world.client("student").post(
        f"/api/v1/attempts/{world.attempt.pk}/submit/", {"by": "sweeper"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert Attempt.objects.get(pk=world.attempt.pk).state == "in_progress"


def test_the_result_is_202_while_grading_and_200_once_graded(world: World):
    client = world.client("student")
    client.post(f"/api/v1/attempts/{world.attempt.pk}/submit/", {}, format="json")

    grading_now = client.get(f"/api/v1/attempts/{world.attempt.pk}/result/")
    grading.grade_attempt(attempt_id=world.attempt.pk)
    graded = client.get(f"/api/v1/attempts/{world.attempt.pk}/result/")

    assert (grading_now.status_code, grading_now.json()["state"]) == (202, "submitted")
    assert (graded.status_code, graded.json()["state"]) == (200, "graded")


def test_an_attempt_past_its_deadline_but_not_yet_swept_reports_202(world: World):
    Attempt.objects.filter(pk=world.attempt.pk).update(deadline=timezone.now() - dt.timedelta(minutes=5))

    response = world.client("student").get(f"/api/v1/attempts/{world.attempt.pk}/result/")

    assert (response.status_code, response.json()["state"]) == (202, AttemptState.IN_PROGRESS)


def test_start_refusals_are_409_with_the_domain_code(world: World):
    client = world.client("student")
    limited = exam_for(world.path, title="Once", item_count=2, max_attempts=1)
    submit_and_grade(start(limited, world.student))
    too_big = exam_for(world.path, title="Too big", item_count=40)
    retired = path_with_domains(
        (100,), code="OLD-C01", status=PathStatus.RETIRED, retired_on=dt.date(2024, 1, 1)
    )
    no_blueprint = path_with_domains((), code="NOB-C01")

    codes = [
        client.post(f"/api/v1/exams/{exam.pk}/attempts/", {}, format="json").json()["code"]
        for exam in (limited, too_big, exam_for(retired, title="Old"), exam_for(no_blueprint, title="Empty"))
    ]

    assert codes == ["attempt_limit_reached", "bank_too_small", "exam_not_available", "exam_not_available"]


def test_attempts_are_listed_newest_first_on_cursor_pages(world: World):
    for n in range(3):
        start(exam_for(world.path, title=f"Exam {n}", item_count=1), world.student)
    client = world.client("student")

    first = client.get("/api/v1/attempts/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    ids = [a["id"] for a in first["results"] + second["results"]]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 4
    assert "count" not in first
    assert client.get("/api/v1/attempts/", {"state": "graded"}).json()["results"] == []
    assert len(client.get("/api/v1/attempts/", {"exam": world.exam.pk}).json()["results"]) == 1


def test_checking_a_practice_answer_makes_it_final_and_returns_the_feedback(world: World):
    exam = exam_for(world.path, title="Practice check", item_count=3, mode=ExamMode.PRACTICE)
    attempt = start(exam, world.student)
    first = items(attempt)[0]
    body = {"position": 1, "seq": 1, "selected": [first.option_ids[0]], "check": True}

    checked = save(world, body, attempt=attempt)
    changed = save(world, {"position": 1, "seq": 2, "selected": [first.option_ids[1]]}, attempt=attempt)

    assert checked.status_code == 200
    assert checked.json()["feedback"]["correct_ids"] == sorted(first.key)
    assert changed.status_code == 400
    assert "already checked" in changed.json()["message"]


def test_check_is_refused_outside_practice_mode(world: World):
    first = items(world.attempt)[0]

    response = save(world, {"position": 1, "seq": 1, "selected": [first.option_ids[0]], "check": True})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_answer"
