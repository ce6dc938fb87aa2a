"""Catalog search and filters: the page's GET form and the same filters on the paths API."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from courses.models import PathStatus, Provider, PublicationStatus
from tests.factories import CertificationPathFactory, CourseFactory, ExamDomainFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paths() -> None:
    CertificationPathFactory(code="SAA-C03", name="Solutions Architect", provider=Provider.AWS)
    CertificationPathFactory(
        code="CLF-C02", name="Cloud Practitioner", provider=Provider.AWS, level="Foundational"
    )
    CertificationPathFactory(
        code="AI-102",
        name="Azure AI Engineer",
        provider=Provider.AZURE,
        status=PathStatus.RETIRED,
        retired_on=dt.date(2026, 1, 31),
    )
    gcp = CertificationPathFactory(
        code="PCA", name="Professional Cloud Architect", provider=Provider.GCP, level="Professional"
    )
    CourseFactory(path=gcp, title="Kubernetes in practice", status=PublicationStatus.PUBLISHED)
    CourseFactory(path=gcp, title="Secret draft on serverless", status=PublicationStatus.DRAFT)


def codes(client: Client, query: str) -> list[str]:
    """Return the exam codes the catalog lists for this query string, in page order."""
    html = client.get(f"/?{query}").content.decode()
    return re.findall(r'<span class="code">([^<]+)</span>', html)


def test_without_filters_every_path_is_listed(client: Client, paths: None):
    assert sorted(codes(client, "")) == ["AI-102", "CLF-C02", "PCA", "SAA-C03"]


def test_search_matches_the_exam_code_in_any_letter_case(client: Client, paths: None):
    assert codes(client, "q=saa-c0") == ["SAA-C03"]


def test_search_matches_words_of_the_path_name(client: Client, paths: None):
    assert codes(client, "q=practitioner") == ["CLF-C02"]


def test_search_matches_the_title_of_a_published_course(client: Client, paths: None):
    assert codes(client, "q=kubernetes") == ["PCA"]


def test_search_ignores_the_titles_of_draft_courses(client: Client, paths: None):
    assert codes(client, "q=serverless") == []


def test_provider_filter_keeps_that_provider_only(client: Client, paths: None):
    assert codes(client, "provider=aws") == ["CLF-C02", "SAA-C03"]


def test_level_filter_keeps_that_level_only(client: Client, paths: None):
    assert codes(client, "level=Professional") == ["PCA"]


def test_status_filter_keeps_that_status_only(client: Client, paths: None):
    assert codes(client, "status=retired") == ["AI-102"]


def test_filters_combine(client: Client, paths: None):
    assert codes(client, "q=cloud&provider=aws&level=Foundational&status=active") == ["CLF-C02"]


def test_level_choices_are_the_levels_the_catalog_holds(client: Client, paths: None):
    html = client.get("/").content.decode()

    level_select = html[html.index('name="level"') : html.index("</select>", html.index('name="level"'))]
    assert re.findall(r'<option value="([^"]*)"', level_select) == [
        "",
        "Associate",
        "Foundational",
        "Professional",
    ]


def test_an_unknown_provider_is_a_form_error_and_the_other_filters_still_apply(client: Client, paths: None):
    response = client.get("/?provider=nowhere&status=retired")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice. nowhere is not one of the available choices." in html
    assert 'aria-invalid="true"' in html
    assert codes(client, "provider=nowhere&status=retired") == ["AI-102"]


def test_an_overlong_search_is_a_form_error_not_a_crash(client: Client, paths: None):
    response = client.get("/?q=" + "x" * 101)

    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters" in response.content.decode()


def test_the_form_keeps_the_chosen_values_so_the_address_can_be_shared(client: Client, paths: None):
    html = client.get("/?q=cloud&provider=gcp").content.decode()

    assert 'name="q" value="cloud"' in html
    assert re.search(r'<option value="gcp" selected>', html)


def test_the_result_count_is_announced_politely(client: Client, paths: None):
    html = client.get("/?provider=aws").content.decode()

    assert re.search(r'role="status" aria-live="polite">2 paths match your filters\.</p>', html)


def test_one_match_reads_in_the_singular(client: Client, paths: None):
    assert "1 path matches your filters." in client.get("/?provider=gcp").content.decode()


def test_no_match_says_so_and_offers_a_reset_link(client: Client, paths: None):
    html = client.get("/?q=mainframe").content.decode()

    assert "0 paths match your filters." in html
    assert "No paths match" in html
    assert '<a href="/">reset the filters and see every path</a>' in html


def test_the_unfiltered_page_has_no_reset_link(client: Client, paths: None):
    assert "Reset filters" not in client.get("/").content.decode()


def test_every_filter_has_a_visible_label(client: Client, paths: None):
    html = client.get("/").content.decode()

    for name, label in (("q", "Search"), ("provider", "Provider"), ("level", "Level"), ("status", "Status")):
        assert f'<label for="id_{name}">{label}</label>' in html


@pytest.mark.parametrize("count", [1, 6])
def test_the_catalog_page_is_four_queries_however_many_paths(
    client: Client, django_assert_num_queries, count: int
):
    for _ in range(count):
        path = CertificationPathFactory()
        ExamDomainFactory(path=path)
    with django_assert_num_queries(4):  # the levels, the paths, their domains, their successors
        response = client.get("/?q=test&provider=aws")
    assert response.content.decode().count('<li class="card') == count


# --- The paths API takes the same filters --------------------------------------------------------


def api_codes(client: Client, query: str) -> list[str]:
    response = client.get(f"/api/v1/paths/?{query}")
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_the_paths_api_searches_and_filters_like_the_page(client: Client, paths: None):
    assert api_codes(client, "q=kubernetes") == ["PCA"]
    assert api_codes(client, "level=Foundational") == ["CLF-C02"]
    assert api_codes(client, "provider=aws&q=architect") == ["SAA-C03"]


def test_the_paths_api_answers_400_with_the_field_for_a_bad_value(client: Client, paths: None):
    response = client.get("/api/v1/paths/?level=Grandmaster")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "level": ["Select a valid choice. Grandmaster is not one of the available choices."]
    }
