"""A student works through today's review session in real headless Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from quizzes.models import ReviewCard, ReviewLog
from quizzes.spacing import ReviewRating
from tests.browser.test_exam_in_the_browser import log_in
from tests.factories import UserFactory
from tests.quizzes.test_reviews import graded_attempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_student_reviews_the_items_they_missed(page: Page, live_server):
    student = UserFactory.create(username="grace")
    graded_attempt(student, right=4)  # two of six items missed
    log_in(page, live_server.url, "grace")

    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_text("2 items due for review today.")).to_be_visible()
    page.get_by_role("link", name="Start review").click()
    expect(page.get_by_role("heading", name="Today's review")).to_be_visible()
    expect(page.get_by_text("2 items due for review.")).to_be_visible()

    # the first item: pick the correct option, check, and accept the suggested rating
    first = ReviewCard.objects.select_related("item").order_by("due", "id")[0]
    right_text = next(o["text_html"] for o in first.item.snapshot["options"] if o["is_correct"])
    page.get_by_label(re.sub(r"<[^>]+>", "", right_text)).check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.get_by_role("heading", name="Correct")).to_be_visible()
    expect(page.get_by_text("Suggested from your answer: Good")).to_be_visible()
    expect(page.get_by_text("Explanation.")).to_be_visible()
    page.get_by_role("button", name="Good").click()
    expect(page.get_by_role("status")).to_contain_text("Rated Good. This item comes back on")
    expect(page.get_by_text("1 item due for review.")).to_be_visible()

    # the second: check without answering, see the key, and rate it Again
    page.get_by_role("button", name="Check answer").click()
    expect(page.get_by_role("heading", name="No answer given")).to_be_visible()
    expect(page.get_by_text("Correct answer:")).to_be_visible()
    page.get_by_role("button", name="Again").click()
    expect(page.get_by_text("Nothing due for review.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"your next review is due on"))).to_be_visible()

    ratings = list(ReviewLog.objects.order_by("reviewed_at").values_list("rating", "correct"))
    assert ratings == [(ReviewRating.GOOD, True), (ReviewRating.AGAIN, False)]
