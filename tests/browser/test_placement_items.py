"""Ordering and matching items in real Chromium, by keyboard only, graded by the real Celery worker."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from quizzes.models import AttemptItem, QuestionType, ReviewPolicy
from tests.browser.exam_pages import started
from tests.browser.test_accessibility import blocking_violations
from tests.factories import QuestionBankFactory, UserFactory
from tests.quizzes.delivery import add_question, exam_for, path_with_domains

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def attempt(sign_in):
    student = UserFactory.create(username="ola")
    sign_in(student)
    path = path_with_domains((100,), code="PLC-C01", name="Placement Certification")
    bank = QuestionBankFactory.create(path=path, slug="placement-browser-bank")
    add_question(bank, path.domains.get(), qtype=QuestionType.ORDERING)
    add_question(bank, path.domains.get(), qtype=QuestionType.MATCHING)
    exam = exam_for(path, title="Placement exam", item_count=2, minutes=30, review_policy=ReviewPolicy.FULL)
    return started(exam, student)


def tab_to(page: Page, target: Locator, *, most: int = 12) -> None:
    """Press Tab until target has the focus, as a keyboard user would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def answer_by_keyboard(page: Page, item: AttemptItem) -> None:
    """Give every step its right position, or every prompt its right answer, typing into each select."""
    for option in item.snapshot["options"]:
        mark = option["text_html"].split()[-1]  # "Step 3" goes to 3, "Prompt B" to "Answer B"
        select = page.locator(f"#item-{item.position}").get_by_label(option["text_html"])
        tab_to(page, select)
        page.keyboard.type(mark if item.snapshot["qtype"] == "ordering" else f"Answer {mark}")
        expect(select).not_to_have_value("")


def test_ordering_and_matching_answered_by_keyboard_are_scored_correct(
    page: Page, live_server, celery_worker, attempt, csp_violations
):
    page.goto(live_server.url + attempt.get_absolute_url())
    first, second = attempt.items.order_by("position")
    expect(page.get_by_text("Item 1 of 2")).to_be_visible()
    assert blocking_violations(page) == []

    answer_by_keyboard(page, first)
    expect(page.locator("#save-state")).to_have_text("All answers saved")
    tab_to(page, page.locator("#item-1").get_by_role("button", name="Next"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Item 2 of 2")).to_be_visible()
    answer_by_keyboard(page, second)
    expect(page.locator("#save-state")).to_have_text("All answers saved")
    tab_to(page, page.locator("#item-2").get_by_role("button", name="Review answers"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("2 of 2 items answered, 0 flagged.")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Submit exam"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Yes, submit"), most=3)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Pass")).to_be_visible(timeout=30000)
    expect(page.get_by_role("heading", name="Item 1 · Correct")).to_be_visible()
    expect(page.get_by_role("heading", name="Item 2 · Correct")).to_be_visible()
    ordering = page.get_by_role("table").filter(has_text="Steps in the right order")
    expect(ordering.get_by_role("row").nth(1)).to_contain_text("Step 1")
    assert blocking_violations(page) == []
    assert csp_violations.reported() == []


def test_practice_feedback_shows_the_right_position_of_each_step(page: Page, live_server, sign_in):
    student = UserFactory.create(username="pia")
    sign_in(student)
    path = path_with_domains((100,), code="PLP-C01", name="Placement Practice")
    bank = QuestionBankFactory.create(path=path, slug="placement-practice-bank")
    add_question(bank, path.domains.get(), qtype=QuestionType.ORDERING)
    attempt = started(exam_for(path, title="Placement practice", item_count=1, mode="practice"), student)
    page.goto(live_server.url + attempt.get_absolute_url())
    item = page.locator("#item-1")

    wanted = {"Step 1": "2", "Step 2": "1", "Step 3": "3", "Step 4": "4"}  # the first two swapped
    for option in attempt.items.get().snapshot["options"]:  # in the order the page shows them
        tab_to(page, item.get_by_label(option["text_html"]))
        page.keyboard.type(wanted[option["text_html"]])
    tab_to(page, item.get_by_role("button", name="Check answer"))
    page.keyboard.press("Enter")

    expect(item.locator(".feedback")).to_be_focused()
    expect(item.locator(".feedback")).to_contain_text("Not quite.")
    expect(item.locator(".placement").filter(has_text="Step 1")).to_contain_text("Right position: 1.")
    expect(item.locator(".placement").filter(has_text="Step 3")).to_contain_text(
        "Correct. Right position: 3."
    )
    expect(item.get_by_label("Step 1")).to_be_disabled()
