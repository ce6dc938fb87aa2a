"""axe-core (static/vendor/axe-core) finds no critical or serious violation on the pages people use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.roles import Role
from courses.models import PathStatus, PublicationStatus
from quizzes import grading, services
from quizzes.models import Answer
from tests.browser.exam_pages import started
from tests.factories import (
    CertificationPathFactory,
    CourseFactory,
    LessonFactory,
    ModuleFactory,
    UserFactory,
)
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = "/static/vendor/axe-core/axe.min.js"
BLOCKING = ("critical", "serious")


def blocking_violations(page: Page) -> list[str]:
    """Run axe on the page as it is now; describe each critical or serious violation."""
    page.add_script_tag(url=AXE)
    result: dict[str, Any] = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:8]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


class World:
    """One of everything a student and an instructor see, built once per test."""

    def __init__(self) -> None:
        self.instructor = UserFactory.create(username="ines", role=Role.INSTRUCTOR)
        self.student = UserFactory.create(username="sam", role=Role.STUDENT)
        self.path = path_with_domains((50, 50), code="AXE-C01", name="Accessible Certification")
        CertificationPathFactory(
            code="OLD-C01",
            name="Retired Certification",
            status=PathStatus.RETIRED,
            retired_on=dt.date(2026, 1, 31),
        )
        self.bank = bank_for(self.path, per_domain=6)
        self.bank.owners.add(self.instructor)
        self.question = self.bank.questions.earliest("pk")
        self.course = CourseFactory.create(
            path=self.path, status=PublicationStatus.PUBLISHED, owners=[self.instructor]
        )
        self.module = ModuleFactory.create(course=self.course)
        self.lesson = LessonFactory.create(module=self.module)
        self.exam = exam_for(self.path, title="Accessible exam", item_count=6, minutes=20)
        self.practice = exam_for(self.path, title="Accessible practice", item_count=4, mode="practice")
        graded = started(exam_for(self.path, title="Graded exam", item_count=6, minutes=20), self.student)
        item = graded.items.get(position=1)
        Answer.objects.create(item=item, selected=sorted(item.key), client_seq=1, saved_at=timezone.now())
        assert graded.deadline is not None
        late = graded.deadline + dt.timedelta(seconds=1)
        services.submit_attempt(attempt_id=graded.pk, student=self.student, now=late)
        grading.grade_attempt(attempt_id=graded.pk)
        self.graded = graded


@pytest.fixture
def world() -> World:
    return World()


def _review(page: Page) -> None:
    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_role("heading", name="Review before you submit")).to_be_focused()


def _checked(page: Page) -> None:
    page.locator("#item-1 .option label").first.click()
    page.locator("#item-1").get_by_role("button", name="Check answer").click()
    expect(page.get_by_role("region", name="Feedback on item 1")).to_be_visible()


def _rendered(page: Page) -> None:
    # Swagger UI draws once it has fetched the schema, which takes a few seconds to generate.
    expect(page.locator(".opblock-summary").first).to_be_visible(timeout=60000)


# name -> (who signs in, the page's URL, what to do there before the check)
Visit = tuple[str | None, Callable[[World], str], Callable[[Page], None] | None]
STUDENT_PAGES: dict[str, Visit] = {
    "catalog": (None, lambda w: "/", None),
    "catalog filtered": (None, lambda w: "/?q=certification&provider=aws&status=retired", None),
    "catalog, no match": (None, lambda w: "/?q=mainframe&provider=nowhere", None),
    "log-in": (None, lambda w: "/accounts/login/", None),
    "sign-up": (None, lambda w: "/accounts/signup/", None),
    "path": ("student", lambda w: f"/paths/{w.path.code}/", None),
    "course": ("student", lambda w: w.course.get_absolute_url(), None),
    "lesson": ("student", lambda w: w.lesson.get_absolute_url(), None),
    "dashboard": ("student", lambda w: "/dashboard/", None),
    "attempt history": ("student", lambda w: "/dashboard/history/", None),
    "exam detail": ("student", lambda w: f"/exams/{w.exam.pk}/", None),
    "practice set": ("student", lambda w: f"/paths/{w.path.code}/practice/", None),
    "exam": ("student", lambda w: started(w.exam, w.student).get_absolute_url(), None),
    "review": ("student", lambda w: started(w.exam, w.student).get_absolute_url(), _review),
    "practice feedback": ("student", lambda w: started(w.practice, w.student).get_absolute_url(), _checked),
    "result": ("student", lambda w: f"/attempts/{w.graded.pk}/result", None),
}
INSTRUCTOR_PAGES: dict[str, Visit] = {
    "admin index": ("instructor", lambda w: "/admin/", None),
    "question list": ("instructor", lambda w: "/admin/quizzes/question/", None),
    "question add": ("instructor", lambda w: "/admin/quizzes/question/add/", None),
    "question change": ("instructor", lambda w: f"/admin/quizzes/question/{w.question.pk}/change/", None),
    "course list": ("instructor", lambda w: "/admin/courses/course/", None),
    "course add": ("instructor", lambda w: "/admin/courses/course/add/", None),
    "course change": ("instructor", lambda w: f"/admin/courses/course/{w.course.pk}/change/", None),
    "module change": ("instructor", lambda w: f"/admin/courses/module/{w.module.pk}/change/", None),
    "import": ("instructor", lambda w: "/admin/quizzes/questionbank/import/", None),
    "API docs": (None, lambda w: "/api/v1/docs/", _rendered),
}


def check(page: Page, live_server: Any, sign_in: Any, world: World, visit: Visit) -> None:
    who, url, then = visit
    if who:
        sign_in(getattr(world, who))
    response = page.goto(live_server.url + url(world))
    assert response is not None
    assert response.status == 200
    if then:
        then(page)
    violations = blocking_violations(page)
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("name", list(STUDENT_PAGES))
def test_student_pages_have_no_serious_accessibility_violations(page, live_server, sign_in, world, name):
    check(page, live_server, sign_in, world, STUDENT_PAGES[name])


@pytest.mark.parametrize("name", list(INSTRUCTOR_PAGES))
def test_instructor_pages_have_no_serious_accessibility_violations(page, live_server, sign_in, world, name):
    check(page, live_server, sign_in, world, INSTRUCTOR_PAGES[name])


@pytest.mark.parametrize(
    "name",
    [
        "catalog",
        "catalog filtered",
        "dashboard",
        "attempt history",
        "exam",
        "review",
        "practice feedback",
        "result",
    ],
)
def test_student_pages_in_dark_mode_have_no_serious_accessibility_violations(
    page, live_server, sign_in, world, name
):
    page.emulate_media(color_scheme="dark")
    check(page, live_server, sign_in, world, STUDENT_PAGES[name])
