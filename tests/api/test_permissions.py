"""Who may do what: every endpoint and method for two students, two instructors, staff and anonymous.

`student` owns the objects under test (enrollment, attempt, practice set); `instructor` owns the
courses of the student's path, `other_instructor` the course of another path. `student` studied
`instructor`'s course, `other_student` studied `other_instructor`'s (and is enrolled in both paths).
Another student's objects read as missing (404) whatever the method, and lists never show foreign
rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from courses.models import Lesson
from quizzes import services
from quizzes.models import ExamMode
from tests.api.support import World, start
from tests.factories import LessonProgressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def studied(world: World) -> None:
    """Each student studied one instructor's course: that is what shows them to its owner."""
    LessonProgressFactory(student=world.student, lesson=world.lesson)
    other_lesson = Lesson.objects.filter(module__course=world.other_course).first()
    LessonProgressFactory(student=world.other_student, lesson=other_lesson)


# The owner goes last: some of its requests change the world (DELETE, submit).
ACTORS = (None, "other_student", "instructor", "other_instructor", "staff", "student")
EVERYONE = dict.fromkeys(ACTORS, 200)


def signed_in(status: int, **overrides: int) -> dict[str | None, int]:
    expected: dict[str | None, int] = {None: 401, **dict.fromkeys(ACTORS[1:], status)}
    expected.update(overrides)
    return expected


OWNER_ONLY = signed_in(404, student=200)
DRAFT_READERS = {**dict.fromkeys(ACTORS, 404), "instructor": 200, "staff": 200}
COHORT_READERS = signed_in(404, instructor=200, staff=200)

Request = Callable[[World], tuple[str, str, dict[str, Any] | None]]

