"""Every exam that an active path's page lists can be started once the demo content is loaded."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from courses.catalog_file import read_catalog
from courses.models import CertificationPath, PathStatus
from courses.services import load_catalog
from quizzes import selectors, services

# Loading every bank and starting some twenty exams takes minutes on a busy two-core machine:
# `make test` runs it, the fast lane leaves it out.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def demo() -> None:
    """The catalog and content that `setup_demo` loads (without its demo accounts)."""
    load_catalog(records=read_catalog())
    call_command("load_demo_content", stdout=StringIO())


def test_every_exam_listed_on_an_active_path_page_starts(demo, student):
    started = []
    for path in CertificationPath.objects.filter(status=PathStatus.ACTIVE).order_by("code"):
        exams = list(selectors.list_exams_for_path(path, user=student))
        assert exams, f"{path.code} lists no exam"
        for exam in exams:
            attempt = services.start_attempt(exam=exam, student=student, now=timezone.now())
            assert attempt.items.count() == exam.item_count, exam.title
            started.append(exam.title)
            # Submitted again at once: a student may hold only so many attempts open at a time.
            services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())

    google = [title for title in started if title.startswith("GOOGLE-DA-PC")]
    assert google, "the course-based certificate lists its practice sets"
    assert not [title for title in google if "full-length" in title]
    assert len(started) >= 2 * CertificationPath.objects.filter(status=PathStatus.ACTIVE).count()
