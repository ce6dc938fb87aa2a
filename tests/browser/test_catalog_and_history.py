"""What a person sees: filtering the catalog by its labelled fields, and reading the attempt history."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from courses.models import PathStatus, Provider, PublicationStatus
from quizzes.models import AttemptState, SubmittedBy
from tests.browser.conftest import CspViolations
from tests.factories import (
    AttemptFactory,
    CertificationPathFactory,
    CourseFactory,
    ExamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE: ViewportSize = {"width": 375, "height": 740}


@pytest.fixture
def catalog() -> None:
    CertificationPathFactory(code="SAA-C03", name="Solutions Architect Associate", provider=Provider.AWS)
    CertificationPathFactory(code="CLF-C02", name="Cloud Practitioner", provider=Provider.AWS)
    CertificationPathFactory(
        code="MLS-C01",
        name="Machine Learning Specialty",
        provider=Provider.AWS,
        level="Specialty",
        status=PathStatus.RETIRED,
        retired_on=dt.date(2026, 3, 31),
    )
    azure = CertificationPathFactory(code="AZ-104", name="Azure Administrator", provider=Provider.AZURE)
    CourseFactory(path=azure, title="Cloud architecture basics", status=PublicationStatus.PUBLISHED)


def cards(page: Page) -> list[str]:
    return page.locator(".card .code").all_inner_texts()


def test_a_visitor_filters_the_catalog_by_provider_and_search_words(
    page: Page, live_server, catalog: None, csp_violations: CspViolations
):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("status")).to_have_text("4 paths in the catalog.")

    page.get_by_label("Provider").select_option(label="AWS")
    page.get_by_label("Search").fill("architect")
    page.get_by_role("button", name="Show paths").click()

    expect(page).to_have_url(re.compile(r"\?q=architect&provider=aws"))
    expect(page.get_by_role("status")).to_have_text("1 path matches your filters.")
    assert cards(page) == ["SAA-C03"]
    expect(page.get_by_label("Search")).to_have_value("architect")
    assert csp_violations.reported() == []


def test_a_shared_address_shows_the_same_results_and_reset_brings_back_everything(
    page: Page, live_server, catalog: None
):
    page.goto(live_server.url + "/?status=retired")
    assert cards(page) == ["MLS-C01"]

    page.get_by_role("link", name="Reset filters").click()

    expect(page.get_by_role("status")).to_have_text("4 paths in the catalog.")


def test_no_match_offers_a_way_back(page: Page, live_server, catalog: None):
    page.goto(live_server.url + "/?q=mainframe")

    expect(page.get_by_role("heading", name="No paths match")).to_be_visible()
    page.get_by_role("link", name="reset the filters and see every path").click()
    assert len(cards(page)) == 4


def test_the_filters_fit_a_phone_screen(page: Page, live_server, catalog: None):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    box = page.get_by_label("Status").bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONE["width"]


# --- Attempt history ------------------------------------------------------------------------------


@pytest.fixture
def student_with_history():
    student = UserFactory(username="hana")
    path = CertificationPathFactory(code="HIS-C01", name="History Certification")
    exam = ExamFactory(path=path, title="Full practice exam", pass_percent=72)
    start = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    for day, score in enumerate((48.0, 64.0, 80.0), start=1):
        finished = start + dt.timedelta(days=day)
        AttemptFactory(
            exam=exam,
            student=student,
            state=AttemptState.GRADED,
            started_at=finished - dt.timedelta(minutes=40),
            submitted_at=finished,
            finished_at=finished,
            graded_at=finished,
            score_percent=score,
            scaled_score=round(score * 10),
            passed=score >= 72,
            submitted_by=SubmittedBy.TIMER if day == 2 else SubmittedBy.STUDENT,
        )
    return student


def test_a_student_opens_the_history_from_the_dashboard_and_reads_the_table(
    page: Page, live_server, sign_in, student_with_history, csp_violations: CspViolations
):
    sign_in(student_with_history)
    page.goto(live_server.url + "/dashboard/")

    page.get_by_role("link", name="Attempt history and score trend per path").click()

    chart = page.get_by_role("img", name=re.compile("Score trend for HIS-C01"))
    expect(chart).to_have_accessible_name(
        "Score trend for HIS-C01: 3 attempts, from 48% to 80%, best 80%, pass mark 72%."
    )
    table = page.get_by_role("table", name="Graded attempts at HIS-C01, oldest first")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1).locator("th, td")).to_have_text(
        [
            "Attempt 2",
            "4 Nov 2026 09:30",
            "Full practice exam",
            "64%",
            "640",
            "Not passed",
            "Timer (time ran out)",
        ]
    )
    expect(table.get_by_role("columnheader", name="Scaled score")).to_be_visible()
    assert csp_violations.reported() == []


def test_the_history_fits_a_phone_screen_in_dark_mode(page: Page, live_server, sign_in, student_with_history):
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="dark")
    sign_in(student_with_history)
    page.goto(live_server.url + "/dashboard/history/")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    chart = page.locator("svg.chart").bounding_box()
    assert chart is not None
    assert chart["width"] <= PHONE["width"]
    line_colour = page.locator(".chart-line").evaluate("el => getComputedStyle(el).stroke")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert line_colour != background
