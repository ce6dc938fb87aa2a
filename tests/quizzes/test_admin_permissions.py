"""Two instructors in the admin: each sees and changes only their own courses, banks and questions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from core.roles import Role
from courses.models import Course, Module
from quizzes.models import DomainResult, Exam, GradeChange, Question, QuestionBank, QuestionType
from tests.factories import (
    AttemptFactory,
    CourseFactory,
    ExamDomainFactory,
    ExamFactory,
    ModuleFactory,
    QuestionBankFactory,
    QuestionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@dataclass
class Workspace:
    """One instructor and what they own."""

    user: Any
    course: Course
    module: Module
    bank: QuestionBank
    question: Question


def workspace(name: str) -> Workspace:
    user = UserFactory.create(username=name, role=Role.INSTRUCTOR)
    course = CourseFactory.create(owners=[user], title=f"{name}'s course")
    bank = QuestionBankFactory.create(owners=[user], name=f"{name}'s bank")
    return Workspace(
        user=user,
        course=course,
        module=ModuleFactory.create(course=course, title=f"{name}'s module"),
        bank=bank,
        question=QuestionFactory.create(bank=bank, name=f"{name}-q1"),
    )


@pytest.fixture
def alice() -> Workspace:
    return workspace("alice")


@pytest.fixture
def bob() -> Workspace:
    return workspace("bob")


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def url(obj: Any, view: str = "change") -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/{view}/"


def objects_of(ws: Workspace) -> list[Any]:
    return [ws.course, ws.module, ws.bank, ws.question]


CHANGELISTS = {
    "course": "/admin/courses/course/",
    "module": "/admin/courses/module/",
    "bank": "/admin/quizzes/questionbank/",
    "question": "/admin/quizzes/question/",
}


@pytest.mark.parametrize("changelist", CHANGELISTS.values(), ids=CHANGELISTS.keys())
def test_each_instructor_lists_only_their_own_content(
    client: Client, alice: Workspace, bob: Workspace, changelist: str
):
    response = as_user(client, alice.user).get(changelist)

    listed = set(response.context["cl"].result_list)
    assert listed & set(objects_of(alice))
    assert not listed & set(objects_of(bob))


@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_another_instructors_content_is_not_found(
    client: Client, alice: Workspace, bob: Workspace, view: str
):
    as_user(client, alice.user)

    statuses = {obj._meta.model_name: client.get(url(obj, view)).status_code for obj in objects_of(bob)}
    own = {obj._meta.model_name: client.get(url(obj, view)).status_code for obj in objects_of(alice)}

    assert set(statuses.values()) == {404}
    assert set(own.values()) == {200}


def test_another_instructors_question_preview_is_not_found(client: Client, alice: Workspace, bob: Workspace):
    response = as_user(client, alice.user).get(url(bob.question, "preview"))

    assert response.status_code == 404


def test_posting_changes_to_another_instructors_content_changes_nothing(
    client: Client, alice: Workspace, bob: Workspace
):
    as_user(client, alice.user)

    edit = client.post(url(bob.course), {"title": "Taken over", "slug": "taken", "path": bob.course.path_id})
    delete = client.post(url(bob.bank, "delete"), {"post": "yes"})

    assert (edit.status_code, delete.status_code) == (404, 404)
    bob.course.refresh_from_db()
    assert bob.course.title == "bob's course"
    assert QuestionBank.objects.filter(pk=bob.bank.pk).exists()


def test_bulk_actions_skip_another_instructors_questions(client: Client, alice: Workspace, bob: Workspace):
    as_user(client, alice.user).post(
        "/admin/quizzes/question/",
        {"action": "retire", "_selected_action": [alice.question.pk, bob.question.pk]},
    )

    alice.question.refresh_from_db()
    bob.question.refresh_from_db()
    assert (alice.question.status, bob.question.status) == ("retired", "draft")


def test_object_permissions_follow_ownership(alice: Workspace, bob: Workspace):
    request = RequestFactory().get("/admin/")
    request.user = alice.user

    for obj in objects_of(bob):
        model_admin = admin.site._registry[type(obj)]
        assert not model_admin.has_view_permission(request, obj)
        assert not model_admin.has_change_permission(request, obj)
        assert not model_admin.has_delete_permission(request, obj)
    for obj in objects_of(alice):
        model_admin = admin.site._registry[type(obj)]
        assert model_admin.has_change_permission(request, obj)
        assert model_admin.has_delete_permission(request, obj)


def test_question_form_offers_only_ones_own_banks(client: Client, alice: Workspace, bob: Workspace):
    response = as_user(client, alice.user).get("/admin/quizzes/question/add/")

    form = response.context["adminform"].form
    assert set(form.fields["bank"].queryset) == {alice.bank}
    assert not set(form.fields["domain"].queryset) & {bob.question.domain}


def test_a_question_cannot_be_added_to_another_instructors_bank(
    client: Client, alice: Workspace, bob: Workspace
):
    domain = ExamDomainFactory.create(path=bob.bank.path)
    data = {
        "bank": bob.bank.pk,
        "name": "sneaky",
        "domain": domain.pk,
        "qtype": QuestionType.TRUE_FALSE,
        "choose": 1,
        "difficulty": "easy",
        "status": "draft",
        "stem": "Is this allowed?",
        "explanation": "No.",
        "choices-TOTAL_FORMS": 2,
        "choices-INITIAL_FORMS": 0,
        "choices-0-text": "True",
        "choices-1-text": "False",
        "choices-1-is_correct": "on",
    }

    response = as_user(client, alice.user).post("/admin/quizzes/question/add/", data)

    assert response.status_code == 200
    assert "bank" in response.context["adminform"].form.errors
    assert not Question.objects.filter(name="sneaky").exists()


def test_staff_see_and_open_everyones_content(client: Client, staff, alice: Workspace, bob: Workspace):
    as_user(client, staff)

    for changelist in CHANGELISTS.values():
        listed = set(client.get(changelist).context["cl"].result_list)
        assert listed & set(objects_of(alice))
        assert listed & set(objects_of(bob))
    assert {client.get(url(obj)).status_code for obj in objects_of(alice) + objects_of(bob)} == {200}


def test_staff_adding_a_bank_for_an_instructor_does_not_become_an_owner(
    client: Client, staff, alice: Workspace
):
    response = as_user(client, staff).post(
        "/admin/quizzes/questionbank/add/",
        {"path": alice.bank.path_id, "name": "Handed over", "slug": "handed-over", "owners": [alice.user.pk]},
    )

    assert response.status_code == 302
    assert list(QuestionBank.objects.get(slug="handed-over").owners.all()) == [alice.user]


# --- Exams and attempts -----------------------------------------------------------------------------


def test_instructors_read_exams_but_cannot_change_them(client: Client, alice: Workspace):
    exam = ExamFactory.create(title="Full mock")
    as_user(client, alice.user)

    listing = client.get("/admin/quizzes/exam/")
    detail = client.get(url(exam))
    change = client.post(url(exam), {"title": "Renamed"})

    assert (listing.status_code, detail.status_code) == (200, 200)
    assert "Full mock" in listing.content.decode()
    assert client.get("/admin/quizzes/exam/add/").status_code == 403
    assert change.status_code == 403
    assert Exam.objects.get(pk=exam.pk).title == "Full mock"


def test_instructors_do_not_see_attempts(client: Client, alice: Workspace):
    attempt = AttemptFactory.create()
    as_user(client, alice.user)

    assert client.get("/admin/quizzes/attempt/").status_code == 403
    assert client.get(url(attempt)).status_code == 403


def test_attempts_are_read_only_even_for_staff(client: Client, staff):
    attempt = AttemptFactory.create(state="graded", score_percent=80.0)
    domain = ExamDomainFactory.create(path=attempt.exam.path, name="Security")
    DomainResult.objects.create(attempt=attempt, domain=domain, score=4, total=5)
    GradeChange.objects.create(
        attempt=attempt,
        old_score_percent=70.0,
        new_score_percent=80.0,
        reason="Key of q7 fixed",
        changed_by=staff,
    )
    as_user(client, staff)

    detail = client.get(url(attempt))

    assert detail.status_code == 200
    assert all(text in detail.content.decode() for text in ("Security", "Key of q7 fixed"))
    assert detail.context["has_change_permission"] is False
    assert client.get("/admin/quizzes/attempt/add/").status_code == 403
    assert client.post(url(attempt, "delete"), {"post": "yes"}).status_code == 403
