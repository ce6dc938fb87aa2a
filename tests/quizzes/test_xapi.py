"""xAPI: statement shape (xAPI 1.0.3), the feed's scope and pages, and the push to an LRS."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.utils import timezone

from quizzes import services, tasks
from quizzes.lrs import LRSRejected
from quizzes.xapi import VERBS, AttemptRecord, ItemRecord, iso_duration, response_of, statements_for
from tests.factories import CourseFactory, UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains
from tests.quizzes.test_reviews import graded_attempt

ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
ISO_DURATION = re.compile(r"^PT(\d+H)?(\d+M)?(\d+S)?$")


def check_statement(statement: dict[str, Any]) -> None:
    """Assert what xAPI 1.0.3 requires of a statement (and what we promise of ours)."""
    assert {"actor", "verb", "object"} <= set(statement)
    assert uuid.UUID(statement["id"]).version == 5
    assert ISO_8601.match(statement["timestamp"])
    assert statement["version"] == "1.0.3"
    assert statement["actor"]["objectType"] == "Agent"
    assert {"homePage", "name"} <= set(statement["actor"]["account"])
    assert statement["verb"]["id"] in VERBS.values()
    assert statement["object"]["objectType"] == "Activity"
    assert statement["object"]["id"].startswith("http")
    score = statement["result"]["score"]
    assert score["min"] <= score["raw"] <= score["max"]
    assert -1 <= score["scaled"] <= 1


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "PT0S"), (59, "PT59S"), (3723, "PT1H2M3S"), (3600, "PT1H")]
)
def test_durations_are_iso_8601(seconds, text):
    assert iso_duration(seconds) == text
    assert ISO_DURATION.match(text)


def item(qtype: str, selected: list[str], placements: Sequence[tuple[str, str]] = ()) -> ItemRecord:
    return ItemRecord(1, 1, "stem", selected, 1.0, qtype=qtype, placements=placements)


def test_a_choice_response_lists_the_chosen_ids():
    assert response_of(item("multiple", ["a1", "b2"])) == "a1[,]b2"


def test_an_ordering_response_is_the_steps_in_the_order_placed():
    placed = [("s3", "2"), ("s1", "10"), ("s2", "1")]

    assert response_of(item("ordering", ["s3@2", "s1@10", "s2@1"], placed)) == "s2[,]s3[,]s1"


def test_a_matching_response_pairs_each_prompt_with_its_answer():
    placed = [("p1", "t9"), ("p2", "t4")]

    assert response_of(item("matching", ["p1@t9", "p2@t4"], placed)) == "p1[.]t9[,]p2[.]t4"


@pytest.mark.parametrize(
    ("qtype", "interaction"),
    [("single", "choice"), ("multiple", "choice"), ("ordering", "sequencing"), ("matching", "matching")],
)
def test_each_item_type_is_stated_as_its_cmi_interaction_type(qtype, interaction):
    now = timezone.now()
    record = AttemptRecord(1, 2, "Ada", 3, "Exam", now, now, 1.0, 1.0, True, [item(qtype, [])])

    answered = statements_for(record, base_url="https://lms.example")[0]

    assert answered["object"]["definition"]["interactionType"] == interaction


@pytest.fixture
def ada(db):
    return UserFactory.create(username="ada")


def statements_of(client, user, **params) -> dict[str, Any]:
    client.force_authenticate(user)
    response = client.get("/api/v1/xapi/statements/", params)
    assert response.status_code == 200, response.content
    assert response["X-Experience-API-Version"] == "1.0.3"
    return response.json()


@pytest.mark.django_db
def test_a_graded_attempt_reads_as_answered_completed_and_passed(api_client, ada):
    attempt = graded_attempt(ada, right=5, items=6, pass_percent=70)

    body = statements_of(api_client, ada)

    verbs = [s["verb"]["display"]["en-US"] for s in body["statements"]]
    assert verbs == ["answered"] * 6 + ["completed", "passed"]
    for statement in body["statements"]:
        check_statement(statement)
    completed = body["statements"][6]
    assert completed["result"]["score"] == {"scaled": round(5 / 6, 4), "raw": 5.0, "min": 0, "max": 6.0}
    assert (completed["result"]["success"], completed["result"]["completion"]) == (True, True)
    assert ISO_DURATION.match(completed["result"]["duration"])
    assert completed["object"]["id"].endswith(f"/exams/{attempt.exam_id}/")
    assert body["statements"][0]["result"]["success"] is True
    assert body["statements"][5]["result"]["success"] is False
    assert body["more"] == ""


@pytest.mark.django_db
def test_a_failed_attempt_says_failed(api_client, ada):
    graded_attempt(ada, right=1, items=6)

    verbs = [s["verb"]["id"] for s in statements_of(api_client, ada)["statements"]]

    assert verbs[-1] == "http://adlnet.gov/expapi/verbs/failed"


@pytest.mark.django_db
def test_statement_ids_are_the_same_on_every_read(api_client, ada):
    graded_attempt(ada, right=3)

    first = [s["id"] for s in statements_of(api_client, ada)["statements"]]

    assert first == [s["id"] for s in statements_of(api_client, ada)["statements"]]
    assert len(set(first)) == len(first)


@pytest.mark.django_db
def test_students_read_only_their_own_and_instructors_the_paths_they_teach(
    api_client, ada, instructor, staff
):
    mine = graded_attempt(ada, right=3)
    other = graded_attempt(UserFactory.create(), right=3)
    CourseFactory.create(path=mine.exam.path, owners=[instructor])

    def exams(user):
        return {s["object"]["id"] for s in statements_of(api_client, user)["statements"]}

    assert not any(s.endswith(f"/exams/{other.exam_id}/") for s in exams(ada))
    assert any(s.endswith(f"/exams/{mine.exam_id}/") for s in exams(instructor))
    assert not any(s.endswith(f"/exams/{other.exam_id}/") for s in exams(instructor))
    assert any(s.endswith(f"/exams/{other.exam_id}/") for s in exams(staff))


@pytest.mark.django_db
def test_the_feed_comes_in_pages_linked_by_more(api_client, ada):
    for _ in range(3):
        graded_attempt(ada, right=3, items=2)

    first = statements_of(api_client, ada, page_size=2)
    api_client.force_authenticate(ada)
    second = api_client.get(first["more"]).json()

    assert len(first["statements"]) == 2 * 4
    assert len(second["statements"]) == 4
    assert second["more"] == ""


@pytest.mark.django_db
def test_anonymous_callers_are_refused(api_client):
    assert api_client.get("/api/v1/xapi/statements/").status_code in (401, 403)


# --- The push to a learning record store ------------------------------------------------------------


class FakeLRS(BaseHTTPRequestHandler):
    """A local LRS: answers each POST with the next status of `statuses`, records what it got."""

    statuses: list[int] = []
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = {name.lower(): value for name, value in self.headers.items()}
        FakeLRS.received.append({"path": self.path, "headers": headers, "body": json.loads(body)})
        self.send_response(FakeLRS.statuses.pop(0) if FakeLRS.statuses else 200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def lrs(settings) -> Iterator[type[FakeLRS]]:
    server = HTTPServer(("127.0.0.1", 0), FakeLRS)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeLRS.statuses, FakeLRS.received = [], []
    settings.XAPI_LRS_ENDPOINT = f"http://127.0.0.1:{server.server_port}/xapi"
    settings.XAPI_LRS_USERNAME, settings.XAPI_LRS_PASSWORD = "lrs-key", "lrs-secret"
    yield FakeLRS
    server.shutdown()
    thread.join(timeout=5)


@pytest.mark.django_db
def test_the_task_posts_the_statements_with_the_version_header_and_basic_auth(lrs, ada):
    attempt = graded_attempt(ada, right=3, items=2)

    assert tasks.push_xapi_statements.apply(kwargs={"attempt_id": attempt.pk}).get() == 4

    (request,) = lrs.received
    assert request["path"] == "/xapi/statements"
    assert request["headers"]["x-experience-api-version"] == "1.0.3"
    assert request["headers"]["authorization"] == "Basic bHJzLWtleTpscnMtc2VjcmV0"
    assert [s["verb"]["display"]["en-US"] for s in request["body"]] == [
        "answered",
        "answered",
        "completed",
        "passed",
    ]
    for statement in request["body"]:
        check_statement(statement)


@pytest.fixture
def eager_retries() -> Iterator[None]:
    """Let an eager task run its retries in place, as a worker would after the backoff."""
    conf = tasks.push_xapi_statements.app.conf
    before = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = before


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_retries")
def test_the_task_retries_while_the_store_is_down_and_sends_the_same_statements(lrs, ada):
    attempt = graded_attempt(ada, right=3, items=2)
    lrs.statuses = [503, 502]

    assert tasks.push_xapi_statements.apply(kwargs={"attempt_id": attempt.pk}).get() == 4

    assert len(lrs.received) == 3
    ids = [[s["id"] for s in r["body"]] for r in lrs.received]
    assert ids[0] == ids[1] == ids[2]


@pytest.mark.django_db
def test_a_store_that_refuses_the_statements_is_not_retried(lrs, ada):
    attempt = graded_attempt(ada, right=3, items=2)
    lrs.statuses = [400]

    with pytest.raises(LRSRejected):
        tasks.push_xapi_statements.apply(kwargs={"attempt_id": attempt.pk}, throw=False).get()

    assert len(lrs.received) == 1


def submitted_attempt(student):
    path = path_with_domains((50, 50))
    bank_for(path, per_domain=1)
    attempt = services.start_attempt(exam=exam_for(path, item_count=2), student=student, now=timezone.now())
    return services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())


@pytest.mark.django_db
def test_grading_queues_the_push_when_a_store_is_configured(lrs, ada, monkeypatch):
    pushed: list[int] = []
    monkeypatch.setattr(tasks, "queue_xapi_push", pushed.append)
    attempt = submitted_attempt(ada)

    tasks.grade_attempt.apply(kwargs={"attempt_id": attempt.pk})

    assert pushed == [attempt.pk]


@pytest.mark.django_db
def test_without_a_store_grading_pushes_nothing(settings, ada, monkeypatch):
    settings.XAPI_LRS_ENDPOINT = ""
    pushed: list[int] = []
    monkeypatch.setattr(tasks, "queue_xapi_push", pushed.append)
    attempt = submitted_attempt(ada)

    tasks.grade_attempt.apply(kwargs={"attempt_id": attempt.pk})

    assert pushed == []
    assert tasks.push_xapi_statements.apply(kwargs={"attempt_id": attempt.pk}).get() == 0
