"""The result page of a long exam: the summary first, a filtered review, explanations folded."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from courses.models import ExamDomain
from quizzes import grading, services
from quizzes.models import Answer, Attempt
from tests.browser.exam_pages import started
from tests.factories import UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def graded_attempt(student, *, right: int, flagged: tuple[int, ...] = (), by_timer: bool = False) -> Attempt:
    """A graded 12-item attempt over two domains: the first `right` items answered correctly."""
    path = path_with_domains((50, 50), code="RES-C01", name="Result Certification")
    bank_for(path, per_domain=6)
    attempt = started(exam_for(path, title="Result exam", item_count=12, minutes=20), student)
    now = timezone.now()
    for item in attempt.items.all():
        if item.position <= right:
            Answer.objects.create(item=item, selected=sorted(item.key), client_seq=1, saved_at=now)
        item.flagged = item.position in flagged
        item.save(update_fields=["flagged"])
    assert attempt.deadline is not None
    when = attempt.deadline + dt.timedelta(seconds=1) if by_timer else now
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=when)
    grading.grade_attempt(attempt_id=attempt.pk)
    return attempt


@pytest.fixture
def student(sign_in):
    user = UserFactory.create(username="rea")
    sign_in(user)
    return user


def review_items(page: Page):
    return page.get_by_role("region", name="Review").get_by_role("article")


def test_the_result_says_when_the_timer_submitted_the_attempt(page: Page, live_server, student):
    attempt = graded_attempt(student, right=3, by_timer=True)

    page.goto(f"{live_server.url}/attempts/{attempt.pk}/result")

    expect(page.get_by_text("Submitted by the timer when time ran out")).to_be_visible()


def test_a_student_submitted_result_does_not_mention_the_timer(page: Page, live_server, student):
    attempt = graded_attempt(student, right=3)

    page.goto(f"{live_server.url}/attempts/{attempt.pk}/result")

    expect(page.get_by_role("heading", name="Fail")).to_be_visible()
    expect(page.get_by_text("Submitted by the timer")).to_have_count(0)


def test_the_summary_comes_before_the_review(page: Page, live_server, student):
    attempt = graded_attempt(student, right=3)

    page.goto(f"{live_server.url}/attempts/{attempt.pk}/result")

    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert headings[:3] == ["Fail", "By domain", "Review"]
    expect(page.get_by_text("3 correct, 0 incorrect, 9 not answered, 0 flagged")).to_be_visible()


def test_the_review_can_list_only_the_items_got_wrong(page: Page, live_server, student):
    attempt = graded_attempt(student, right=8)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/result")

    page.get_by_role("radio", name="Incorrect or unanswered (4)").check()
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_text("Showing 4 of 12 items.")).to_be_visible()
    expect(review_items(page)).to_have_count(4)
    expect(review_items(page).get_by_role("heading", name=re.compile("· Correct"))).to_have_count(0)


def test_the_review_can_list_only_flagged_items(page: Page, live_server, student):
    attempt = graded_attempt(student, right=8, flagged=(2, 11))
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/result")

    page.get_by_role("radio", name="Flagged (2)").check()
    page.get_by_role("button", name="Apply").click()

    expect(review_items(page).get_by_role("heading", level=3)).to_have_text(
        [re.compile(r"^Item 2 "), re.compile(r"^Item 11 ")]
    )


def test_the_review_can_list_one_domain(page: Page, live_server, student):
    attempt = graded_attempt(student, right=8)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/result")
    domain = ExamDomain.objects.get(path=attempt.exam.path, position=2)

    page.get_by_role("combobox", name="Domain").select_option(label=domain.name)
    page.get_by_role("button", name="Apply").click()

    expect(review_items(page)).to_have_count(6)
    expect(review_items(page).filter(has_text="Domain 1")).to_have_count(0)


def test_explanations_are_folded_until_opened(page: Page, live_server, student):
    attempt = graded_attempt(student, right=8)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/result")
    first = review_items(page).first
    explanation = first.locator(".explanation p").first

    expect(explanation).to_be_hidden()
    first.get_by_text(re.compile(r"^Explanation for item 1$")).click()
    expect(explanation).to_be_visible()
