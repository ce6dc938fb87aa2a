"""generate_load_data: students, a bank and graded attempts in bulk, at a small scale."""

from __future__ import annotations

import statistics
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum

from courses.models import Enrollment
from quizzes import grading, item_stats
from quizzes.models import Answer, Attempt, AttemptItem, AttemptState, DomainResult, ItemStats
from tests.quizzes.delivery import path_with_domains

pytestmark = pytest.mark.django_db


def generate(**options: object) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    path = path_with_domains(code="LOAD-T1")
    call_command(
        "generate_load_data",
        path=path.code,
        items=12,
        questions=60,
        chunk=4,
        stdout=out,
        stderr=err,
        **options,
    )
    return out.getvalue(), err.getvalue()


def test_it_makes_enrolled_students_and_graded_attempts_of_the_exams_length(capsys):
    out, _ = generate(students=5, attempts=11)

    assert "5 students, 11 attempts (11 graded)" in out
    assert Enrollment.objects.filter(path__code="LOAD-T1").count() == 5
    assert set(Attempt.objects.values_list("state", flat=True)) == {AttemptState.GRADED}
    assert set(Attempt.objects.annotate(n=Count("items")).values_list("n", flat=True)) == {12}
    assert Attempt.objects.values("student").distinct().count() == 5
    totals = DomainResult.objects.values("attempt").annotate(n=Sum("total"))
    assert {row["n"] for row in totals} == {12}
    assert "attempts [" in capsys.readouterr().err  # the progress bar


def test_its_draws_are_blueprint_true_and_answers_fit_their_items():
    generate(students=3, attempts=6)

    per_domain = (
        AttemptItem.objects.values("attempt", "domain").annotate(n=Count("id")).values_list("domain", "n")
    )
    assert len(set(per_domain)) == 4  # every attempt draws the same count from each domain
    for answer in Answer.objects.select_related("item")[:40]:
        assert set(answer.selected) <= set(answer.item.option_ids)
        assert len(answer.selected) <= answer.item.choose


def test_its_answers_carry_a_bounded_time_on_item_that_item_analysis_reads():
    generate(students=4, attempts=8)

    times = list(Answer.objects.values_list("time_ms", flat=True))
    assert all(0 < t <= Answer.SAVE_TIME_MAX_MS for t in times)
    assert 20_000 < statistics.median(times) < 80_000  # log-normal about 40 s
    item_stats.compute_item_stats(full=True)
    answered = ItemStats.objects.filter(answered__gt=0)  # an item left unanswered has no answer row
    assert answered.exists()
    assert not answered.filter(median_time_ms__isnull=True).exists()


def test_its_grades_are_the_python_scorers():
    generate(students=4, attempts=8)

    for attempt in Attempt.objects.select_related("exam__path"):
        assert grading.compute_result(attempt).percent == attempt.score_percent


@pytest.mark.django_db(transaction=True)
def test_with_two_jobs_a_second_connection_grades_while_chunks_are_inserted(capsys):
    out, _ = generate(students=3, attempts=10, jobs=2)

    assert "3 students, 10 attempts (10 graded)" in out
    assert set(Attempt.objects.values_list("state", flat=True)) == {AttemptState.GRADED}
    assert DomainResult.objects.values("attempt").distinct().count() == 10
    assert "graded [" in capsys.readouterr().err


def test_ungraded_leaves_them_submitted_for_a_grading_benchmark():
    out, _ = generate(students=2, attempts=3, ungraded=True)

    assert "(0 graded)" in out
    assert set(Attempt.objects.values_list("state", flat=True)) == {AttemptState.SUBMITTED}


def test_no_new_attempts_grades_those_an_earlier_run_left_submitted(capsys):
    generate(students=2, attempts=3, ungraded=True)
    out = StringIO()

    call_command(
        "generate_load_data", path="LOAD-T1", items=12, questions=60, students=2, attempts=0, stdout=out
    )

    assert "(3 graded)" in out.getvalue()
    assert set(Attempt.objects.values_list("state", flat=True)) == {AttemptState.GRADED}
    assert "3/3" in capsys.readouterr().err.splitlines()[-1]


def test_an_unknown_path_is_a_clear_error(monkeypatch):
    monkeypatch.setattr("quizzes.management.commands.generate_load_data.read_catalog", lambda: [])
    with pytest.raises(CommandError, match="No certification path 'NOPE-01'"):
        call_command("generate_load_data", students=1, attempts=1, path="NOPE-01")
