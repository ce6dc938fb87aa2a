"""GET /api/v1/paths/ and /api/v1/paths/{code}/: shapes, pagination, errors."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from courses.catalog_file import read_catalog
from courses.services import load_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog() -> None:
    load_catalog(records=read_catalog())


def test_list_is_paginated_json(api_client: APIClient, catalog: None):
    body = api_client.get("/api/v1/paths/", {"page_size": 5}).json()

    assert body["count"] == 14
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == 5
    assert "page=2" in body["next"]


def test_list_item_shape(api_client: APIClient, catalog: None):
    results = api_client.get("/api/v1/paths/", {"provider": "aws"}).json()["results"]

    clf = next(p for p in results if p["code"] == "CLF-C02")
    assert {r["provider"] for r in results} == {"aws"}
    assert clf["url"].endswith("/api/v1/paths/CLF-C02/")
    assert clf["item_count"] == 65
    assert clf["domains"][0] == {
        "name": "Cloud Concepts",
        "position": 1,
        "weight_percent": 24,
        "weight_min_percent": None,
        "weight_max_percent": None,
    }


def test_detail_by_code_includes_sources_and_successors(api_client: APIClient, catalog: None):
    body = api_client.get("/api/v1/paths/mls-c01/").json()

    assert body["code"] == "MLS-C01"
    assert body["status"] == "retired"
    assert {"code": "MLA-C01", "in_catalog": True}.items() <= body["successors"][0].items()
    assert body["sources"][0]["url"].startswith("https://")


def test_unknown_code_is_a_json_404(api_client: APIClient, catalog: None):
    response = api_client.get("/api/v1/paths/NOPE/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "errors": {}}


def test_the_catalog_is_read_only(api_client: APIClient, catalog: None, staff):
    api_client.force_authenticate(staff)

    assert api_client.post("/api/v1/paths/", {"code": "X"}).status_code == 405


@pytest.mark.parametrize("page_size", [2, 14])
def test_list_query_count_does_not_grow_with_page_size(
    api_client: APIClient, catalog: None, django_assert_num_queries, page_size: int
):
    with django_assert_num_queries(5):  # the levels (filter choices), count, paths, domains, successors
        api_client.get("/api/v1/paths/", {"page_size": page_size})


def test_schema_is_served(api_client: APIClient):
    response = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert "/api/v1/paths/{code}/" in response.json()["paths"]
