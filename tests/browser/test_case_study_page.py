"""A case-study item on the exam and result pages: the scenario folded above it, opened by keyboard."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.roles import Role
from quizzes import grading, services
from quizzes.models import Answer, Attempt, Question
from tests.browser.exam_pages import started
from tests.browser.test_accessibility import blocking_violations
from tests.factories import CaseStudyFactory, QuestionBankFactory, QuestionFactory, UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCENARIO = "Tarnwick Ferries sails **six** routes and sells tickets from one server in its head office."


@pytest.fixture
def attempt(sign_in) -> Attempt:
    """An attempt at an eight-item exam, three of whose items share a case study."""
    path = path_with_domains((50, 50), code="CASE-C01", name="Case Certification")
    bank = bank_for(path, per_domain=4)
    case = CaseStudyFactory(bank=bank, title="Tarnwick Ferries", scenario=SCENARIO)
    Question.objects.filter(pk__in=list(bank.questions.values_list("pk", flat=True)[:3])).update(
        case_study=case
    )
    student = UserFactory.create(username="lee")
    sign_in(student)
    return started(exam_for(path, item_count=8, minutes=30), student)


def first_case_position(attempt: Attempt) -> int:
    return min(attempt.items.filter(question__case_study__isnull=False).values_list("position", flat=True))


def test_a_student_opens_the_scenario_by_keyboard_and_answers(
    page: Page, live_server, attempt, csp_violations
):
    position = first_case_position(attempt)
    page.goto(live_server.url + attempt.get_absolute_url())
    page.get_by_role("toolbar", name="Go to item").get_by_role(
        "button", name=re.compile(rf"^Item {position},.*case study Tarnwick Ferries$")
    ).click()
    item = page.locator(f"#item-{position}")
    expect(item.get_by_text(f"Item {position} of 8")).to_be_visible()
    summary = item.locator("summary", has_text="Case study: Tarnwick Ferries")
    scenario = item.get_by_text("sells tickets from one server")
    expect(scenario).to_be_hidden()

    summary.focus()
    page.keyboard.press("Enter")

    expect(scenario).to_be_visible()
    expect(item.locator("details.case-study")).to_have_attribute("open", "")
    page.keyboard.press("Tab")  # into the item's options
    page.keyboard.press("Space")
    expect(page.locator("#save-state")).to_have_text("All answers saved")
    assert Answer.objects.get(item__attempt=attempt, item__position=position).selected != []
    violations = blocking_violations(page)
    assert not violations, "\n".join(violations)
    assert csp_violations.reported() == []


def test_the_scenario_stays_open_on_the_next_item_of_the_case(page: Page, live_server, attempt):
    position = first_case_position(attempt)
    page.goto(live_server.url + attempt.get_absolute_url())
    page.get_by_role("toolbar", name="Go to item").get_by_role(
        "button", name=re.compile(rf"^Item {position},")
    ).click()
    page.locator(f"#item-{position} summary", has_text="Tarnwick Ferries").click()

    page.locator(f"#item-{position}").get_by_role("button", name="Next").click()

    expect(page.get_by_text(f"Item {position + 1} of 8")).to_be_visible()
    expect(page.locator(f"#item-{position + 1}").get_by_text("sells tickets from one server")).to_be_visible()


def test_the_items_of_the_case_study_follow_each_other_in_the_navigator(page: Page, live_server, attempt):
    page.goto(live_server.url + attempt.get_absolute_url())

    marked = page.locator("#navigator-items .nav-item--case")

    expect(marked).to_have_count(3)
    positions = [int(text) for text in marked.all_inner_texts()]
    assert positions == list(range(positions[0], positions[0] + 3))
    expect(page.get_by_text("part of a case study")).to_be_visible()


def test_the_scenario_reads_at_375_px_without_sideways_scrolling(page: Page, live_server, attempt):
    page.set_viewport_size({"width": 375, "height": 740})
    position = first_case_position(attempt)
    page.goto(live_server.url + attempt.get_absolute_url())
    page.locator("#navigator-panel summary").click()  # the navigator starts folded on a phone
    page.get_by_role("toolbar", name="Go to item").get_by_role(
        "button", name=re.compile(rf"^Item {position},")
    ).click()

    page.locator(f"#item-{position} summary", has_text="Tarnwick Ferries").click()

    expect(page.locator(f"#item-{position}").get_by_text("sells tickets from one server")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_result_page_shows_the_scenario_with_its_items(page: Page, live_server, attempt):
    services.submit_attempt(attempt_id=attempt.pk, student=attempt.student, now=timezone.now())
    grading.grade_attempt(attempt_id=attempt.pk)
    position = first_case_position(attempt)

    page.goto(f"{live_server.url}/attempts/{attempt.pk}/result?show=all")
    review = page.locator(f"#review-item-{position}-case")
    review.locator("summary").click()

    expect(review.get_by_text("sells tickets from one server")).to_be_visible()
    violations = blocking_violations(page)
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("url", ["add/", "{pk}/change/"])
def test_the_case_study_admin_pages_are_axe_clean(page: Page, live_server, sign_in, url):
    instructor = UserFactory.create(username="ines", role=Role.INSTRUCTOR)
    bank = QuestionBankFactory(owners=[instructor])
    case = CaseStudyFactory.create(bank=bank)
    QuestionFactory(bank=bank, case_study=case)
    sign_in(instructor)

    response = page.goto(f"{live_server.url}/admin/quizzes/casestudy/{url.format(pk=case.pk)}")

    assert response is not None
    assert response.status == 200
    violations = blocking_violations(page)
    assert not violations, "\n".join(violations)
