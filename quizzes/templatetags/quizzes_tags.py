from __future__ import annotations

from typing import Any

from django import template

from courses.models import CertificationPath

from .. import selectors
from ..forms import ReportProblemForm

register = template.Library()


@register.inclusion_tag("quizzes/_path_exams.html", takes_context=True)
def path_exams(context: dict[str, Any], path: CertificationPath) -> dict[str, Any]:
    """Render the exams a visitor can take for path (and the student's own practice sets)."""
    user = context["request"].user
    return {"path": path, "exams": selectors.list_exams_for_path(path, user=user), "user": user}


@register.filter
def as_percent(fraction: float | None) -> str:
    """Show a fraction 0-1 as a whole percent ("62%"); nothing for None."""
    return "" if fraction is None else f"{round(100 * fraction)}%"


@register.inclusion_tag("quizzes/_report_form.html", takes_context=True)
def report_problem_form(context: dict[str, Any], attempt: Any, position: int) -> dict[str, Any]:
    """Render an empty problem-report form for the item at position of attempt."""
    return {
        "attempt": attempt,
        "position": position,
        "form": ReportProblemForm(position=position),
        "csrf_token": context.get("csrf_token"),
    }
