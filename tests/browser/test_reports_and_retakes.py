"""Reporting a problem with an item and retaking the missed items, as a student does it in the browser."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.roles import Role
from quizzes.models import QuestionReport
from quizzes.services.reports import report_problem
from tests.browser.test_accessibility import blocking_violations
from tests.factories import UserFactory
from tests.quizzes.graded import graded_attempt, small_exam

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def student(sign_in):
    user = UserFactory.create(username="rea", role=Role.STUDENT)
    sign_in(user)
    return user


@pytest.fixture
def graded(student):
    """8 items: 3 right, 2 wrong, 3 left blank."""
    return graded_attempt(small_exam(title="Reportable exam"), student, right=3, wrong=2)


def review_item(page: Page, position: int) -> Any:
    return page.get_by_role("article", name=f"Item {position}", exact=False).filter(
        has=page.get_by_role("heading", name=f"Item {position} ·")
    )


def open_report_form(page: Page, position: int) -> Any:
    item = review_item(page, position)
    item.get_by_text(f"Report a problem with item {position}").click()
    return item


def test_a_student_reports_a_problem_from_the_result_page_and_sees_it_confirmed(
    page: Page, live_server, graded
):
    page.goto(f"{live_server.url}/attempts/{graded.pk}/result")

    item = open_report_form(page, 4)
    item.get_by_label("Typo or formatting problem").check()
    item.get_by_label("Details (optional)").fill("The second option says 'teh'.")
    item.get_by_role("button", name="Send report on item 4").click()

    expect(page.get_by_role("status").filter(has_text="your report on item 4 has been sent")).to_be_visible()
    expect(review_item(page, 4).get_by_text("You reported a problem with this item")).to_be_visible()
    report = QuestionReport.objects.get()
    assert (report.reason, report.details, report.item_id) == (
        "typo",
        "The second option says 'teh'.",
        graded.items.get(position=4).pk,
    )


def test_a_report_without_a_reason_comes_back_with_the_error_and_the_details(page: Page, live_server, graded):
    page.goto(f"{live_server.url}/attempts/{graded.pk}/result")

    item = open_report_form(page, 2)
    item.get_by_label("Details (optional)").fill("Two options look right to me.")
    item.get_by_role("button", name="Send report on item 2").click()

    expect(page.get_by_role("heading", name="Report a problem with item 2")).to_be_visible()
    expect(page.get_by_text("Choose what is wrong with this item.")).to_be_visible()
    expect(page.get_by_label("Details (optional)")).to_have_value("Two options look right to me.")
    page.get_by_label("The question is unclear or ambiguous").check()
    page.get_by_role("button", name="Send report on item 2").click()
    expect(page.get_by_text("your report on item 2 has been sent")).to_be_visible()


def test_a_checked_practice_item_can_be_reported_from_the_exam_page(page: Page, live_server, graded):
    page.goto(f"{live_server.url}/attempts/{graded.pk}/result")
    page.get_by_role("button", name="Retake the 5 questions I got wrong").click()
    item = page.locator("#item-1")
    expect(item.get_by_text("Report a problem with item 1")).to_be_hidden()

    item.locator(".option label").first.click()
    item.get_by_role("button", name="Check answer").click()
    item.get_by_text("Report a problem with item 1").click()
    item.get_by_label("The answer marked correct is wrong").check()
    item.get_by_role("button", name="Send report on item 1").click()

    expect(page.get_by_text("your report on item 1 has been sent")).to_be_visible()
    expect(page.get_by_role("heading", name="Retake: 5 missed items of Reportable exam")).to_be_visible()


def test_retaking_the_wrong_ones_opens_an_attempt_of_exactly_that_many_items(page: Page, live_server, graded):
    page.goto(f"{live_server.url}/attempts/{graded.pk}/result")

    page.get_by_role("button", name="Retake the 5 questions I got wrong").click()

    expect(page.get_by_role("heading", name="Retake: 5 missed items of Reportable exam")).to_be_visible()
    expect(page.get_by_text("Item 1 of 5")).to_be_visible()
    expect(page.get_by_role("toolbar", name="Go to item").get_by_role("button")).to_have_count(5)
    expect(page.get_by_text("Time left")).to_have_count(0)


# --- axe-core on the new pages and states ----------------------------------------------------------


def assert_no_blocking_violations(page: Page) -> None:
    violations = blocking_violations(page)
    assert not violations, "\n".join(violations)


def test_the_result_page_with_a_report_form_open_passes_axe(page: Page, live_server, graded):
    page.goto(f"{live_server.url}/attempts/{graded.pk}/result")
    open_report_form(page, 1)

    assert_no_blocking_violations(page)


def test_the_result_page_after_a_report_passes_axe_in_dark_mode(page: Page, live_server, graded, student):
    page.emulate_media(color_scheme="dark")
    page.goto(f"{live_server.url}/attempts/{graded.pk}/result")
    item = open_report_form(page, 1)
    item.get_by_label("Something else").check()
    item.get_by_role("button", name="Send report on item 1").click()
    expect(page.get_by_text("your report on item 1 has been sent")).to_be_visible()

    assert_no_blocking_violations(page)


def test_the_report_error_page_passes_axe(page: Page, live_server, graded):
    page.goto(f"{live_server.url}/attempts/{graded.pk}/result")
    open_report_form(page, 3).get_by_role("button", name="Send report on item 3").click()
    expect(page.get_by_text("Choose what is wrong with this item.")).to_be_visible()

    assert_no_blocking_violations(page)


def test_the_retake_attempt_with_a_checked_item_passes_axe(page: Page, live_server, graded):
    page.goto(f"{live_server.url}/attempts/{graded.pk}/result")
    page.get_by_role("button", name="Retake the 5 questions I got wrong").click()
    item = page.locator("#item-1")
    item.locator(".option label").first.click()
    item.get_by_role("button", name="Check answer").click()
    item.get_by_text("Report a problem with item 1").click()

    assert_no_blocking_violations(page)


def test_the_instructors_report_list_passes_axe(page: Page, live_server, sign_in, graded, student):
    instructor = UserFactory.create(username="ines", role=Role.INSTRUCTOR)
    graded.exam.path.banks.get().owners.add(instructor)
    report_problem(
        attempt_id=graded.pk, position=1, student=student, reason="typo", details="", now=timezone.now()
    )
    sign_in(instructor)
    page.goto(f"{live_server.url}/admin/quizzes/questionreport/")
    expect(page.get_by_text("1 question report")).to_be_visible()

    assert_no_blocking_violations(page)
