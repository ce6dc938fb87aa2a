"""Study aids on the exam page: ruling options out, and no site menu while a timed exam runs."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.exam_pages import long_exam, started
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def student(sign_in):
    user = UserFactory.create(username="noa")
    sign_in(user)
    return user


def first_rule_out(page: Page):
    return page.locator("#item-1").get_by_role("button", name="Rule out:").first


def test_an_option_ruled_out_stays_ruled_out_after_a_reload(page: Page, live_server, student):
    attempt = started(long_exam(items=3), student)
    page.goto(live_server.url + attempt.get_absolute_url())

    first_rule_out(page).click()
    page.reload()

    expect(first_rule_out(page)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#item-1 .option label").first).to_have_css("text-decoration-line", "line-through")


def test_an_option_is_ruled_out_and_back_in_from_the_keyboard(page: Page, live_server, student):
    attempt = started(long_exam(items=3), student)
    page.goto(live_server.url + attempt.get_absolute_url())

    first_rule_out(page).focus()
    page.keyboard.press("Space")
    expect(first_rule_out(page)).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Enter")
    expect(first_rule_out(page)).to_have_attribute("aria-pressed", "false")


def test_ruling_an_option_out_does_not_answer_the_item(page: Page, live_server, student):
    attempt = started(long_exam(items=3), student)
    page.goto(live_server.url + attempt.get_absolute_url())

    first_rule_out(page).click()

    expect(
        page.get_by_role("toolbar", name="Go to item").get_by_role("button").first
    ).to_have_accessible_name("Item 1, unanswered")


def test_a_note_on_an_item_is_kept_after_a_reload(page: Page, live_server, student):
    attempt = started(long_exam(items=3), student)
    page.goto(live_server.url + attempt.get_absolute_url())

    page.locator("#item-1").get_by_text("Note", exact=True).click()
    page.get_by_label("Your note on item 1").fill("Check the quota rule again")
    page.reload()

    expect(page.get_by_label("Your note on item 1")).to_have_value("Check the quota rule again")


def test_a_timed_exam_hides_the_site_menu(page: Page, live_server, student):
    attempt = started(long_exam(items=3), student)

    page.goto(live_server.url + attempt.get_absolute_url())

    expect(page.get_by_text("Time left:")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()


def test_an_untimed_practice_set_keeps_the_site_menu(page: Page, live_server, student):
    exam = long_exam(items=3, mode="practice", code="UNT-C01")
    exam.minutes = None
    exam.save(update_fields=["minutes"])

    page.goto(live_server.url + started(exam, student).get_absolute_url())

    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
