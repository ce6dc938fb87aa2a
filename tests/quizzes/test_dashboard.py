"""The student dashboard: progress, readiness and what to study next."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from quizzes import grading, services
from quizzes.models import Attempt
from tests.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains
from tests.quizzes.test_grading import answer_all

pytestmark = pytest.mark.django_db


def test_a_new_student_is_invited_to_browse(client: Client, student):
    client.force_login(student)

    assert "You are not enrolled yet" in client.get("/dashboard/").content.decode()


def sit(student, exam, *, right: int) -> None:
    attempt = services.start_attempt(exam=exam, student=student, now=timezone.now())
    answer_all(attempt, student, right=right)
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())
    grading.grade_attempt(attempt_id=attempt.pk)
    grading.queue_waiting_reviews()


def test_after_one_short_exam_there_is_not_enough_data_for_a_chance(client: Client, student):
    path = path_with_domains((50, 50), code="DSH-C01")
    bank_for(path, per_domain=4)
    sit(student, exam_for(path, item_count=4), right=4)
    client.force_login(student)

    html = client.get("/dashboard/").content.decode()

    assert "DSH-C01" in html
    assert "Not enough data yet: 4 of 20 answers to new questions." in html
    assert "Estimated chance of passing" not in html


def test_enough_new_questions_give_a_chance_with_a_range_and_a_trend(client: Client, student):
    path = path_with_domains((50, 50), code="DSH-C02", pass_mark=700, score_max=1000)
    bank_for(path, per_domain=10)  # the exam draws the whole bank every time
    exam = exam_for(path, item_count=20)
    sit(student, exam, right=20)
    sit(student, exam, right=20)
    client.force_login(student)

    html = client.get("/dashboard/").content.decode()

    assert re.search(
        r"Estimated chance of passing: <strong>\d+%</strong> \(likely between \d+% and \d+%\)", html
    )
    assert "passes at 70% correct" in html
    # the second sitting saw the same questions: one point on the trend, after the first
    assert re.search(r'<ol class="trend"[^>]*><li>\d+ \w+: \d+%</li></ol>', html)


def test_study_next_links_a_weak_domain_to_its_lessons_and_a_practice_set(client: Client, student):
    path = path_with_domains((50, 50), code="DSH-C03")
    weak = path.domains.get(position=1)
    module = ModuleFactory.create(course=CourseFactory.create(path=path, status="published"))
    module.domains.add(weak)
    lesson = LessonFactory.create(module=module, title="Networking basics")
    bank_for(path, per_domain=4)
    exam = exam_for(path, item_count=8)
    attempt = services.start_attempt(exam=exam, student=student, now=timezone.now())
    for item in attempt.items.order_by("position"):  # right in domain 2, wrong in domain 1
        wrong = [i for i in item.option_ids if i not in item.key][: item.choose]
        selected = wrong if item.domain_id == weak.pk else sorted(item.key)
        services.save_item_state(
            attempt_id=attempt.pk,
            student=student,
            position=item.position,
            seq=1,
            now=timezone.now(),
            selected=selected,
        )
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())
    grading.grade_attempt(attempt_id=attempt.pk)
    client.force_login(student)

    html = client.get("/dashboard/").content.decode()

    study = html[html.index("Study next") :]
    assert study.index(weak.name) < study.index("Domain 2")
    assert f'href="{lesson.get_absolute_url()}"' in study
    assert f'name="domains" value="{weak.pk}"' in study

    started = client.post(
        f"/paths/{path.code}/practice/", {"domains": weak.pk, "item_count": 4, "mode": "practice"}
    )

    assert started.status_code == 302
    practice = Attempt.objects.filter(student=student).order_by("-started_at")[0]
    assert set(practice.items.values_list("domain_id", flat=True)) == {weak.pk}
