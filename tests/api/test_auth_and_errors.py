"""Tokens, throttling, and the one JSON error shape."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from knox.models import AuthToken
from rest_framework.test import APIClient

from courses.models import PathStatus
from tests.api.support import World
from tests.quizzes.delivery import path_with_domains

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def test_a_token_is_issued_for_a_username_and_password_and_revoked_by_delete(world: World):
    anonymous = APIClient()

    issued = anonymous.post("/api/v1/auth/token/", {"username": "ada", "password": PASSWORD}, format="json")
    token = issued.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    before = client.get("/api/v1/progress/")
    revoked = client.delete("/api/v1/auth/token/")
    after = client.get("/api/v1/progress/")

    assert issued.status_code == 200
    assert before.json()["student"]["username"] == "ada"
    assert revoked.status_code == 204
    assert not AuthToken.objects.filter(user=world.student).exists()
    assert (after.status_code, after.json()["code"]) == (401, "authentication_failed")
    assert after["WWW-Authenticate"] == "Token"


def test_the_token_endpoint_takes_form_posts_too(world: World):
    response = APIClient().post(
        "/api/v1/auth/token/",
        f"username=ada&password={PASSWORD}",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"username": "ada", "password": "wrong"}, {"non_field_errors"}),
        ({"username": "nobody", "password": PASSWORD}, {"non_field_errors"}),
        ({"username": "ada"}, {"password"}),
        ({"username": "ada", "password": PASSWORD, "user_id": 1}, {"user_id"}),
    ],
)
def test_bad_credentials_get_400(world: World, body: dict[str, object], fields: set[str]):
    response = APIClient().post("/api/v1/auth/token/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == fields
    assert "token" not in response.json()


def test_an_inactive_user_gets_no_token(world: World):
    world.student.is_active = False
    world.student.save()

    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "ada", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 400


def test_the_browser_session_works_too(world: World):
    client = APIClient()
    client.force_login(world.student)

    assert client.get("/api/v1/progress/").json()["student"]["username"] == "ada"


THROTTLED = {
    **settings.REST_FRAMEWORK,
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.AnonThrottle",
        "core.api.throttling.UserThrottle",
        "core.api.throttling.ScopedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "3/minute", "auth": "1/minute"},
}


@override_settings(REST_FRAMEWORK=THROTTLED)
def test_throttles_limit_anonymous_clients_users_and_token_requests_separately(world: World, throttle_clock):
    anonymous = APIClient()
    student, other = world.client("student"), world.client("other_student")

    anon_codes = [anonymous.get("/api/v1/paths/").status_code for _ in range(3)]
    user_codes = [student.get("/api/v1/progress/").status_code for _ in range(4)]
    other_code = other.get("/api/v1/progress/").status_code
    limited = student.get("/api/v1/progress/")
    token_codes = [
        APIClient(REMOTE_ADDR="10.0.0.9")
        .post("/api/v1/auth/token/", {"username": "ada", "password": PASSWORD}, format="json")
        .status_code
        for _ in range(2)
    ]

    assert anon_codes == [200, 200, 429]
    assert user_codes == [200, 200, 200, 429]
    assert other_code == 200
    assert limited.json()["code"] == "throttled"
    assert 0 < limited.json()["retry_after_seconds"] <= 60
    assert int(limited["Retry-After"]) > 0
    assert token_codes == [200, 429]


@override_settings(REST_FRAMEWORK=THROTTLED)
def test_a_throttled_client_is_served_again_in_the_next_window(world: World, throttle_clock):
    student = world.client("student")
    codes = [student.get("/api/v1/progress/").status_code for _ in range(4)]
    throttle_clock[0] += 30

    assert codes[-1] == 429
    assert student.get("/api/v1/progress/").status_code == 200


def test_the_tests_run_without_throttles():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == []


@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("get", "/api/v1/no-such-thing/", 404, "not_found"),
        ("post", "/api/v1/exams/1.5/attempts/", 404, "not_found"),
        ("get", "/api/v1/attempts/abc/", 404, "not_found"),
        ("get", "/api/v1/attempts/99999999999999999999999/", 404, "not_found"),
        ("post", "/api/v1/attempts/-1/submit/", 404, "not_found"),
        ("get", "/api/v1/attempts/?cursor=garbage", 404, "not_found"),
        ("get", "/api/v1/exams/?page=99", 404, "not_found"),
        ("post", "/api/v1/paths/", 405, "method_not_allowed"),
        ("get", "/api/v1/attempts/?state=lost", 400, "invalid"),
    ],
)
def test_every_error_has_the_same_json_shape(world: World, method: str, url: str, status: int, code: str):
    response = getattr(world.client("student"), method)(url)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "message", "errors"}


def test_enrolling_in_a_retired_path_is_409(world: World):
    path_with_domains((100,), code="OLD-C09", status=PathStatus.RETIRED, retired_on=dt.date(2024, 1, 1))

    response = world.client("student").post("/api/v1/enrollments/", {"path": "old-c09"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "path_not_active"
    assert "takes no new students" in response.json()["message"]


def test_enrolling_in_an_unknown_path_names_the_field(world: World):
    response = world.client("student").post("/api/v1/enrollments/", {"path": "NOPE"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["path"]


def test_enrolling_twice_answers_201_then_200_and_unenrolling_deletes(world: World):
    client = world.client("student")

    first = client.post("/api/v1/enrollments/", {"path": world.other_path.code}, format="json")
    again = client.post("/api/v1/enrollments/", {"path": world.other_path.code}, format="json")
    gone = client.delete(f"/api/v1/enrollments/{first.json()['id']}/")

    assert (first.status_code, again.status_code, gone.status_code) == (201, 200, 204)
    assert first.json()["id"] == again.json()["id"]
    assert client.get(f"/api/v1/enrollments/{first.json()['id']}/").status_code == 404


def test_practice_sets_refuse_domains_of_another_path(world: World):
    foreign = world.other_path.domains.all()[0]

    response = world.client("student").post(
        "/api/v1/exams/", {"path": world.path.code, "item_count": 2, "domains": [foreign.pk]}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["domains"]


def test_the_schema_documents_the_error_shape_on_every_operation(api_client: APIClient):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operations = [op for methods in schema["paths"].values() for op in methods.values()]
    assert len(operations) == 32
    for operation in operations:
        for code in ("400", "401", "403", "404", "429"):
            assert operation["responses"][code]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message", "errors"]
    assert schema["components"]["schemas"]["AnswerRequest"]["additionalProperties"] is False


def test_the_schema_generates_without_warnings_and_validates(tmp_path: Any):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/progress/" in schema


def test_swagger_ui_is_served_without_a_cdn(api_client: APIClient):
    response = api_client.get("/api/v1/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    # Every asset comes from this server (a random token in the page may spell "cdn": look at URLs).
    assets = re.findall(r"""(?:src|href|url)\s*[=:]\s*["']([^"']+)["']""", page)
    assert assets
    assert not [url for url in assets if "//" in url]
