"""The quizzes admin: banks and questions (instructors, on their own), tags, exams, attempts, reports."""

from . import questions, records, reports  # noqa: F401 (registers the model admins)
