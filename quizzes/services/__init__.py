"""Write operations of the quizzes app, by subject. Exam delivery and exams are used everywhere,
so they are importable from here; question changes are imported as `services.questions`."""

from .answers import SaveResult, feedback_for, save_item_state
from .attempts import Started, begin_attempt, grace, start_attempt, submit_attempt
from .exams import create_practice_set, ensure_full_length_exam, full_exam_cut_percent

__all__ = [
    "SaveResult",
    "Started",
    "begin_attempt",
    "create_practice_set",
    "ensure_full_length_exam",
    "feedback_for",
    "full_exam_cut_percent",
    "grace",
    "save_item_state",
    "start_attempt",
    "submit_attempt",
]
