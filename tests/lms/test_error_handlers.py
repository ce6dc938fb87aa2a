"""Errors outside DRF (no matching URL, a crash) keep the API's JSON shape under /api/ in production."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def assert_api_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": code, "message": response.json()["message"], "errors": {}}
    assert response.json()["message"]


def test_an_unknown_api_url_outside_v1_answers_a_json_404(client: Client):
    assert_api_error(client.get("/api/v2/exams/"), 404, "not_found")


def test_an_unknown_page_still_answers_the_sites_html_404(client: Client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.urls("tests.lms.crashing_urls")
def test_a_crash_under_the_api_answers_a_json_500_without_details(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/crash/")

    assert_api_error(response, 500, "server_error")
    assert "secret detail" not in response.content.decode()


@pytest.mark.urls("tests.lms.crashing_urls")
def test_a_crash_on_a_page_answers_the_sites_html_500(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/crash/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
