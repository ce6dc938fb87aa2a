"""Problem reports: who may report which item, the caps, the form, and what instructors see."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from core.roles import Role
from quizzes.exceptions import AttemptNotFound, ItemNotReportable, ReportAlreadyOpen, ReportLimitReached
from quizzes.models import QuestionReport, ReportReason, ReportStatus
from quizzes.models.reports import REPORTS_PER_ATTEMPT
from quizzes.services.reports import report_problem, resolve_reports
from tests.browser.exam_pages import started
from tests.factories import UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains
from tests.quizzes.graded import graded_attempt, small_exam

pytestmark = pytest.mark.django_db

# The user, the attempt, its items with their answers, the student's reports, the domain results.
RESULT_PAGE_QUERIES = 5
# Their permissions (two), the bank and path filters' options, the filtered and full counts, the
# page of reports with their joins, the date hierarchy's range and its days (the signed-in user
# comes from the cache after the first request: core/auth.py).
REPORT_LIST_QUERIES = 9


def report(attempt: Any, student: Any, position: int = 1, **fields: Any) -> QuestionReport:
    values = {"reason": ReportReason.WRONG_KEY, "details": "", **fields}
    return report_problem(
        attempt_id=attempt.pk, position=position, student=student, now=timezone.now(), **values
    )


@pytest.fixture
def graded(student):
    return graded_attempt(small_exam(), student, right=3, wrong=2)


# --- The service ----------------------------------------------------------------------------------


def test_a_report_records_the_question_revision_and_item_the_student_saw(graded, student):
    item = graded.items.get(position=2)

    made = report(graded, student, position=2, reason=ReportReason.TYPO, details="  'teh' in the stem  ")

    assert (made.question_id, made.question_revision, made.item_id) == (
        item.question_id,
        item.question_revision,
        item.pk,
    )
    assert (made.reporter, made.reason, made.details, made.status) == (
        student,
        ReportReason.TYPO,
        "'teh' in the stem",
        ReportStatus.OPEN,
    )


def test_an_item_of_another_students_attempt_reads_as_missing(graded):
    with pytest.raises(AttemptNotFound):
        report(graded, UserFactory.create())


def test_a_position_the_attempt_does_not_have_reads_as_missing(graded, student):
    with pytest.raises(AttemptNotFound):
        report(graded, student, position=99)


def test_an_item_of_an_open_exam_attempt_cannot_be_reported_before_its_answer_is_shown(student):
    attempt = started(small_exam(), student)

    with pytest.raises(ItemNotReportable, match="once you have seen its answer"):
        report(attempt, student)


def test_a_checked_practice_item_can_be_reported_while_the_attempt_is_open(student):
    attempt = started(small_exam(mode="practice"), student)
    attempt.items.filter(position=3).update(checked=True)

    made = report(attempt, student, position=3)

    assert made.item.position == 3


def test_a_student_has_one_open_report_per_question_revision(graded, student):
    report(graded, student, position=1)

    with pytest.raises(ReportAlreadyOpen, match="already reported this question"):
        report(graded, student, position=1, reason=ReportReason.OTHER)
    assert QuestionReport.objects.count() == 1


def test_a_resolved_report_leaves_room_for_a_new_one(graded, student, instructor):
    first = report(graded, student, position=1)
    resolve_reports(reports=QuestionReport.objects.all(), by=instructor, now=timezone.now())

    again = report(graded, student, position=1)

    assert again.pk != first.pk


def test_one_attempt_takes_at_most_its_cap_of_reports(student):
    path = path_with_domains((100,))
    bank_for(path, per_domain=REPORTS_PER_ATTEMPT + 1)
    attempt = graded_attempt(exam_for(path, item_count=REPORTS_PER_ATTEMPT + 1), student, right=0)
    for position in range(1, REPORTS_PER_ATTEMPT + 1):
        report(attempt, student, position=position)

    with pytest.raises(ReportLimitReached, match=f"reported {REPORTS_PER_ATTEMPT} items"):
        report(attempt, student, position=REPORTS_PER_ATTEMPT + 1)


def test_resolving_marks_only_open_reports_and_says_who(graded, student, instructor):
    made = report(graded, student)
    now = timezone.now()

    assert resolve_reports(reports=QuestionReport.objects.all(), by=instructor, now=now) == 1
    assert resolve_reports(reports=QuestionReport.objects.all(), by=instructor, now=now) == 0
    made.refresh_from_db()
    assert (made.status, made.resolved_by, made.resolved_at) == (ReportStatus.RESOLVED, instructor, now)


# --- The page ---------------------------------------------------------------------------------------


def test_the_result_page_offers_a_labelled_report_form_on_each_reviewed_item(client: Client, graded, student):
    client.force_login(student)

    page = client.get(f"/attempts/{graded.pk}/result").content.decode()

    assert page.count("Report a problem with item") == 8
    assert "What is wrong with item 1?" in page
    assert 'for="report-1-reason_0"' in page
    assert "The answer marked correct is wrong" in page


def test_reporting_from_the_result_page_confirms_and_returns_to_the_item(client: Client, graded, student):
    cache.clear()
    client.force_login(student)

    response = client.post(
        f"/attempts/{graded.pk}/items/4/report", {"reason": "outdated", "details": "The limit is 10 now."}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/attempts/{graded.pk}/result#review-item-4"
    page = client.get(response["Location"]).content.decode()
    assert "your report on item 4 has been sent to the question&#x27;s instructors" in page
    assert "You reported a problem with this item (the content is outdated)" in page
    assert page.count("Report a problem with item") == 7


def test_a_report_without_a_reason_shows_the_form_again_with_the_error_and_the_details(
    client: Client, graded, student
):
    cache.clear()
    client.force_login(student)

    response = client.post(f"/attempts/{graded.pk}/items/2/report", {"details": "Option B is also right."})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose what is wrong with this item." in page
    assert "Option B is also right.</textarea>" in page
    assert not QuestionReport.objects.exists()


def test_details_longer_than_the_limit_are_refused_with_a_message(client: Client, graded, student):
    cache.clear()
    client.force_login(student)

    response = client.post(
        f"/attempts/{graded.pk}/items/2/report", {"reason": "other", "details": "x" * 2001}
    )

    assert response.status_code == 400
    assert "Ensure this value has at most 2000 characters" in response.content.decode()


def test_a_refused_report_shows_why_on_the_form(client: Client, graded, student):
    cache.clear()
    client.force_login(student)
    client.post(f"/attempts/{graded.pk}/items/2/report", {"reason": "typo"})

    response = client.post(f"/attempts/{graded.pk}/items/2/report", {"reason": "typo", "details": "Twice"})

    assert response.status_code == 409
    assert "You have already reported this question" in response.content.decode()


def test_another_students_attempt_answers_404_to_a_report(client: Client, graded):
    client.force_login(UserFactory.create())

    response = client.post(f"/attempts/{graded.pk}/items/1/report", {"reason": "typo"})

    assert response.status_code == 404


def test_the_report_address_takes_posts_only(client: Client, graded, student):
    client.force_login(student)

    assert client.get(f"/attempts/{graded.pk}/items/1/report").status_code == 405


def test_reports_are_throttled_per_user(client: Client, graded, student, settings):
    settings.REPORT_RATE = "2/m"
    cache.clear()
    client.force_login(student)
    codes = [
        client.post(f"/attempts/{graded.pk}/items/{position}/report", {"reason": "typo"}).status_code
        for position in (1, 2, 3)
    ]

    assert codes == [302, 302, 429]
    assert QuestionReport.objects.count() == 2
    cache.clear()


def test_the_result_page_reads_the_students_reports_in_one_query(
    client: Client, graded, student, django_assert_num_queries
):
    client.force_login(student)
    for position in (1, 2, 3):
        report(graded, student, position=position)

    with django_assert_num_queries(RESULT_PAGE_QUERIES) as captured:
        page = client.get(f"/attempts/{graded.pk}/result")

    assert page.content.decode().count("You reported a problem with this item") == 3
    assert sum("quizzes_questionreport" in q["sql"] for q in captured.captured_queries) == 1


# --- The admin --------------------------------------------------------------------------------------


def owned_graded(owner: Any, student: Any) -> Any:
    exam = small_exam()
    exam.path.banks.get().owners.add(owner)
    return graded_attempt(exam, student, right=0)


def test_an_instructor_lists_the_reports_on_their_own_banks_only(client: Client, student):
    ines = UserFactory.create(username="ines", role=Role.INSTRUCTOR)
    ivan = UserFactory.create(username="ivan", role=Role.INSTRUCTOR)
    mine = report(owned_graded(ines, student), student, details="mine")
    theirs = report(owned_graded(ivan, student), student, details="theirs")
    client.force_login(ines)

    listing = client.get("/admin/quizzes/questionreport/")

    assert listing.status_code == 200
    assert [r.pk for r in listing.context["cl"].result_list] == [mine.pk]
    assert client.get(f"/admin/quizzes/questionreport/{theirs.pk}/change/").status_code == 404


def test_the_report_list_shows_open_reports_unless_asked_for_all(client: Client, student, staff):
    graded = owned_graded(staff, student)
    resolved = report(graded, student, position=1)
    resolve_reports(reports=QuestionReport.objects.all(), by=staff, now=timezone.now())
    still_open = report(graded, student, position=2)
    client.force_login(staff)

    default = client.get("/admin/quizzes/questionreport/").context["cl"].result_list
    everything = client.get("/admin/quizzes/questionreport/?status=all").context["cl"].result_list

    assert [r.pk for r in default] == [still_open.pk]
    assert {r.pk for r in everything} == {resolved.pk, still_open.pk}


def test_the_mark_resolved_action_resolves_the_selected_reports(client: Client, student):
    ines = UserFactory.create(username="ines", role=Role.INSTRUCTOR)
    made = report(owned_graded(ines, student), student)
    client.force_login(ines)

    response = client.post(
        "/admin/quizzes/questionreport/", {"action": "mark_resolved", "_selected_action": [made.pk]}
    )

    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.status, made.resolved_by) == (ReportStatus.RESOLVED, ines)


def test_an_instructor_answers_a_report_in_its_form(client: Client, student):
    ines = UserFactory.create(username="ines", role=Role.INSTRUCTOR)
    made = report(owned_graded(ines, student), student)
    client.force_login(ines)

    response = client.post(
        f"/admin/quizzes/questionreport/{made.pk}/change/",
        {"status": "resolved", "response": "Fixed the key in revision 2, thanks."},
    )

    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.status, made.response, made.resolved_by) == (
        ReportStatus.RESOLVED,
        "Fixed the key in revision 2, thanks.",
        ines,
    )


def test_the_question_list_counts_open_reports_and_links_to_them(client: Client, student):
    ines = UserFactory.create(username="ines", role=Role.INSTRUCTOR)
    graded = owned_graded(ines, student)
    made = report(graded, student)
    client.force_login(ines)

    listing = client.get("/admin/quizzes/question/?reports=open")
    reports = client.get(f"/admin/quizzes/questionreport/?question__id__exact={made.question_id}")

    assert [q.pk for q in listing.context["cl"].result_list] == [made.question_id]
    assert f'href="/admin/quizzes/questionreport/?question__id__exact={made.question_id}">1</a>' in (
        listing.content.decode()
    )
    assert [r.pk for r in reports.context["cl"].result_list] == [made.pk]


def test_the_report_list_takes_the_same_queries_for_one_report_or_six(
    client: Client, student, django_assert_num_queries
):
    ines = UserFactory.create(username="ines", role=Role.INSTRUCTOR)
    graded = owned_graded(ines, student)
    report(graded, student, position=1)
    client.force_login(ines)
    client.get("/admin/")
    with django_assert_num_queries(REPORT_LIST_QUERIES):
        client.get("/admin/quizzes/questionreport/")
    for position in range(2, 7):
        report(graded, student, position=position)

    with django_assert_num_queries(REPORT_LIST_QUERIES):
        response = client.get("/admin/quizzes/questionreport/")

    assert len(response.context["cl"].result_list) == 6
