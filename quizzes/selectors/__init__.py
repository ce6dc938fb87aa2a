"""Read queries of the quizzes app, by subject. The exam and attempt reads are used everywhere,
so they are importable from here; progress and cohorts are imported as modules."""

from .attempts import (
    ReviewRow,
    get_attempt_for_student,
    get_attempt_with_items,
    list_attempts_for_student,
    may_retake_missed,
    missed_items,
    open_attempt,
    open_retake,
    review_rows,
)
from .exams import (
    Shortfall,
    active_item_counts,
    blueprint_for,
    exam_domains,
    list_exams_for_path,
    shortfalls,
)

__all__ = [
    "ReviewRow",
    "Shortfall",
    "active_item_counts",
    "blueprint_for",
    "exam_domains",
    "get_attempt_for_student",
    "get_attempt_with_items",
    "list_attempts_for_student",
    "list_exams_for_path",
    "may_retake_missed",
    "missed_items",
    "open_attempt",
    "open_retake",
    "review_rows",
    "shortfalls",
]
