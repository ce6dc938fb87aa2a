"""Option ids are opaque and new in every attempt: they cannot stand in for reading the question."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from quizzes import services
from quizzes.exceptions import InvalidAnswer
from quizzes.models import Choice, ExamMode
from tests.factories import UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains

pytestmark = pytest.mark.django_db


@pytest.fixture
def path():
    path = path_with_domains((100,))
    bank_for(path, per_domain=40)  # every key is authored first, so it has the lowest choice id
    return path


def test_option_ids_reveal_no_database_id(path, student):
    attempt = services.start_attempt(exam=exam_for(path, item_count=5), student=student, now=timezone.now())
    choice_ids = {str(pk) for pk in Choice.objects.values_list("pk", flat=True)}

    for item in attempt.items.all():
        assert all(re.fullmatch(r"[0-9a-f]{16}", option_id) for option_id in item.option_ids)
        assert not choice_ids & set(item.option_ids)


def test_choosing_the_lowest_ids_scores_at_chance_level(path):
    exam = exam_for(path, item_count=40)
    right = answered = 0
    for _ in range(10):
        attempt = services.start_attempt(exam=exam, student=UserFactory(), now=timezone.now())
        for item in attempt.items.all():
            if item.choose == 1:
                right += {min(item.option_ids)} == item.key
                answered += 1

    # Four options each: chance is 25%, authoring order would give 100% (320 answers; the bounds
    # lie more than 5 standard deviations from 25%).
    assert answered == 320
    assert 0.12 < right / answered < 0.40


def test_a_key_learned_in_practice_mode_means_nothing_in_an_exam(path, student):
    now = timezone.now()
    practice = services.start_attempt(
        exam=exam_for(path, item_count=40, mode=ExamMode.PRACTICE), student=student, now=now
    )
    exam_attempt = services.start_attempt(exam=exam_for(path, item_count=40), student=student, now=now)
    learned = {item.question_id: sorted(item.key) for item in practice.items.all()}
    replayed = exam_attempt.items.get(position=1)

    with pytest.raises(InvalidAnswer, match="is not an option of item 1"):
        services.save_item_state(
            attempt_id=exam_attempt.pk,
            student=student,
            position=1,
            seq=1,
            now=now,
            selected=learned[replayed.question_id],
        )
