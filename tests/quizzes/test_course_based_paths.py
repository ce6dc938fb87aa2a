"""A course-based certificate (no single proctored exam) gets practice sets, never a full-length form."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from courses.models import CertificationPath
from quizzes.models import Exam, ExamKind, ExamMode
from quizzes.services import ensure_full_length_exam
from tests.factories import ExamFactory
from tests.quizzes.delivery import path_with_domains


def course_based_path() -> CertificationPath:
    return path_with_domains(
        weights=(25, 25, 25, 25), item_count=None, minutes=None, pass_mark=None, score_max=None
    )


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"item_count": 65}, True),
        ({"item_count_min": 50, "item_count_max": 60}, True),
        ({}, False),
    ],
)
def test_a_path_has_a_single_exam_only_when_it_states_an_item_count(counts: dict[str, int], expected: bool):
    fields = {"item_count": None, "item_count_min": None, "item_count_max": None, **counts}

    assert CertificationPath(code="X", **fields).has_single_exam is expected


@pytest.mark.django_db
def test_a_course_based_certificate_gets_no_full_length_exam():
    path = course_based_path()

    assert ensure_full_length_exam(path=path) is None
    assert not Exam.objects.filter(path=path, kind=ExamKind.FULL).exists()


@pytest.mark.django_db
def test_a_path_with_an_exam_gets_its_full_length_form():
    path = path_with_domains(item_count=65, minutes=130)

    exam = ensure_full_length_exam(path=path)

    assert exam is not None
    assert (exam.kind, exam.item_count, exam.minutes) == (ExamKind.FULL, 65, 130)


@pytest.mark.django_db
def test_a_full_length_exam_for_a_course_based_certificate_is_invalid():
    exam = Exam(path=course_based_path(), title="Full", kind=ExamKind.FULL, item_count=50)

    with pytest.raises(ValidationError) as raised:
        exam.full_clean()

    assert "no single proctored exam" in str(raised.value.message_dict["kind"])


@pytest.mark.django_db
def test_the_path_page_of_a_course_based_certificate_lists_practice_sets_and_says_there_is_no_exam(client):
    path = course_based_path()
    ExamFactory(path=path, kind=ExamKind.PRACTICE, mode=ExamMode.PRACTICE, title="Course review (30 items)")

    page = client.get(path.get_absolute_url()).content.decode()

    assert "no proctored exam" in page
    listed = page.split('class="exam-list"', 1)[1].split("</ul>", 1)[0]
    assert "Course review (30 items)" in listed
    assert "full-length" not in listed.lower()


@pytest.mark.django_db
def test_the_path_page_of_an_exam_path_says_nothing_about_a_missing_exam(client):
    path = path_with_domains()

    page = client.get(path.get_absolute_url()).content.decode()

    assert "no proctored exam" not in page