MATRIX: list[tuple[str, Request, dict[str | None, int]]] = [
    ("catalog list", lambda w: ("get", "/api/v1/paths/", None), EVERYONE),
    ("catalog detail", lambda w: ("get", f"/api/v1/paths/{w.path.code}/", None), EVERYONE),
    ("course list", lambda w: ("get", "/api/v1/courses/", None), EVERYONE),
    ("published course", lambda w: ("get", f"/api/v1/courses/{w.course.slug}/", None), EVERYONE),
    ("draft course", lambda w: ("get", f"/api/v1/courses/{w.draft.slug}/", None), DRAFT_READERS),
    ("published lesson", lambda w: ("get", f"/api/v1/lessons/{w.lesson.pk}/", None), EVERYONE),
    ("draft lesson", lambda w: ("get", f"/api/v1/lessons/{w.draft_lesson.pk}/", None), DRAFT_READERS),
    (
        "complete a published lesson",
        lambda w: ("post", f"/api/v1/lessons/{w.lesson.pk}/complete/", {}),
        signed_in(200),
    ),
    (
        "complete a draft lesson",
        lambda w: ("post", f"/api/v1/lessons/{w.draft_lesson.pk}/complete/", {}),
        signed_in(404, instructor=200, staff=200),
    ),
    ("enrollment list", lambda w: ("get", "/api/v1/enrollments/", None), signed_in(200)),
    (
        "enroll",
        lambda w: ("post", "/api/v1/enrollments/", {"path": w.other_path.code}),
        signed_in(201, other_student=200),  # other_student is already enrolled there
    ),
    ("enrollment detail", lambda w: ("get", f"/api/v1/enrollments/{w.enrollment.pk}/", None), OWNER_ONLY),
    (
        "unenroll",
        lambda w: ("delete", f"/api/v1/enrollments/{w.enrollment.pk}/", None),
        signed_in(404, student=204),
    ),
    ("exam list", lambda w: ("get", "/api/v1/exams/", None), signed_in(200)),
    ("shared exam", lambda w: ("get", f"/api/v1/exams/{w.exam.pk}/", None), signed_in(200)),
    (
        "own practice set",
        lambda w: ("get", f"/api/v1/exams/{w.practice_set.pk}/", None),
        signed_in(404, student=200, staff=200),
    ),
    (
        "start a practice set",
        lambda w: ("post", f"/api/v1/exams/{w.practice_set.pk}/attempts/", {}),
        # staff may read it, but only its owner may sit it (quizzes.services refuses: 409)
        signed_in(404, student=201, staff=409),
    ),
    (
        "start a shared exam",
        lambda w: ("post", f"/api/v1/exams/{w.exam.pk}/attempts/", {}),
        signed_in(201, student=200, other_student=200),  # both have one open already
    ),
    (
        "create a practice set",
        lambda w: ("post", "/api/v1/exams/", {"path": w.path.code, "item_count": 2}),
        signed_in(201),
    ),
    ("attempt list", lambda w: ("get", "/api/v1/attempts/", None), signed_in(200)),
    ("attempt detail", lambda w: ("get", f"/api/v1/attempts/{w.attempt.pk}/", None), OWNER_ONLY),
    (
        "save an answer",
        lambda w: ("post", f"/api/v1/attempts/{w.attempt.pk}/answers/", {"position": 1, "seq": 1}),
        OWNER_ONLY,
    ),
    (
        "submit",
        lambda w: ("post", f"/api/v1/attempts/{w.attempt.pk}/submit/", {}),
        signed_in(404, student=202),
    ),
    (
        "result of an open attempt",
        lambda w: ("get", f"/api/v1/attempts/{w.attempt.pk}/result/", None),
        signed_in(404, student=409),
    ),
    ("own progress", lambda w: ("get", "/api/v1/progress/", None), signed_in(200)),
    (
        "a student's progress by username",
        lambda w: ("get", f"/api/v1/progress/?student={w.student.username}", None),
        signed_in(404, student=200, instructor=200, staff=200),
    ),
    (
        "a student's progress by id",
        lambda w: ("get", f"/api/v1/progress/?student={w.student.pk}", None),
        signed_in(404, student=200, instructor=200, staff=200),
    ),
    (
        "progress of a student of the path who studied another instructor's course",
        lambda w: ("get", f"/api/v1/progress/?student={w.other_student.username}", None),
        signed_in(404, other_student=200, other_instructor=200, staff=200),
    ),
    ("own attempt history", lambda w: ("get", "/api/v1/progress/history/", None), signed_in(200)),
    (
        "a student's attempt history",
        lambda w: ("get", f"/api/v1/progress/history/?student={w.student.username}", None),
        signed_in(404, student=200, instructor=200, staff=200),
    ),
    (
        "attempt history of a student of the path who studied another instructor's course",
        lambda w: ("get", f"/api/v1/progress/history/?student={w.other_student.username}", None),
        signed_in(404, other_student=200, other_instructor=200, staff=200),
    ),
    ("cohort", lambda w: ("get", f"/api/v1/courses/{w.course.slug}/cohort/", None), COHORT_READERS),
    ("cohort CSV", lambda w: ("get", f"/api/v1/courses/{w.course.slug}/cohort.csv", None), COHORT_READERS),
    (
        "cohort as ?format=csv",
        lambda w: ("get", f"/api/v1/courses/{w.course.slug}/cohort/?format=csv", None),
        COHORT_READERS,
    ),
    (
        "another instructor's cohort",
        lambda w: ("get", f"/api/v1/courses/{w.other_course.slug}/cohort/", None),
        signed_in(404, other_instructor=200, staff=200),
    ),
    ("revoke a token", lambda w: ("delete", "/api/v1/auth/token/", None), signed_in(204)),
    ("revoke all tokens", lambda w: ("delete", "/api/v1/auth/tokens/", None), signed_in(204)),
    ("schema", lambda w: ("get", "/api/v1/schema/", None), EVERYONE),
]


@pytest.mark.parametrize(
    ("request_for", "expected"), [(r, e) for _, r, e in MATRIX], ids=[n for n, _, _ in MATRIX]
)
def test_who_may_call_each_endpoint(world: World, request_for: Request, expected: dict[str | None, int]):
    method, url, body = request_for(world)
    got = {}
    for actor in ACTORS:
        response = getattr(world.client(actor), method)(url, body, format="json")
        got[actor] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()) >= {"code", "message", "errors"}, (actor, response.content)

    assert got == expected


# --- Lists never show foreign rows ----------------------------------------------------------------


def _results(world: World, actor: str, url: str) -> list[dict[str, Any]]:
    response = world.client(actor).get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("actor", ACTORS[1:])
def test_enrollment_and_attempt_lists_hold_only_the_callers_rows(world: World, actor: str):
    user = getattr(world, actor)
    start(world.exam, user)  # everyone has an attempt now

    enrollments = {row["id"] for row in _results(world, actor, "/api/v1/enrollments/")}
    attempts = {row["id"] for row in _results(world, actor, "/api/v1/attempts/")}

    assert enrollments == set(user.enrollments.values_list("id", flat=True))
    assert attempts == set(user.attempts.values_list("id", flat=True))
    assert attempts  # not vacuous


