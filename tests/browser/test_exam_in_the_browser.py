"""A student sits an exam in real headless Chromium, graded by the real Celery worker."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from quizzes.models import Answer, Attempt, AttemptState, SubmittedBy
from tests.factories import UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def exam():
    path = path_with_domains(code="BRW-C01", name="Browser Certification")
    bank_for(path, per_domain=6)
    return exam_for(path, title="Browser practice exam", item_count=6, minutes=30)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


def option_labels(page: Page, position: int):
    return page.locator(f"#item-{position} .option label")


def test_a_student_takes_a_whole_exam(page: Page, live_server, celery_worker, exam, csp_violations):
    student = UserFactory.create(username="ada")
    log_in(page, live_server.url, "ada")

    page.goto(f"{live_server.url}/exams/{exam.pk}/")
    with page.expect_navigation():  # to the exam page, loaded: its deferred script has run
        page.get_by_role("button", name="Start exam").click()
    expect(page.get_by_text("Item 1 of 6")).to_be_visible()

    # answer item 1, flag item 2
    option_labels(page, 1).nth(1).click()
    expect(page.get_by_role("status").filter(has_text="All answers saved")).to_be_visible()
    page.get_by_role("button", name="Next").first.click()
    expect(page.get_by_text("Item 2 of 6")).to_be_visible()
    page.locator("#item-2").get_by_label("Flag for review").check()
    expect(page.locator("#save-state")).to_have_text("All answers saved")

    # reload mid-exam: answers, flags and the current item are restored
    response = page.reload()
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_text("Item 2 of 6")).to_be_visible()
    expect(page.locator("#item-2").get_by_label("Flag for review")).to_be_checked()
    expect(page.get_by_role("button", name=re.compile(r"^Item 1, answered"))).to_be_visible()
    expect(page.get_by_role("button", name="Item 2, unanswered, flagged")).to_be_visible()

    # go offline, answer item 3, come back: nothing is lost
    page.get_by_role("button", name=re.compile(r"^Item 3,")).click()
    page.context.set_offline(True)
    option_labels(page, 3).first.click()
    expect(page.locator("#save-state")).to_have_text("Not saved, retrying…")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#save-state")).to_have_text("All answers saved", timeout=15000)
    attempt = Attempt.objects.get(student=student)
    assert Answer.objects.get(item__attempt=attempt, item__position=3).selected != []
    # the exam page did all of this under the Content-Security-Policy with nothing blocked
    assert csp_violations.reported() == []

    # review, submit, and see the graded result with the domain breakdown
    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_text("2 of 6 items answered, 1 flagged.")).to_be_visible()
    page.get_by_role("button", name="Submit exam").click()
    expect(page.get_by_role("dialog")).to_contain_text("You have 4 unanswered items")
    page.get_by_role("button", name="Yes, submit").click()
    expect(page.get_by_role("heading", name="By domain")).to_be_visible(timeout=30000)
    expect(page.get_by_role("img", name=re.compile(r"Domain 1: "))).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED
    assert csp_violations.reported() == []  # nor on the result page


def test_the_exam_submits_itself_when_time_runs_out(page: Page, live_server, celery_worker, exam):
    student = UserFactory.create(username="grace")
    log_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/exams/{exam.pk}/")
    with page.expect_navigation():  # to the exam page, loaded: its deferred script has run
        page.get_by_role("button", name="Start exam").click()
    expect(page.get_by_text("Item 1 of 6")).to_be_visible()
    attempt = Attempt.objects.get(student=student)
    attempt.deadline = timezone.now() + dt.timedelta(seconds=6)
    attempt.save(update_fields=["deadline"])

    page.reload()
    option_labels(page, 1).first.click()
    expect(page.get_by_role("alert").filter(has_text="1 minute left.")).to_be_visible()

    expect(page.get_by_role("heading", name="By domain")).to_be_visible(timeout=30000)
    expect(page.get_by_text("Submitted by the timer when time ran out")).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED
    assert attempt.submitted_by == SubmittedBy.TIMER
    assert attempt.finished_at is not None
    assert attempt.deadline is not None
    assert attempt.finished_at <= attempt.deadline
    assert Answer.objects.get(item__attempt=attempt, item__position=1).selected != []


def test_practice_mode_shows_the_answer_and_explanation_after_each_item(page: Page, live_server):
    from tests.quizzes.delivery import add_question

    path = path_with_domains((100,), code="PRC-C01")
    bank = bank_for(path, per_domain=0)
    add_question(bank, path.domains.get())  # single choice: one correct option
    exam = exam_for(path, title="Practice", item_count=1, mode="practice")
    UserFactory(username="lin")
    log_in(page, live_server.url, "lin")
    page.goto(f"{live_server.url}/exams/{exam.pk}/")
    with page.expect_navigation():  # to the exam page, loaded: its deferred script has run
        page.get_by_role("button", name="Start exam").click()

    option_labels(page, 1).first.click()
    page.locator("#item-1").get_by_role("button", name="Check answer").click()

    feedback = page.locator("#item-1 .feedback")
    expect(feedback).to_contain_text("Because option A")
    expect(page.locator("#item-1 .option.correct")).to_have_count(1)
    expect(page.locator("#item-1 .option input").first).to_be_disabled()
    page.reload()
    expect(page.locator("#item-1 .feedback")).to_contain_text("Because option A")


def test_a_multiple_response_item_enforces_choose_n(page: Page, live_server):
    from quizzes.models import QuestionType
    from tests.quizzes.delivery import add_question

    path = path_with_domains((100,), code="MR-C01")
    bank = bank_for(path, per_domain=0)
    add_question(bank, path.domains.get(), qtype=QuestionType.MULTIPLE, choose=2)
    exam = exam_for(path, title="Choose two", item_count=1)
    UserFactory(username="max")
    log_in(page, live_server.url, "max")
    page.goto(f"{live_server.url}/exams/{exam.pk}/")
    with page.expect_navigation():  # to the exam page, loaded: its deferred script has run
        page.get_by_role("button", name="Start exam").click()

    expect(page.get_by_text("Choose 2.")).to_be_visible()
    boxes = page.locator("#item-1 .option input")
    boxes.nth(0).check()
    boxes.nth(1).check()
    boxes.nth(2).click()

    expect(page.get_by_role("alert").filter(has_text="Choose 2: untick an option")).to_be_visible()
    expect(boxes.nth(2)).not_to_be_checked()
    expect(page.locator("#save-state")).to_have_text("All answers saved")


def test_the_time_an_item_was_shown_reaches_its_answer_but_the_review_screens_does_not(
    page: Page, live_server, exam
):
    student = UserFactory.create(username="tim")
    log_in(page, live_server.url, "tim")
    page.goto(f"{live_server.url}/exams/{exam.pk}/")
    with page.expect_navigation():  # to the exam page, loaded: its deferred script has run
        page.get_by_role("button", name="Start exam").click()
    expect(page.get_by_text("Item 1 of 6")).to_be_visible()

    page.wait_for_timeout(1200)  # reading item 1
    page.get_by_role("button", name="Review and submit").click()
    page.wait_for_timeout(5000)  # on the review screen: no item's time
    page.get_by_role("button", name=re.compile(r"^Item 1,")).first.click()
    page.wait_for_timeout(300)
    option_labels(page, 1).first.click()
    expect(page.locator("#save-state")).to_have_text("All answers saved")

    spent = Answer.objects.get(item__attempt__student=student, item__position=1).time_ms
    assert 1400 <= spent < 5000  # item 1 shown about 1.5 s (and the clicks); the review's 5 s not counted


def test_answers_given_and_submitted_offline_reach_the_graded_result(
    page: Page, live_server, celery_worker, exam
):
    student = UserFactory.create(username="otto")
    log_in(page, live_server.url, "otto")
    page.goto(f"{live_server.url}/exams/{exam.pk}/")
    with page.expect_navigation():  # to the exam page, loaded: its deferred script has run
        page.get_by_role("button", name="Start exam").click()
    expect(page.get_by_text("Item 1 of 6")).to_be_visible()

    # the connection drops: answer two items and submit, all while offline
    page.context.set_offline(True)
    option_labels(page, 1).first.click()
    page.get_by_role("button", name=re.compile(r"^Item 2,")).click()
    option_labels(page, 2).first.click()
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("button", name="Submit exam").click()
    page.get_by_role("button", name="Yes, submit").click()
    expect(page.locator("#save-state")).to_contain_text("You are offline", timeout=15000)
    attempt = Attempt.objects.get(student=student)
    assert attempt.state == AttemptState.IN_PROGRESS
    assert not Answer.objects.filter(item__attempt=attempt).exists()

    # back online: the queued answers are sent, then the submit, and both count in the grade
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_role("heading", name="By domain")).to_be_visible(timeout=30000)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED
    answered = Answer.objects.filter(item__attempt=attempt).exclude(selected=[])
    assert sorted(answered.values_list("item__position", flat=True)) == [1, 2]


def test_the_api_docs_page_renders_swagger_ui_under_its_policy(page: Page, live_server, csp_violations):
    page.goto(f"{live_server.url}/api/v1/docs/")

    # Swagger UI renders once it has fetched the schema, which is generated on that request
    expect(page.get_by_role("heading", name=re.compile("Certification LMS API"))).to_be_visible(timeout=30000)
    expect(page.get_by_text("/api/v1/exams/").first).to_be_visible()
    assert csp_violations.reported() == []


def test_the_csp_listener_reports_a_blocked_inline_script(page: Page, live_server, csp_violations):
    page.goto(f"{live_server.url}/accounts/login/")

    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.append(s); }"
    )

    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("window.ran") is None
    assert any("script-src" in violation for violation in csp_violations.reported())
