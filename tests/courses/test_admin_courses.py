"""Authoring courses, modules and lessons in the admin."""

from __future__ import annotations

import csv
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from core.roles import Role
from courses.models import Course, Lesson, PathStatus, PublicationStatus
from courses.services import complete_lesson
from tests.factories import (
    CertificationPathFactory,
    CourseFactory,
    LessonFactory,
    ModuleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

COURSES_URL = "/admin/courses/course/"


def management(prefix: str, total: int, initial: int = 0) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


@pytest.fixture
def author(db: None):
    return UserFactory.create(role=Role.INSTRUCTOR)


@pytest.fixture
def author_client(client: Client, author) -> Client:
    client.force_login(author)
    return client


@pytest.fixture
def course(author):
    return CourseFactory.create(owners=[author])


def course_data(course: Course, **fields: Any) -> dict[str, Any]:
    return {
        "path": course.path_id,
        "title": course.title,
        "slug": course.slug,
        "summary": course.summary,
        "status": course.status,
        "owners": [owner.pk for owner in course.owners.all()],
        **management("modules", 0),
        **fields,
    }


def test_instructor_adds_a_course_with_modules_and_becomes_its_owner(author_client: Client, author):
    path = CertificationPathFactory.create()
    data = {
        "path": path.pk,
        "title": "Cloud basics",
        "slug": "cloud-basics",
        "summary": "",
        "status": PublicationStatus.DRAFT,
        **management("modules", 2),
        "modules-0-position": 2,
        "modules-0-title": "Billing",
        "modules-1-position": 1,
        "modules-1-title": "Concepts",
    }

    response = author_client.post(f"{COURSES_URL}add/", data)

    assert response.status_code == 302
    course = Course.objects.get(slug="cloud-basics")
    assert list(course.owners.all()) == [author]
    assert [m.title for m in course.modules.all()] == ["Concepts", "Billing"]


def test_new_courses_go_on_active_paths_only(author_client: Client):
    active = CertificationPathFactory.create()
    retired = CertificationPathFactory.create(status=PathStatus.RETIRED, retired_on="2024-01-31")

    response = author_client.get(f"{COURSES_URL}add/")

    offered = set(response.context["adminform"].form.fields["path"].queryset)
    assert active in offered
    assert retired not in offered


def test_a_course_on_a_path_retired_since_keeps_its_path_on_the_form(author_client: Client, course):
    course.path.status, course.path.retired_on = PathStatus.RETIRED, "2024-01-31"
    course.path.save()

    response = author_client.get(f"{COURSES_URL}{course.pk}/change/")

    assert course.path in set(response.context["adminform"].form.fields["path"].queryset)


def test_instructor_can_add_a_co_owner_but_not_remove_themselves(author_client: Client, author, course):
    colleague = UserFactory.create(role=Role.INSTRUCTOR)

    added = author_client.post(
        f"{COURSES_URL}{course.pk}/change/", course_data(course, owners=[author.pk, colleague.pk])
    )
    removed = author_client.post(
        f"{COURSES_URL}{course.pk}/change/", course_data(course, owners=[colleague.pk])
    )

    assert added.status_code == 302
    assert removed.status_code == 200
    assert "Keep yourself among the owners" in removed.context["adminform"].form.errors["owners"][0]
    assert set(course.owners.all()) == {author, colleague}


def test_only_instructors_and_superusers_can_be_owners(author_client: Client, course):
    student = UserFactory.create(role=Role.STUDENT)

    response = author_client.get(f"{COURSES_URL}{course.pk}/change/")

    assert student not in set(response.context["adminform"].form.fields["owners"].queryset)


def test_course_list_counts_modules_lessons_and_study_minutes(author_client: Client, course):
    first, second = ModuleFactory.create(course=course), ModuleFactory.create(course=course)
    LessonFactory.create(module=first, minutes=15)
    LessonFactory.create(module=first, minutes=20)
    LessonFactory.create(module=second, minutes=5)

    response = author_client.get(COURSES_URL)

    [row] = response.context["cl"].result_list
    assert (row.module_count, row.lesson_count, row.study_minutes) == (2, 3, 40)


def test_publish_and_unpublish_actions(author_client: Client, course):
    author_client.post(COURSES_URL, {"action": "publish", "_selected_action": [course.pk]})
    course.refresh_from_db()
    published = course.status

    author_client.post(COURSES_URL, {"action": "unpublish", "_selected_action": [course.pk]})
    course.refresh_from_db()

    assert (published, course.status) == (PublicationStatus.PUBLISHED, PublicationStatus.DRAFT)


def test_lessons_are_edited_in_their_module_in_position_order(author_client: Client, course):
    module = ModuleFactory.create(course=course)
    LessonFactory.create(module=module, title="Second", position=2)
    LessonFactory.create(module=module, title="First", position=1)

    response = author_client.get(f"/admin/courses/module/{module.pk}/change/")

    [lessons] = response.context["inline_admin_formsets"]
    assert [form.instance.title for form in lessons.formset.initial_forms] == ["First", "Second"]


def test_saving_a_lesson_in_the_admin_renders_and_sanitizes_its_preview(author_client: Client, course):
    module = ModuleFactory.create(course=course)
    data = {
        "course": course.pk,
        "title": module.title,
        "position": module.position,
        **management("lessons", 1),
        "lessons-0-position": 1,
        "lessons-0-title": "IAM",
        "lessons-0-slug": "iam",
        "lessons-0-minutes": 12,
        "lessons-0-body_markdown": "Use **least privilege**.\n\n<script>alert(1)</script>",
    }

    saved = author_client.post(f"/admin/courses/module/{module.pk}/change/", data)
    page = author_client.get(f"/admin/courses/module/{module.pk}/change/").content.decode()

    assert saved.status_code == 302
    lesson = Lesson.objects.get(module=module)
    assert (lesson.minutes, lesson.body_html.strip()) == (12, "<p>Use <strong>least privilege</strong>.</p>")
    assert '<div class="lesson-preview"><p>Use <strong>least privilege</strong>.</p>' in page
    assert "<script>alert(1)</script>" not in page


def test_a_module_can_only_be_moved_to_a_course_of_ones_own(author_client: Client, course):
    module = ModuleFactory.create(course=course)
    someone_elses = CourseFactory.create(owners=[UserFactory.create(role=Role.INSTRUCTOR)])

    response = author_client.get(f"/admin/courses/module/{module.pk}/change/")

    offered = set(response.context["adminform"].form.fields["course"].queryset)
    assert offered == {course}
    assert someone_elses not in offered


@pytest.mark.parametrize("size", [2, 20])
def test_course_list_queries_do_not_grow_with_the_rows(
    author_client: Client, author, django_assert_max_num_queries: Any, size: int
):
    for _ in range(size):
        LessonFactory.create(module=ModuleFactory.create(course=CourseFactory.create(owners=[author])))

    with django_assert_max_num_queries(8):
        response = author_client.get(COURSES_URL)

    assert response.context["cl"].result_count == size


def test_the_course_list_links_each_course_to_its_cohort_as_csv(author_client: Client, course):
    html = author_client.get(COURSES_URL).content.decode()

    assert f'href="/api/v1/courses/{course.slug}/cohort.csv"' in html
    assert f'aria-label="Cohort (CSV) of {course.title}">Cohort (CSV)</a>' in html


def test_the_cohort_link_downloads_the_owners_students_as_csv(author_client: Client, course):
    student = UserFactory.create()
    lesson = LessonFactory.create(module=ModuleFactory.create(course=course))
    complete_lesson(student=student, lesson=lesson, now=timezone.now())

    response: Any = author_client.get(f"/api/v1/courses/{course.slug}/cohort.csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(b"".join(response.streaming_content).decode().splitlines()))
    assert [row[1] for row in rows[1:]] == [student.username]