@pytest.mark.parametrize("actor", ["student", "other_student", "instructor"])
def test_exam_lists_hold_shared_exams_and_the_callers_own_practice_sets(world: World, actor: str):
    others_set = services.create_practice_set(
        path=world.path, owner=world.other_student, domains=[], item_count=2, minutes=None, mode=ExamMode.EXAM
    )
    instructors_set = services.create_practice_set(
        path=world.path, owner=world.instructor, domains=[], item_count=2, minutes=None, mode=ExamMode.EXAM
    )
    own = {"student": world.practice_set.pk, "other_student": others_set.pk, "instructor": instructors_set.pk}

    listed = {row["id"] for row in _results(world, actor, "/api/v1/exams/")}

    # An instructor holds is_staff for the admin; their practice set is still theirs alone.
    assert listed == {world.exam.pk, own[actor]}


def test_staff_list_every_exam(world: World):
    listed = {row["id"] for row in _results(world, "staff", "/api/v1/exams/")}

    assert listed == {world.exam.pk, world.practice_set.pk}


@pytest.mark.parametrize(
    ("actor", "drafts"),
    [(None, False), ("student", False), ("other_instructor", False), ("instructor", True)],
)
def test_course_lists_show_drafts_to_their_owners_only(world: World, actor: str | None, drafts: bool):
    slugs = {row["slug"] for row in world.client(actor).get("/api/v1/courses/").json()["results"]}

    assert slugs == {world.course.slug, world.other_course.slug} | ({world.draft.slug} if drafts else set())


def test_a_cohort_lists_only_the_students_who_studied_the_owners_courses(world: World):
    mine = _results(world, "instructor", f"/api/v1/courses/{world.course.slug}/cohort/")
    theirs = _results(world, "other_instructor", f"/api/v1/courses/{world.other_course.slug}/cohort/")
    every = _results(world, "staff", f"/api/v1/courses/{world.course.slug}/cohort/")

    assert {row["student"]["username"] for row in mine} == {"ada"}  # bob is enrolled, but studied elsewhere
    assert {row["student"]["username"] for row in theirs} == {"bob"}
    assert {row["student"]["username"] for row in every} == {"ada", "bob"}


def test_an_instructor_sees_only_the_paths_they_teach_in_a_students_progress(world: World):
    body = world.client("other_instructor").get("/api/v1/progress/", {"student": "bob"}).json()

    assert body["student"]["username"] == "bob"
    assert [p["path"] for p in body["paths"]] == [world.other_path.code]


# --- Another student's object reads exactly like a missing one, for every method --------------------

OBJECT_URLS: list[tuple[str, Callable[[World], int], str]] = [
    ("attempt", lambda w: w.attempt.pk, "/api/v1/attempts/{}/"),
    ("attempt answers", lambda w: w.attempt.pk, "/api/v1/attempts/{}/answers/"),
    ("attempt submit", lambda w: w.attempt.pk, "/api/v1/attempts/{}/submit/"),
    ("attempt result", lambda w: w.attempt.pk, "/api/v1/attempts/{}/result/"),
    ("enrollment", lambda w: w.enrollment.pk, "/api/v1/enrollments/{}/"),
    ("practice set", lambda w: w.practice_set.pk, "/api/v1/exams/{}/"),
    ("practice set start", lambda w: w.practice_set.pk, "/api/v1/exams/{}/attempts/"),
]
BODIES = {"put": {"state": "graded"}, "patch": {"state": "graded"}}


@pytest.mark.parametrize(
    ("pk_of", "template"), [(p, t) for _, p, t in OBJECT_URLS], ids=[n for n, _, _ in OBJECT_URLS]
)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_another_students_object_reads_as_missing(
    world: World, pk_of: Callable[[World], int], template: str, method: str
):
    client = world.client("other_student")
    body = BODIES.get(method, {"position": 1, "seq": 5} if "answers" in template else {})

    foreign = getattr(client, method)(template.format(pk_of(world)), body, format="json")
    missing = getattr(client, method)(template.format(987654321), body, format="json")

    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())
    assert foreign.status_code in (404, 405)
    world.attempt.refresh_from_db()
    assert world.attempt.state == "in_progress"
    assert not world.attempt.items.filter(answer__isnull=False).exists()
