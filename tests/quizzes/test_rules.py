"""The rules with one home each: exam visibility, which students an instructor sees, a retired
path's refusals, what makes a new question revision, enrolling as a side effect, practice-set
limits and the per-student caps on new work."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from core.roles import Role
from courses.exceptions import PathNotActive
from courses.models import Course, Enrollment, PathStatus
from courses.selectors import managed_courses
from courses.services import complete_lesson, enroll_student
from quizzes import services
from quizzes.exceptions import (
    ExamNotAvailable,
    InvalidAnswer,
    OpenAttemptLimitReached,
    PracticeSetLimitReached,
)
from quizzes.importing import import_questions
from quizzes.models import Exam, Question
from quizzes.models.banks import makes_new_revision
from quizzes.models.exams import PRACTICE_MAX_ITEMS, practice_set_problem
from tests.factories import CourseFactory, LessonFactory, ModuleFactory, UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains

pytestmark = pytest.mark.django_db


# --- Exam visibility: ExamQuerySet.available_to / visible_to ---------------------------------------


def test_an_exam_shared_by_a_superuser_opens_from_the_path_page(client: Client, student):
    path = path_with_domains()
    bank_for(path, per_domain=2)
    shared = exam_for(path, title="Staff mock exam", item_count=4, owner=UserFactory(is_superuser=True))
    client.force_login(student)

    path_page = client.get(path.get_absolute_url())
    exam_page = client.get(shared.get_absolute_url())

    assert shared.get_absolute_url() in path_page.content.decode()
    assert exam_page.status_code == 200


def test_another_students_practice_set_is_neither_listed_nor_opened(client: Client, student):
    path = path_with_domains()
    theirs = exam_for(path, title="Their own set", item_count=4, owner=UserFactory())
    client.force_login(student)

    assert theirs not in Exam.objects.available_to(student)
    assert client.get(theirs.get_absolute_url()).status_code == 404


def test_staff_see_every_exam_but_take_only_the_available_ones(staff):
    path = path_with_domains()
    unpublished = exam_for(path, title="Draft", item_count=4, is_published=False)

    assert unpublished in Exam.objects.visible_to(staff)
    assert unpublished not in Exam.objects.available_to(staff)


def test_the_exam_admin_shows_an_instructor_shared_exams_and_their_own_only(client: Client, instructor):
    path = path_with_domains()
    shared = exam_for(path, title="Shared mock exam", item_count=4)
    own = exam_for(path, title="My own set", item_count=4, owner=instructor)
    students = exam_for(path, title="A student's own set", item_count=4, owner=UserFactory())
    client.force_login(instructor)

    listing = client.get("/admin/quizzes/exam/").content.decode()

    assert shared.title in listing
    assert own.title in listing
    assert students.title not in listing
    assert client.get(f"/admin/quizzes/exam/{students.pk}/change/").status_code == 404
    assert client.get(f"/admin/quizzes/exam/{shared.pk}/change/").status_code == 200


# --- Which students an instructor sees: EnrollmentQuerySet.visible_to -------------------------------


def course_of(instructor, path):
    course = CourseFactory(path=path, owners=[instructor])
    return course, LessonFactory(module=ModuleFactory(course=course))


def test_an_instructor_sees_the_students_who_studied_their_course_in_that_path_only(instructor, student):
    path, elsewhere = path_with_domains(code="OWN-C01"), path_with_domains(code="ELS-C01")
    _, lesson = course_of(instructor, path)
    complete_lesson(student=student, lesson=lesson, now=timezone.now())
    enroll_student(student=student, path=elsewhere)

    visible = Enrollment.objects.visible_to(instructor)

    assert [(e.student, e.path) for e in visible] == [(student, path)]


def test_a_student_who_only_enrolled_or_took_the_shared_exam_is_hidden_from_course_owners(
    instructor, student
):
    path = path_with_domains()
    bank_for(path, per_domain=2)
    course_of(instructor, path)
    services.start_attempt(exam=exam_for(path, item_count=4), student=student, now=timezone.now())

    assert Enrollment.objects.filter(student=student, path=path).exists()
    assert not Enrollment.objects.visible_to(instructor).exists()


def test_a_path_an_administrator_assigned_shows_every_student_of_it(instructor, student):
    path, other = path_with_domains(code="ASG-C01"), path_with_domains(code="NOT-C01")
    path.instructors.add(instructor)
    enroll_student(student=student, path=path)
    enroll_student(student=student, path=other)

    assert [e.path for e in Enrollment.objects.visible_to(instructor)] == [path]


def test_superusers_see_every_student_and_other_instructors_none(instructor, student, staff):
    path = path_with_domains()
    _, lesson = course_of(instructor, path)
    complete_lesson(student=student, lesson=lesson, now=timezone.now())
    colleague = UserFactory(role=Role.INSTRUCTOR)

    assert Enrollment.objects.visible_to(staff).count() == 1
    assert not Enrollment.objects.visible_to(colleague).exists()


def test_the_students_rule_holds_inside_a_subquery(instructor, student):
    path = path_with_domains()
    _, lesson = course_of(instructor, path)
    complete_lesson(student=student, lesson=lesson, now=timezone.now())
    enroll_student(student=UserFactory(), path=path)  # enrolled, never studied the course

    seen = Enrollment.objects.visible_to(instructor).values("student_id")

    assert list(get_user_model().objects.filter(pk__in=seen)) == [student]


# --- Whose cohort an instructor reads: courses.selectors.managed_courses ---------------------------


def test_an_instructor_manages_the_courses_they_own_and_every_course_of_an_assigned_path(instructor):
    owned = CourseFactory(owners=[instructor])
    assigned = path_with_domains(code="ASG-C02")
    assigned.instructors.add(instructor)
    of_assigned = CourseFactory(path=assigned)
    CourseFactory()  # someone else's

    assert set(managed_courses(instructor)) == {owned, of_assigned}


def test_superusers_manage_every_course_and_other_instructors_none(instructor, staff):
    course = CourseFactory(owners=[instructor])
    colleague = UserFactory(role=Role.INSTRUCTOR)

    assert list(managed_courses(staff)) == [course]
    assert not managed_courses(colleague).exists()


def test_the_courses_rule_holds_inside_a_subquery(instructor):
    owned, _ = CourseFactory(owners=[instructor]), CourseFactory()

    ids = managed_courses(instructor).values("pk")

    assert list(Course.objects.filter(pk__in=ids)) == [owned]


# --- A retired path takes no new work: CertificationPath.is_active ----------------------------------


def retired_path():
    return path_with_domains(code="OLD-C01", status=PathStatus.RETIRED, retired_on=dt.date(2024, 1, 1))


def test_a_retired_path_refuses_new_students(student):
    with pytest.raises(PathNotActive, match="OLD-C01 is retired: it takes no new students"):
        enroll_student(student=student, path=retired_path())


def test_a_retired_path_refuses_new_practice_sets(student):
    with pytest.raises(ExamNotAvailable, match="OLD-C01 is retired: no new exam can be started"):
        services.create_practice_set(
            path=retired_path(), owner=student, domains=[], item_count=5, minutes=None, mode="practice"
        )


# --- Enrolling as a side effect: courses.services.record_study -------------------------------------


def test_studying_a_retired_paths_lesson_records_the_enrollment_deliberately(student):
    path = retired_path()
    lesson = LessonFactory(module=ModuleFactory(course=CourseFactory(path=path)))

    complete_lesson(student=student, lesson=lesson, now=timezone.now())

    assert Enrollment.objects.filter(student=student, path=path).exists()


def test_starting_an_attempt_enrolls_the_student_in_the_path(student):
    path = path_with_domains()
    bank_for(path, per_domain=2)

    services.start_attempt(exam=exam_for(path, item_count=4), student=student, now=timezone.now())

    assert Enrollment.objects.filter(student=student, path=path).exists()


# --- What makes a new question revision: models.banks.makes_new_revision ----------------------------


@pytest.mark.parametrize(
    ("question_fields", "choice_fields", "added_or_removed", "expected"),
    [
        (["stem"], [], False, True),
        (["difficulty", "source_url", "domain"], [], False, False),
        ([], [["rationale"]], False, True),
        ([], [["position"]], False, False),  # options are shuffled in every attempt
        ([], [], True, True),
    ],
)
def test_a_new_revision_is_a_change_students_can_see(
    question_fields, choice_fields, added_or_removed, expected
):
    changed = makes_new_revision(
        question_fields=question_fields,
        choice_fields=choice_fields,
        choices_added_or_removed=added_or_removed,
    )

    assert changed is expected


def test_reordering_options_in_an_import_keeps_the_revision_as_the_admin_does():
    path = path_with_domains((100,))
    bank = bank_for(path, per_domain=0)
    text = gift_question(["=Right#yes", "~Wrong one#no", "~Wrong two#no"])
    import_questions(bank=bank, text=text, fmt="gift")

    import_questions(
        bank=bank, text=gift_question(["~Wrong two#no", "=Right#yes", "~Wrong one#no"]), fmt="gift"
    )

    assert Question.objects.get(bank=bank).revision == 1


def gift_question(options: list[str]) -> str:
    return (
        "$CATEGORY: $course$/top/Domain 1\n"
        "::rules-001::[markdown]Which option is right?{\n" + "\n".join(options) + "\n####Because.\n}\n"
    )


# --- Practice-set limits: models.exams.practice_set_problem ----------------------------------------


def test_practice_set_limits_have_one_home_that_the_service_enforces(student):
    path = path_with_domains()

    assert practice_set_problem(item_count=PRACTICE_MAX_ITEMS, minutes=None) is None
    with pytest.raises(InvalidAnswer, match=f"between 1 and {PRACTICE_MAX_ITEMS} items"):
        services.create_practice_set(
            path=path, owner=student, domains=[], item_count=PRACTICE_MAX_ITEMS + 1, minutes=None, mode="exam"
        )


def test_the_practice_set_page_and_the_api_refuse_the_same_limits(client: Client, api_client, student):
    path = path_with_domains()
    client.force_login(student)
    api_client.force_authenticate(student)
    too_many = PRACTICE_MAX_ITEMS + 1

    page = client.post(f"/paths/{path.code}/practice/", {"item_count": too_many, "mode": "exam"})
    api = api_client.post(
        "/api/v1/exams/", {"path": path.code, "item_count": too_many, "mode": "exam"}, format="json"
    )

    assert f"less than or equal to {PRACTICE_MAX_ITEMS}" in page.content.decode()
    assert api.status_code == 400
    assert "item_count" in api.json()["errors"]


# --- Per-student caps on new work: services.quotas ----------------------------------------------------


def make_set(owner, path):
    return services.create_practice_set(
        path=path, owner=owner, domains=[], item_count=4, minutes=None, mode="practice"
    )


def test_a_student_makes_at_most_practice_sets_per_day_in_any_24_hours(student, settings):
    settings.PRACTICE_SETS_PER_DAY = 2
    path = path_with_domains()
    first, _ = make_set(student, path), make_set(student, path)

    with pytest.raises(PracticeSetLimitReached, match="2 practice sets in the last 24 hours"):
        make_set(student, path)
    Exam.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert make_set(student, path).owner == student


def test_a_student_holds_at_most_open_attempts_per_student_and_may_resume_them(student, settings):
    settings.OPEN_ATTEMPTS_PER_STUDENT = 2
    path = path_with_domains()
    bank_for(path, per_domain=2)
    exams = [exam_for(path, title=f"Exam {n}", item_count=4) for n in range(3)]
    now = timezone.now()
    opened = [services.start_attempt(exam=exam, student=student, now=now) for exam in exams[:2]]

    with pytest.raises(OpenAttemptLimitReached, match="submit one before starting another"):
        services.start_attempt(exam=exams[2], student=student, now=now)
    assert services.start_attempt(exam=exams[0], student=student, now=now) == opened[0]
    with pytest.raises(OpenAttemptLimitReached):
        make_set(student, path)  # a practice set would open a third


def test_an_attempt_past_its_deadline_no_longer_counts_as_open(student, settings):
    settings.OPEN_ATTEMPTS_PER_STUDENT = 1
    path = path_with_domains()
    bank_for(path, per_domain=2)
    timed, other = exam_for(path, item_count=4, minutes=10), exam_for(path, title="Other", item_count=4)
    start = timezone.now()
    services.start_attempt(exam=timed, student=student, now=start)

    later = services.start_attempt(exam=other, student=student, now=start + dt.timedelta(minutes=11))

    assert later.exam == other


def test_the_page_and_the_api_refuse_a_practice_set_over_the_daily_cap_alike(
    client: Client, api_client, student, settings
):
    settings.PRACTICE_SETS_PER_DAY = 0
    path = path_with_domains()
    client.force_login(student)
    api_client.force_authenticate(student)

    page = client.post(f"/paths/{path.code}/practice/", {"item_count": 4, "mode": "exam"})
    api = api_client.post(
        "/api/v1/exams/", {"path": path.code, "item_count": 4, "mode": "exam"}, format="json"
    )

    assert "the most allowed is 0" in page.content.decode()
    assert (api.status_code, api.json()["code"]) == (429, "practice_set_limit_reached")
    assert not Exam.objects.filter(owner=student).exists()


def test_the_api_refuses_an_attempt_over_the_open_cap_with_its_code(api_client, student, settings):
    settings.OPEN_ATTEMPTS_PER_STUDENT = 1
    path = path_with_domains()
    bank_for(path, per_domain=2)
    first, second = exam_for(path, item_count=4), exam_for(path, title="Second", item_count=4)
    api_client.force_authenticate(student)
    api_client.post(f"/api/v1/exams/{first.pk}/attempts/", {}, format="json")

    refused = api_client.post(f"/api/v1/exams/{second.pk}/attempts/", {}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (409, "open_attempt_limit_reached")
    assert "at once is 1" in refused.json()["message"]


def test_the_practice_set_page_throttles_each_users_posts(client: Client, student, settings):
    settings.PRACTICE_PAGE_RATE = "2/m"
    cache.clear()
    path = path_with_domains()
    client.force_login(student)
    posts = [
        client.post(f"/paths/{path.code}/practice/", {"item_count": 0, "mode": "exam"}).status_code
        for _ in range(3)
    ]
    other: Any = UserFactory()
    client.force_login(other)

    assert posts == [200, 200, 429]
    assert client.post(f"/paths/{path.code}/practice/", {"item_count": 0, "mode": "exam"}).status_code == 200
    cache.clear()
