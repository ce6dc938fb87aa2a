"""The quizzes admin: banks and questions (instructors, on their own), tags, exams and attempts."""

from . import questions, records  # noqa: F401 (registers the model admins)
