"""The public catalog pages, as a visitor sees them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from courses.catalog_file import read_catalog
from courses.models import CertificationPath
from courses.services import load_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog() -> None:
    load_catalog(records=read_catalog())


def test_home_lists_every_path_grouped_by_provider(client: Client, catalog: None):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    for path in CertificationPath.objects.all():
        assert path.code in html
    headings = [html.index(f">{label}</h2>") for label in ("AWS", "Azure", "Google Cloud", "SQL &amp; data")]
    assert headings == sorted(headings)


def test_home_uses_a_fixed_number_of_queries(client: Client, catalog: None, django_assert_num_queries):
    with django_assert_num_queries(4):  # the levels (filter form), paths, domains, successors
        client.get("/")


def test_path_page_shows_the_blueprint_with_weights(client: Client, catalog: None):
    response = client.get(reverse("path-detail", kwargs={"code": "SAA-C03"}))

    html = response.content.decode()
    assert "Design Secure Architectures" in html
    assert "30%" in html
    assert "130 minutes" in html
    assert "720 of 1000" in html


def test_path_page_shows_weight_ranges(client: Client, catalog: None):
    html = client.get("/paths/DP-900/").content.decode()

    assert "25-30%" in html


def test_retired_path_points_at_its_successor(client: Client, catalog: None):
    html = client.get("/paths/MLS-C01/").content.decode()

    assert "This exam is retired" in html
    assert 'href="/paths/MLA-C01/"' in html


def test_closed_program_says_it_is_closed(client: Client, catalog: None):
    html = client.get("/paths/TF-DEV-CERT/").content.decode()

    assert "This program is closed" in html


def test_path_codes_are_matched_in_any_case(client: Client, catalog: None):
    assert client.get("/paths/clf-c02/").status_code == 200


def test_unknown_path_is_404(client: Client, catalog: None):
    assert client.get("/paths/NOPE-1/").status_code == 404
