"""The Content-Security-Policy: on every page, strict for ours, relaxed only for the API docs page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone

from quizzes import services
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.fixture
def attempt(student):
    path = path_with_domains()
    bank_for(path, per_domain=5)
    exam = exam_for(path, item_count=5)
    return services.start_attempt(exam=exam, student=student, now=timezone.now())


@pytest.mark.django_db
def test_the_exam_page_allows_only_its_own_scripts_styles_and_images(client, student, attempt):
    client.force_login(student)

    response = client.get(f"/attempts/{attempt.pk}/")

    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_api_docs_page_alone_allows_swagger_uis_inline_styles(client):
    docs = client.get("/api/v1/docs/")
    script = client.get("/api/v1/docs/?script=")

    policy = directives(docs)
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["img-src"] == "'self' data:"
    assert policy["script-src"] == "'self'"
    # Its start-up script is a same-origin file, not an inline script.
    assert '<script src="/api/v1/docs/?script="></script>' in docs.content.decode()
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


# Markup the policy blocks: inline <script> (a JSON data block is not run, and allowed), event
# handler attributes, javascript: URLs, inline <style> and style="" attributes.
BLOCKED = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "inline <style>": re.compile(r"<style", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
}


# Rendered into PDF files by WeasyPrint, never served to a browser: no policy applies to them.
PDF_ONLY = {"templates/quizzes/certificate_pdf.html"}


def test_no_template_uses_markup_that_the_policy_blocks():
    found = [
        f"{template.relative_to(ROOT)}: {what}"
        for template in sorted((ROOT / "templates").rglob("*.html"))
        if str(template.relative_to(ROOT)) not in PDF_ONLY
        for what, pattern in BLOCKED.items()
        if pattern.search(template.read_text())
    ]

    assert found == []


def test_the_template_scan_finds_blocked_markup():
    assert BLOCKED["inline script"].search("<script>alert(1)</script>")
    assert not BLOCKED["inline script"].search('<script src="/static/js/a.js" defer></script>')
    assert BLOCKED["event handler attribute"].search('<form onsubmit="return false">')
    assert BLOCKED["style attribute"].search('<span style="width: 5%">')
