"""The exam page of a 65-item exam with a keyboard and on a phone: the navigator, review, feedback."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.exam_pages import long_exam, started
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def attempt(sign_in):
    student = UserFactory.create(username="kim")
    sign_in(student)
    return started(long_exam(), student)


def open_item(page: Page, position: int) -> None:
    navigator_button(page, position).click()
    expect(page.get_by_text(f"Item {position} of 65")).to_be_visible()


def navigator_button(page: Page, position: int):
    toolbar = page.get_by_role("toolbar", name="Go to item")
    return toolbar.get_by_role("button", name=re.compile(rf"^Item {position},"))


def test_the_navigator_is_one_tab_stop(page: Page, live_server, attempt):
    page.goto(live_server.url + attempt.get_absolute_url())
    open_item(page, 4)
    navigator_button(page, 4).focus()

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Review and submit")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(navigator_button(page, 4)).to_be_focused()


def test_arrow_keys_move_through_the_navigator(page: Page, live_server, attempt):
    page.goto(live_server.url + attempt.get_absolute_url())
    open_item(page, 4)
    navigator_button(page, 4).focus()

    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    expect(navigator_button(page, 1)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Item 1 of 65")).to_be_visible()


def test_home_and_end_reach_the_first_and_last_item(page: Page, live_server, attempt):
    page.goto(live_server.url + attempt.get_absolute_url())
    navigator_button(page, 1).focus()

    page.keyboard.press("End")
    expect(navigator_button(page, 65)).to_be_focused()
    page.keyboard.press("Home")
    expect(navigator_button(page, 1)).to_be_focused()


def test_the_navigator_can_show_only_flagged_items(page: Page, live_server, attempt):
    page.goto(live_server.url + attempt.get_absolute_url())
    open_item(page, 7)
    page.locator("#item-7").get_by_label("Flag for review").check()

    page.get_by_role("navigation", name="Items").get_by_role("radio", name="Flagged").check()

    buttons = page.get_by_role("toolbar", name="Go to item").get_by_role("button")
    expect(buttons).to_have_count(1)
    expect(buttons).to_have_accessible_name("Item 7, unanswered, flagged")


def test_the_navigator_can_show_only_unanswered_items(page: Page, live_server, attempt):
    page.goto(live_server.url + attempt.get_absolute_url())
    page.locator("#item-1 .option label").first.click()

    page.get_by_role("navigation", name="Items").get_by_role("radio", name="Unanswered").check()

    expect(page.get_by_role("toolbar", name="Go to item").get_by_role("button")).to_have_count(64)
    expect(navigator_button(page, 1)).to_have_count(0)


def test_the_navigator_fits_a_phone_screen(page: Page, live_server, attempt):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + attempt.get_absolute_url())

    page.get_by_text("Items", exact=False).first.click()  # the folded navigator's summary

    expect(navigator_button(page, 65)).to_be_visible()
    right_edges = page.locator("#navigator-items .nav-item").evaluate_all(
        "buttons => buttons.map(b => b.getBoundingClientRect().right)"
    )
    assert max(right_edges) <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_submit_is_one_tab_from_the_review_heading(page: Page, live_server, attempt):
    page.goto(live_server.url + attempt.get_absolute_url())
    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_role("heading", name="Review before you submit")).to_be_focused()

    page.keyboard.press("Tab")

    expect(page.get_by_role("button", name="Submit exam")).to_be_focused()


def test_the_review_screen_offers_the_unanswered_items_as_one_tab_stop(page: Page, live_server, attempt):
    page.goto(live_server.url + attempt.get_absolute_url())
    page.locator("#item-1 .option label").first.click()
    page.get_by_role("button", name="Review and submit").click()

    review_items = page.get_by_role("toolbar", name="Go back to an item").get_by_role("button")
    expect(review_items).to_have_count(64)
    page.get_by_role("button", name="Submit exam").focus()
    page.keyboard.press("Tab")  # the filter's checked radio
    page.keyboard.press("Tab")
    expect(review_items.first).to_be_focused()
    page.keyboard.press("Tab")
    expect(review_items.first).not_to_be_focused()
    expect(review_items.nth(1)).not_to_be_focused()


def test_checking_an_answer_in_practice_mode_keeps_focus_on_the_item(page: Page, live_server, sign_in):
    student = UserFactory.create(username="ivo")
    sign_in(student)
    attempt = started(long_exam(items=3, mode="practice", code="PRC-C02"), student)
    page.goto(live_server.url + attempt.get_absolute_url())

    page.locator("#item-1 .option label").first.click()
    page.locator("#item-1").get_by_role("button", name="Check answer").click()

    expect(page.get_by_role("region", name="Feedback on item 1")).to_be_focused()
