"""Courses, lessons and exams as a REST client reads them."""

from __future__ import annotations

import pytest

from tests.api.support import World
from tests.factories import LessonProgressFactory

pytestmark = pytest.mark.django_db


def test_a_course_lists_its_modules_and_lessons_with_the_callers_completions(world: World):
    LessonProgressFactory(student=world.student, lesson=world.lesson)

    body = world.client("student").get(f"/api/v1/courses/{world.course.slug}/").json()
    anonymous = world.client(None).get(f"/api/v1/courses/{world.course.slug}/").json()

    assert (body["path"], body["status"], body["lesson_count"]) == (world.path.code, "published", 2)
    lessons = body["modules"][0]["lessons"]
    assert [lesson["completed"] for lesson in lessons] == [True, False]
    assert [lesson["completed"] for lesson in anonymous["modules"][0]["lessons"]] == [False, False]


def test_a_lesson_carries_its_sanitized_html(world: World):
    body = world.client(None).get(f"/api/v1/lessons/{world.lesson.pk}/").json()

    assert body["body_html"] == "<p>Study <strong>this</strong>.</p>"
    assert body["course"] == world.course.slug


def test_courses_filter_by_path_code_in_any_case(world: World):
    body = world.client(None).get("/api/v1/courses/", {"path": world.other_path.code.lower()}).json()

    assert [c["slug"] for c in body["results"]] == [world.other_course.slug]


def test_an_exam_shows_its_blueprint(world: World):
    body = world.client("student").get(f"/api/v1/exams/{world.exam.pk}/").json()

    assert body["blueprint"] == [
        {"domain_id": d.pk, "name": d.name, "items": n}
        for d, n in zip(world.path.domains.order_by("position"), [2, 2], strict=True)
    ]
    assert (body["is_own"], body["review_policy"], body["path"]) == (False, "full", world.path.code)


def test_exams_filter_by_path_and_kind(world: World):
    client = world.client("student")

    practice = client.get("/api/v1/exams/", {"kind": "practice"}).json()["results"]
    other_path = client.get("/api/v1/exams/", {"path": world.other_path.code}).json()["results"]

    assert [e["id"] for e in practice] == [world.practice_set.pk]
    assert practice[0]["is_own"] is True
    assert other_path == []


def test_a_practice_set_over_chosen_domains_draws_only_from_them(world: World):
    first = world.path.domains.order_by("position")[0]
    client = world.client("student")

    created = client.post(
        "/api/v1/exams/",
        {"path": world.path.code, "item_count": 3, "domains": [first.pk], "mode": "exam"},
        format="json",
    )
    started = client.post(f"/api/v1/exams/{created.json()['id']}/attempts/", {}, format="json")

    assert created.status_code == 201
    assert created.json()["domains"] == [{"id": first.pk, "name": first.name, "position": 1}]
    assert {item["domain"] for item in started.json()["items"]} == {first.name}
