"""List endpoints run a fixed number of queries, whatever the page size (no N+1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from core.roles import Role
from quizzes import services
from quizzes.models import AttemptState, Question
from tests.api.support import World, course_with_lessons
from tests.factories import (
    AttemptFactory,
    DomainResultFactory,
    EnrollmentFactory,
    LessonProgressFactory,
    UserFactory,
)
from tests.quizzes.delivery import exam_for, path_with_domains

pytestmark = pytest.mark.django_db
ROWS = 6


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def graded_history(student: Any, path: Any) -> None:
    exam = exam_for(path, title=f"History {student.pk}")
    for _ in range(2):
        attempt = AttemptFactory(exam=exam, student=student, state=AttemptState.GRADED, score_percent=50.0)
        for domain in path.domains.all():
            DomainResultFactory(attempt=attempt, domain=domain, score=1, total=2)


@pytest.fixture
def busy(world: World) -> World:
    """ROWS of everything the student can list, and a cohort of ROWS more students, all with history."""
    for student in (world.student, world.other_student):
        graded_history(student, world.path)
    for n in range(ROWS):
        path = path_with_domains((50, 50), code=f"QC-{n:02d}")
        course_with_lessons(path, world.instructor, slug=f"qc-course-{n}")
        EnrollmentFactory(student=world.student, path=path)
        exam = exam_for(world.path, title=f"Shared {n}")
        exam.domains.set(world.path.domains.all())
        AttemptFactory(exam=exam, student=world.student)
        graded_history(world.student, path)
        member = UserFactory(role=Role.STUDENT)
        EnrollmentFactory(student=member, path=world.path)
        LessonProgressFactory(student=member, lesson=world.lesson)
        graded_history(member, world.path)
    return world


LISTS = [
    # auth is forced; the numbers are the view's own queries
    ("courses", lambda w: "/api/v1/courses/", "student", 2),  # count, courses + path + lesson count
    ("enrollments", lambda w: "/api/v1/enrollments/", "student", 2),  # count, enrollments + path
    ("exams", lambda w: "/api/v1/exams/", "student", 3),  # count, exams + path + owner, domains
    ("attempts", lambda w: "/api/v1/attempts/", "student", 1),  # attempts + exam + path (cursor: no count)
    # course, enrollments + student, lesson total, lessons, attempts, recent graded + domain results, domains
    ("cohort", lambda w: f"/api/v1/courses/{w.course.slug}/cohort/", "instructor", 6),
]


@pytest.mark.parametrize(
    ("url_of", "actor", "queries"), [(u, a, q) for _, u, a, q in LISTS], ids=[n for n, *_ in LISTS]
)
@pytest.mark.parametrize("page_size", [2, ROWS])
def test_list_query_count_does_not_grow_with_page_size(
    busy: World, django_assert_num_queries: Any, url_of: Any, actor: str, queries: int, page_size: int
):
    client = client_for(getattr(busy, actor))

    with django_assert_num_queries(queries):
        response = client.get(url_of(busy), {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_a_cohort_page_reads_its_students_without_their_password_hashes(busy: World):
    client = client_for(busy.instructor)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/courses/{busy.course.slug}/cohort/")

    assert response.status_code == 200
    read = [q["sql"] for q in queries.captured_queries]
    assert any('"auth_user"' in sql for sql in read)  # the students' usernames, joined
    assert not any("password" in sql for sql in read)


@pytest.mark.parametrize("paths", [1, ROWS + 1])
def test_progress_query_count_does_not_grow_with_the_paths(
    world: World, django_assert_num_queries: Any, paths: int, request: pytest.FixtureRequest
):
    if paths > 1:
        request.getfixturevalue("busy")
    else:
        graded_history(world.student, world.path)
    client = client_for(world.student)

    # enrollments + path, courses + lesson counts, lessons, attempts, recent graded + domain results,
    # domains, first exposures summed per attempt and domain (the pass estimate)
    with django_assert_num_queries(7):
        body = client.get("/api/v1/progress/").json()

    assert len(body["paths"]) == paths


def test_attempt_detail_and_result_are_a_fixed_number_of_queries(busy: World, django_assert_num_queries: Any):
    client = client_for(busy.student)
    graded = busy.student.attempts.filter(state=AttemptState.GRADED).first()

    with django_assert_num_queries(2):  # the attempt with exam and path, its items with answers and domains
        client.get(f"/api/v1/attempts/{busy.attempt.pk}/")
    with django_assert_num_queries(3):  # + the domain results with their domains
        assert client.get(f"/api/v1/attempts/{graded.pk}/result/").status_code == 200


@pytest.mark.parametrize("item_count", [2, 12])
def test_an_answer_save_is_two_statements_with_a_token(
    world: World, django_assert_num_queries: Any, item_count
):
    attempt = services.start_attempt(
        exam=exam_for(world.path, title="Long", item_count=item_count),
        student=world.student,
        now=timezone.now(),
    )
    option = attempt.items.get(position=2).option_ids[0]
    client = world.client("student")
    body = {"position": 2, "seq": 1, "selected": [option]}

    with django_assert_num_queries(2):  # the token with its user, and one guarded upsert of the answer
        response = client.post(f"/api/v1/attempts/{attempt.pk}/answers/", body, format="json")

    assert response.json()["saved"] is True


@pytest.mark.parametrize("item_count", [2, 12])
def test_starting_through_the_api_is_seven_statements_whatever_the_exam_length(
    world: World, django_assert_num_queries: Any, item_count
):
    exam = exam_for(world.path, title="Long", item_count=item_count)
    Question.objects.filter(bank__path=world.path).render()  # as an import or the admin leaves it
    client = world.client("student")

    # the token with its user, the exam with its path, then starting's five: the history at this
    # exam, the domains, the bank, the enrollment, the attempt with its items (nothing read back)
    with django_assert_num_queries(7):
        response = client.post(f"/api/v1/exams/{exam.pk}/attempts/", {}, format="json")

    assert response.status_code == 201
    assert len(response.json()["items"]) == item_count
