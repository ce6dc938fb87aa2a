"""Geometry and text alternative of the score-trend chart: pure functions, no database.

The template draws the chart as inline SVG from these numbers (no chart library, no script, no
inline style: static/css/app.css colours it through classes, so dark mode follows the page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# viewBox units; the SVG scales to its container's width.
WIDTH = 320
HEIGHT = 160
LEFT = 34  # room for the percent labels
RIGHT = 12
TOP = 10
BOTTOM = 22  # room for the attempt numbers


def percent_label(value: float) -> str:
    """Return value as a percent with at most one decimal: 66.67 -> '66.7%', 70.0 -> '70%'.

    Rounds half up, as the templates' floatformat does, so the summary and the table agree.
    """
    rounded = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded.normalize():f}%"


def _y(percent: float) -> float:
    clamped = min(max(percent, 0.0), 100.0)
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - clamped / 100), 2)


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    number: int
    passed: bool


@dataclass(frozen=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True)
class TrendChart:
    """Everything the template needs to draw one path's score trend."""

    points: list[ChartPoint]
    pass_percent: int
    pass_y: float
    grid: list[GridLine]
    summary: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    axis_y: int = HEIGHT - BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.points)


def trend_summary(scores: Sequence[float], *, pass_percent: int) -> str:
    """Say in words what the chart shows: how many attempts, first and last score, best, pass mark."""
    mark = f"pass mark {percent_label(pass_percent)}"
    if not scores:
        return f"No graded attempts yet, {mark}."
    if len(scores) == 1:
        return f"1 attempt, scored {percent_label(scores[0])}, {mark}."
    best = max(scores)
    return (
        f"{len(scores)} attempts, from {percent_label(scores[0])} to {percent_label(scores[-1])}, "
        f"best {percent_label(best)}, {mark}."
    )


def score_trend(scores: Sequence[float], passed: Sequence[bool], *, pass_percent: int) -> TrendChart:
    """Return the chart of scores (oldest first, in percent) against the pass mark."""
    span = WIDTH - RIGHT - LEFT
    step = span / (len(scores) - 1) if len(scores) > 1 else 0.0
    points = [
        ChartPoint(
            x=round(LEFT + (i * step if len(scores) > 1 else span / 2), 2),
            y=_y(score),
            number=i + 1,
            passed=ok,
        )
        for i, (score, ok) in enumerate(zip(scores, passed, strict=True))
    ]
    return TrendChart(
        points=points,
        pass_percent=pass_percent,
        pass_y=_y(pass_percent),
        grid=[GridLine(y=_y(p), label=f"{p}%") for p in (0, 50, 100)],
        summary=trend_summary(scores, pass_percent=pass_percent),
    )
