"""Progress for REST clients: lessons, attempts, domain mastery, readiness, incremental pulls, cohorts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from core.roles import Role
from courses.models import Enrollment, ExamDomain, LessonProgress
from quizzes.models import AttemptState, Exam
from quizzes.readiness import READINESS_WINDOW, RecentResult, readiness
from quizzes.selectors.progress import changed_after
from tests.api.support import World, at
from tests.factories import (
    AttemptFactory,
    DomainResultFactory,
    EnrollmentFactory,
    LessonProgressFactory,
    UserFactory,
)
from tests.quizzes.delivery import exam_for

# --- Readiness, pure -------------------------------------------------------------------------------


def _domain(pk: int, weight: int | None) -> ExamDomain:
    return ExamDomain(pk=pk, name=f"D{pk}", position=pk, weight_percent=weight)


def test_readiness_is_the_blueprint_weighted_mean_of_domain_mastery():
    domains = [_domain(1, 60), _domain(2, 40)]

    mastery, ready = readiness(
        domains, {1: (7.0, 8), 2: (3.0, 4)}, [RecentResult(1, 80.0, 70), RecentResult(2, 90.0, 75)]
    )

    assert [m.mastery_percent for m in mastery] == [87.5, 75.0]
    assert (ready.percent, ready.pass_percent, ready.ready, ready.coverage_percent) == (82.5, 75, True, 100.0)


def test_a_domain_without_results_counts_as_zero():
    mastery, ready = readiness([_domain(1, 60), _domain(2, 40)], {1: (4.0, 4)}, [RecentResult(1, 100.0, 70)])

    assert [m.mastery_percent for m in mastery] == [100.0, None]
    assert (ready.percent, ready.ready, ready.coverage_percent) == (60.0, False, 60.0)


def test_without_published_weights_every_domain_weighs_the_same():
    _, ready = readiness(
        [_domain(1, None), _domain(2, None)], {1: (1.0, 1), 2: (1.0, 2)}, [RecentResult(1, 75.0, 70)]
    )

    assert ready.percent == 75.0


def test_before_any_graded_attempt_there_is_no_readiness():
    _, ready = readiness([_domain(1, 100)], {}, [])

    assert (ready.percent, ready.ready, ready.pass_percent, ready.attempts_considered) == (
        None,
        False,
        None,
        0,
    )


# --- Own progress ------------------------------------------------------------------------------------


def graded(
    exam: Exam, student: Any, finished: dt.datetime, score: float, results: dict[int, tuple[float, int]]
):
    attempt = AttemptFactory(
        exam=exam,
        student=student,
        state=AttemptState.GRADED,
        started_at=finished - dt.timedelta(minutes=30),
        submitted_at=finished,
        finished_at=finished,
        graded_at=finished + dt.timedelta(seconds=5),
        score_percent=score,
    )
    for domain_id, (points, total) in results.items():
        DomainResultFactory(attempt=attempt, domain_id=domain_id, score=points, total=total)
    return attempt


def progress_of(world: World, actor: str = "student", **params: Any) -> dict[str, Any]:
    response = world.client(actor).get("/api/v1/progress/", params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_progress_reports_lessons_attempts_mastery_and_readiness(world: World):
    d1, d2 = world.path.domains.order_by("position")
    graded(world.exam, world.student, at(1), 60.0, {d1.pk: (3, 4), d2.pk: (1, 2)})
    graded(world.exam, world.student, at(2), 100.0, {d1.pk: (4, 4), d2.pk: (2, 2)})
    LessonProgressFactory(student=world.student, lesson=world.lesson)
    LessonProgressFactory(student=world.student, lesson=world.draft_lesson)  # a draft course: not counted

    body = progress_of(world)

    assert body["student"] == {"id": world.student.pk, "username": "ada"}
    (path,) = body["paths"]
    assert path["path"] == world.path.code
    assert (path["lessons_completed"], path["lessons_total"], path["percent"]) == (1, 2, 50.0)
    assert [c["slug"] for c in path["courses"]] == [world.course.slug]
    assert path["attempts"]["count"] == 3  # two graded and the open one
    assert (path["attempts"]["graded"], path["attempts"]["in_progress"]) == (2, 1)
    assert (path["attempts"]["best_score_percent"], path["attempts"]["last_score_percent"]) == (100.0, 100.0)
    assert [d["mastery_percent"] for d in path["domains"]] == [87.5, 75.0]
    assert path["readiness"] == {
        "percent": 82.5,
        "ready": True,
        "pass_percent": 70,
        "attempts_considered": 2,
        "window": READINESS_WINDOW,
        "coverage_percent": 100.0,
    }


@pytest.mark.django_db
def test_readiness_counts_only_the_last_graded_attempts(world: World):
    d1, d2 = world.path.domains.order_by("position")
    graded(world.exam, world.student, at(0), 0.0, {d1.pk: (0, 10), d2.pk: (0, 10)})  # falls out of the window
    for hour in range(1, READINESS_WINDOW + 1):
        graded(world.exam, world.student, at(hour), 100.0 - hour, {d1.pk: (2, 2), d2.pk: (1, 1)})

    path = progress_of(world)["paths"][0]

    assert path["readiness"]["attempts_considered"] == READINESS_WINDOW
    assert path["readiness"]["percent"] == 100.0
    assert path["attempts"]["last_score_percent"] == 100.0 - READINESS_WINDOW


@pytest.mark.django_db
def test_the_ready_flag_needs_the_highest_pass_percent_in_the_window(world: World):
    d1, d2 = world.path.domains.order_by("position")
    strict = exam_for(world.path, title="Strict", pass_percent=90)
    graded(world.exam, world.student, at(1), 80.0, {d1.pk: (4, 5), d2.pk: (4, 5)})
    graded(strict, world.student, at(2), 80.0, {d1.pk: (4, 5), d2.pk: (4, 5)})

    ready = progress_of(world)["paths"][0]["readiness"]

    assert (ready["percent"], ready["pass_percent"], ready["ready"]) == (80.0, 90, False)


@pytest.mark.django_db
def test_progress_says_how_fresh_it_is(world: World):
    before = timezone.now()
    body = progress_of(world)

    as_of = dt.datetime.fromisoformat(body["as_of"].replace("Z", "+00:00"))
    assert before <= as_of <= timezone.now()
    assert body["updated_since"] is None


@pytest.fixture
def learner(world: World) -> Any:
    """A student with history at known times: enrolled in both paths at hour 0."""
    learner: Any = UserFactory(username="lea", role=Role.STUDENT)
    for path in (world.path, world.other_path):
        EnrollmentFactory(student=learner, path=path)
    Enrollment.objects.filter(student=learner).update(created_at=at(0))
    return learner


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("since", "paths"),
    [
        (at(-1), ["API-C01", "API-C02"]),  # enrolled after it
        (at(2), ["API-C01", "API-C02"]),  # a lesson at hour 3, an attempt graded at hour 5
        (at(4), ["API-C02"]),
        (at(5) + dt.timedelta(seconds=30), ["API-C02"]),  # the 60-second look-back covers writes in flight
        (at(6), []),
    ],
)
def test_updated_since_returns_only_the_paths_that_changed(
    world: World, learner: Any, since: dt.datetime, paths: list[str]
):
    LessonProgressFactory(student=learner, lesson=world.lesson, completed_at=at(3))
    other_exam = exam_for(world.other_path, title="Other")
    graded(other_exam, learner, at(5), 50.0, {})
    client = world.client("staff")

    body = client.get("/api/v1/progress/", {"student": "lea", "updated_since": since.isoformat()}).json()

    assert [p["path"] for p in body["paths"]] == paths
    assert body["updated_since"] == since.isoformat().replace("+00:00", "Z")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "status", "fields"),
    [
        ({"updated_since": "yesterday"}, 400, {"updated_since"}),
        ({"updated_since": "0001-01-01T00:00:00+14:00"}, 400, {"updated_since"}),
        ({"student": "nobody"}, 404, set()),
        ({"student": "9" * 40}, 404, set()),
        ({"student": "x" * 151}, 400, {"student"}),
    ],
)
def test_bad_progress_queries_are_4xx(world: World, params: dict[str, str], status: int, fields: set[str]):
    response = world.client("staff").get("/api/v1/progress/", params)

    assert response.status_code == status
    assert set(response.json()["errors"]) == fields


@pytest.mark.django_db
def test_an_updated_since_at_the_dawn_of_time_returns_everything(world: World):
    body = progress_of(world, updated_since="0001-01-01T00:00:00Z")

    assert [p["path"] for p in body["paths"]] == [world.path.code]


@pytest.mark.django_db
def test_a_lesson_completed_through_the_api_shows_in_progress(world: World):
    client = world.client("student")

    done = client.post(f"/api/v1/lessons/{world.lesson.pk}/complete/", {}, format="json")
    again = client.post(f"/api/v1/lessons/{world.lesson.pk}/complete/", {}, format="json")

    assert done.json() == again.json()
    assert progress_of(world)["paths"][0]["lessons_completed"] == 1
    assert LessonProgress.objects.filter(student=world.student).count() == 1


# --- Cohorts ---------------------------------------------------------------------------------------


@pytest.fixture
def cohort(world: World) -> list[Any]:
    """Five more students of the course, enrolled at hours 1..5, each with a lesson done then."""
    students = []
    for n in range(1, 6):
        student: Any = UserFactory(username=f"-cohort{n}" if n == 5 else f"cohort{n}", role=Role.STUDENT)
        EnrollmentFactory(student=student, path=world.path)
        Enrollment.objects.filter(student=student).update(created_at=at(n))
        LessonProgressFactory(student=student, lesson=world.lesson, completed_at=at(n))
        students.append(student)
    Enrollment.objects.filter(student__in=[world.student, world.other_student]).update(created_at=at(0))
    for student in (world.student, world.other_student):  # they studied the course too, at hour 0
        LessonProgressFactory(student=student, lesson=world.lesson, completed_at=at(0))
    return students


@pytest.mark.django_db
def test_a_cohort_comes_in_cursor_pages_oldest_enrollment_first(world: World, cohort: list[Any]):
    client = world.client("instructor")
    url: str | None = f"/api/v1/courses/{world.course.slug}/cohort/?page_size=3"
    names, pages = [], 0
    while url:
        body = client.get(url).json()
        assert "as_of" in body
        names += [row["student"]["username"] for row in body["results"]]
        url, pages = body["next"], pages + 1

    assert pages == 3
    assert names == ["ada", "bob", "cohort1", "cohort2", "cohort3", "cohort4", "-cohort5"]


@pytest.mark.django_db
def test_a_cohort_row_holds_the_course_lessons_and_the_path_attempts(world: World, cohort: list[Any]):
    rows = world.client("instructor").get(f"/api/v1/courses/{world.course.slug}/cohort/").json()["results"]

    row = next(r for r in rows if r["student"]["username"] == "cohort1")
    assert (row["lessons"]["lessons_completed"], row["lessons"]["lessons_total"]) == (1, 2)
    ada = next(r for r in rows if r["student"]["username"] == "ada")
    assert (ada["attempts"]["count"], ada["attempts"]["in_progress"]) == (1, 1)


@pytest.mark.django_db
def test_a_cohort_filtered_by_updated_since_holds_only_the_changed_students(world: World, cohort: list[Any]):
    Enrollment.objects.filter(student__in=[world.student, world.other_student]).update(created_at=at(0))
    world.attempt.__class__.objects.filter(student__in=[world.student, world.other_student]).update(
        started_at=at(0)
    )

    rows = (
        world.client("instructor")
        .get(f"/api/v1/courses/{world.course.slug}/cohort/", {"updated_since": at(3.05).isoformat()})
        .json()["results"]
    )

    assert [r["student"]["username"] for r in rows] == ["cohort4", "-cohort5"]


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.django_db
def test_the_cohort_csv_has_every_student_and_cannot_run_formulas(world: World, cohort: list[Any]):
    client = world.client("instructor")

    response = client.get(f"/api/v1/courses/{world.course.slug}/cohort.csv")
    rows = _csv(response)
    same = _csv(client.get(f"/api/v1/courses/{world.course.slug}/cohort/", {"format": "csv"}))

    header = rows[0]
    assert header[:4] == ["student_id", "username", "enrolled_at", "changed_at"]
    assert header[-2:] == ["mastery: Domain 1", "mastery: Domain 2"]
    assert [r[1] for r in rows[1:]] == ["ada", "bob", "cohort1", "cohort2", "cohort3", "cohort4", "'-cohort5"]
    assert [r[1] for r in same] == [r[1] for r in rows]
    assert "attachment" in response["Content-Disposition"]
    assert response["X-As-Of"]


@pytest.mark.django_db
def test_the_cohort_csv_streams_in_chunks_and_filters_by_updated_since(
    world: World, cohort: list[Any], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("quizzes.api.views.cohorts.CohortView.csv_chunk", 2)
    world.attempt.__class__.objects.update(started_at=at(0))
    client = world.client("staff")

    every = _csv(client.get(f"/api/v1/courses/{world.course.slug}/cohort.csv"))
    recent = _csv(
        client.get(f"/api/v1/courses/{world.course.slug}/cohort.csv", {"updated_since": at(3.05).isoformat()})
    )

    assert len(every) == 1 + 7
    assert [r[1] for r in recent[1:]] == ["cohort4", "'-cohort5"]


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        (
            dt.datetime(51, 7, 6, 9, 38, tzinfo=dt.timezone(-dt.timedelta(hours=17, minutes=14))),
            "0051-07-07T02:51:00+00:00",
        ),
        (dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=20))), "early"),
        (dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.timezone(-dt.timedelta(hours=20))), "late"),
        (
            dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2026-05-01T09:59:00+00:00",
        ),
    ],
)
def test_updated_since_is_read_in_utc_and_clamped(since: dt.datetime, expected: str):
    cutoff = changed_after(since)

    assert cutoff.tzinfo == dt.UTC
    if expected == "early":
        assert cutoff.year == 1
    elif expected == "late":
        assert cutoff.year == 9999
    else:
        assert cutoff.isoformat() == expected


@pytest.mark.django_db
def test_a_cohort_filter_with_an_offset_postgresql_refuses_is_not_an_error(world: World):
    response = world.client("instructor").get(
        f"/api/v1/courses/{world.course.slug}/cohort/", {"updated_since": "0051-07-06T09:38:26-17:14"}
    )

    assert response.status_code == 200
