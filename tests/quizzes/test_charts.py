"""The score-trend chart's geometry and text alternative: pure, no database."""

from __future__ import annotations

from quizzes import charts
from quizzes.charts import HEIGHT, LEFT, RIGHT, WIDTH, score_trend, trend_summary


def test_the_summary_names_the_count_the_first_and_last_score_the_best_and_the_pass_mark():
    summary = trend_summary([48.0, 80.0, 62.5, 76.0], pass_percent=70)

    assert summary == "4 attempts, from 48% to 76%, best 80%, pass mark 70%."


def test_the_summary_of_one_attempt_gives_its_score():
    assert trend_summary([66.6667], pass_percent=72) == "1 attempt, scored 66.7%, pass mark 72%."


def test_the_summary_of_no_attempt_says_so():
    assert trend_summary([], pass_percent=70) == "No graded attempts yet, pass mark 70%."


def test_percents_keep_at_most_one_decimal():
    labels = [charts.percent_label(v) for v in (70.0, 66.666, 76.25, 99.95, 0.0)]

    assert labels == ["70%", "66.7%", "76.3%", "100%", "0%"]


def test_points_run_from_the_left_edge_to_the_right_edge_evenly():
    chart = score_trend([10.0, 20.0, 30.0], [False, False, False], pass_percent=70)

    assert [p.x for p in chart.points] == [LEFT, (LEFT + WIDTH - RIGHT) / 2, WIDTH - RIGHT]
    assert [p.number for p in chart.points] == [1, 2, 3]


def test_a_higher_score_is_drawn_higher_and_the_scale_runs_0_to_100():
    chart = score_trend([0.0, 100.0], [False, True], pass_percent=70)

    bottom, top = chart.points
    assert bottom.y == HEIGHT - charts.BOTTOM
    assert top.y == charts.TOP
    assert [g.label for g in chart.grid] == ["0%", "50%", "100%"]


def test_the_pass_line_sits_at_the_pass_mark():
    chart = score_trend([70.0], [True], pass_percent=70)

    assert chart.pass_y == chart.points[0].y


def test_a_single_attempt_is_drawn_in_the_middle():
    chart = score_trend([55.0], [False], pass_percent=70)

    assert chart.points[0].x == (LEFT + WIDTH - RIGHT) / 2


def test_points_remember_whether_their_attempt_passed():
    chart = score_trend([40.0, 90.0], [False, True], pass_percent=70)

    assert [p.passed for p in chart.points] == [False, True]


def test_the_polyline_lists_the_points_in_order():
    chart = score_trend([0.0, 100.0], [False, True], pass_percent=70)

    assert chart.polyline == f"{LEFT},{HEIGHT - charts.BOTTOM} {WIDTH - RIGHT},{charts.TOP}"
