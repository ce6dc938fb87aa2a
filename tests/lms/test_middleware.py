"""The failover window at the HTTP edge: retryable 503s (never a 500), reconnection, pinning."""

from __future__ import annotations

import datetime as dt
import json

import psycopg2
import pytest
from django import db
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.urls import path

from core.routing import replica_ok, use_replica
from lms.db_routers import current_routing
from lms.middleware import DATA_AS_OF_HEADER, PIN_COOKIE, is_database_unavailable
from quizzes import services

CLOSED = "server closed the connection unexpectedly"


class ReadOnlySqlTransaction(Exception):
    """What psycopg2 raises on a node that is no longer the leader (SQLSTATE 25006)."""

    pgcode = "25006"


def _raise(error: BaseException):
    def view(request: HttpRequest) -> HttpResponse:
        raise error

    return view


def _read_only(request: HttpRequest) -> HttpResponse:
    try:
        raise ReadOnlySqlTransaction("cannot execute UPDATE in a read-only transaction")
    except ReadOnlySqlTransaction as exc:
        raise db.InternalError(str(exc)) from exc  # how Django wraps it


def _touch_session(request: HttpRequest) -> HttpResponse:
    request.session["seen"] = True  # saved by SessionMiddleware after the view
    return HttpResponse("ok")


def _query(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return JsonResponse({"pid": cursor.fetchone()[0]})


@replica_ok()
def _standby_dies_under_the_read(request: HttpRequest) -> HttpResponse:
    if use_replica():
        routing = current_routing()
        assert routing is not None
        routing.read_replica(dt.datetime.now(dt.UTC))  # what the router records for a standby read
        raise db.OperationalError(CLOSED)
    return HttpResponse("read from the leader")


calls: list[str] = []


@replica_ok()
def _nothing_answers(request: HttpRequest) -> HttpResponse:
    calls.append("replica" if use_replica() else "leader")
    routing = current_routing()
    assert routing is not None
    routing.read_replica(dt.datetime.now(dt.UTC))
    raise db.OperationalError(CLOSED)


urlpatterns = [
    path("nothing-answers", _nothing_answers),
    path("standby-dies", _standby_dies_under_the_read),
    path("page", _raise(db.OperationalError(CLOSED))),
    path("api/v1/thing", _raise(db.InterfaceError("connection already closed"))),
    path("raw", _raise(psycopg2.OperationalError(CLOSED))),
    path("read-only", _read_only),
    path("integrity", _raise(db.IntegrityError("duplicate key"))),
    path("bug", _raise(ValueError("a bug"))),
    path("session", _touch_session),
    path("query", _query),
    path("ok", lambda request: HttpResponse("ok")),
]


@pytest.fixture
def failing_urls(settings) -> None:
    settings.ROOT_URLCONF = __name__


def test_a_page_meeting_a_lost_connection_gets_a_friendly_retryable_503(client: Client, failing_urls):
    response = client.get("/page", HTTP_ACCEPT="text/html")

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Back in a moment" in html
    assert 'http-equiv="refresh"' in html  # a GET reloads by itself


def test_the_api_gets_the_json_error_shape(client: Client, failing_urls):
    response = client.get("/api/v1/thing")

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json()["code"] == "database_unavailable"
    assert response.json()["message"]


@pytest.mark.parametrize("url", ["/raw", "/read-only"])
def test_driver_errors_and_a_demoted_leader_count_as_unavailable(client: Client, failing_urls, url):
    response = client.post(url, data="{}", content_type="application/json")

    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"


def test_a_form_post_gets_the_page_without_an_automatic_reload(client: Client, failing_urls):
    response = client.post("/page", {"field": "value"})

    assert response.status_code == 503
    assert 'http-equiv="refresh"' not in response.content.decode()


@pytest.mark.parametrize("url", ["/integrity", "/bug"])
def test_other_errors_stay_ordinary_server_errors(failing_urls, url):
    response = Client(raise_request_exception=False).get(url)

    assert response.status_code == 500


def test_what_counts_as_unavailable():
    wrapped = db.OperationalError(CLOSED)
    wrapped.__cause__ = psycopg2.OperationalError(CLOSED)

    assert is_database_unavailable(wrapped)
    assert is_database_unavailable(db.InterfaceError("connection already closed"))
    assert not is_database_unavailable(db.IntegrityError("duplicate key"))
    assert not is_database_unavailable(ValueError("nope"))


@pytest.mark.django_db
def test_a_session_save_failing_after_the_view_is_a_503_too(failing_urls, monkeypatch):
    def lost(self, must_create=False):
        raise db.OperationalError(CLOSED)

    monkeypatch.setattr(SessionStore, "save", lost)

    response = Client(raise_request_exception=False).get("/session", HTTP_ACCEPT="text/html")

    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()


@pytest.mark.django_db
def test_an_exam_save_hitting_the_failover_is_a_json_503_the_page_retries(
    client: Client, student, monkeypatch
):
    def failover(**kwargs):
        raise db.OperationalError(CLOSED)

    monkeypatch.setattr(services, "save_item_state", failover)
    client.force_login(student)

    response = client.post(
        "/api/v1/attempts/1/answers/",
        data=json.dumps({"position": 1, "seq": 1, "selected": [1]}),
        content_type="application/json",
    )

    assert response.status_code == 503  # static/js/attempt.js retries every status >= 500
    assert response.json()["code"] == "database_unavailable"


@pytest.mark.django_db(transaction=True)
def test_a_killed_connection_is_dropped_so_the_next_request_reconnects(client: Client, failing_urls):
    first = client.get("/query").json()["pid"]
    params = connections["default"].settings_dict
    other = psycopg2.connect(
        host=params["HOST"],
        port=params["PORT"],
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"],
        target_session_attrs="read-write",
        connect_timeout=2,
    )
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    finally:
        other.close()

    broken = client.get("/query", HTTP_ACCEPT="application/json")
    assert connections["default"].connection is None
    again = client.get("/query")

    assert broken.status_code == 503
    assert again.status_code == 200
    assert again.json()["pid"] != first


def test_an_unsafe_request_pins_the_client_to_the_leader(client: Client, failing_urls):
    assert PIN_COOKIE not in client.get("/ok").cookies

    response = client.post("/ok")

    assert response.cookies[PIN_COOKIE]["httponly"]
    assert response.cookies[PIN_COOKIE]["max-age"] == 15


def test_a_read_whose_standby_dies_under_it_is_served_by_the_leader(client: Client, failing_urls):
    response = client.get("/standby-dies")

    assert response.status_code == 200
    assert response.content == b"read from the leader"
    assert DATA_AS_OF_HEADER not in response.headers


def test_a_read_failing_on_the_leader_as_well_is_a_503_after_one_retry(client: Client, failing_urls):
    calls.clear()

    response = client.get("/nothing-answers", HTTP_ACCEPT="application/json")

    assert response.status_code == 503
    assert calls == ["replica", "leader"]
