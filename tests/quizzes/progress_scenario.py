"""One student's history, and what /api/v1/progress/, a cohort page and the review queue make of it.

Run by tests/quizzes/test_progress_on_sqlite.py on the suite's PostgreSQL and, in a subprocess,
on the embedded SQLite of `make run`: the progress reads are SQL written for both.
"""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from core.roles import Role
from courses.models import PublicationStatus
from quizzes.models import ReviewCard
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    LessonProgressFactory,
    ModuleFactory,
    UserFactory,
)
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains
from tests.quizzes.test_dashboard import sit


def digest() -> dict[str, Any]:
    """Build the history, read progress and the cohort over the API; return what must not vary."""
    path = path_with_domains((50, 50), pass_mark=700, score_max=1000)
    course = CourseFactory(path=path, status=PublicationStatus.PUBLISHED)
    module = ModuleFactory(course=course)
    lessons = [LessonFactory(module=module) for _ in range(4)]
    student: Any = UserFactory(role=Role.STUDENT)
    instructor: Any = UserFactory(role=Role.INSTRUCTOR)
    path.instructors.add(instructor)
    EnrollmentFactory(student=student, path=path)
    LessonProgressFactory(student=student, lesson=lessons[0])
    bank_for(path, per_domain=10)  # the exam draws the whole bank every time
    exam = exam_for(path, item_count=20)
    sit(student, exam, right=0)
    sit(student, exam, right=20)  # the same questions: not new, so not in the estimate

    client = Client()
    client.force_login(student)
    (row,) = client.get("/api/v1/progress/").json()["paths"]
    client.force_login(instructor)
    (member,) = client.get(f"/api/v1/courses/{course.slug}/cohort/").json()["results"]
    return {
        "lessons": [row["lessons_completed"], row["lessons_total"], member["lessons"]["lessons_completed"]],
        "attempts": {k: row["attempts"][k] for k in ("count", "graded", "best_score_percent")},
        "cohort_attempts": member["attempts"]["graded"],
        "mastery": [d["mastery_percent"] for d in row["domains"]],
        "cohort_mastery": [d["mastery_percent"] for d in member["domains"]],
        "readiness": row["readiness"]["percent"],
        "estimate": [(d["correct"], d["total"]) for d in row["estimate"]["domains"]],
        "trend": [p["answers"] for p in row["trend"]],
        "dated": [bool(moment) for moment in (row["changed_at"], row["attempts"]["last_graded_at"])],
        # grading's review queue is SQL written for both too: the first sitting's 20 misses
        "review_cards": list(
            ReviewCard.objects.filter(student=student, due__lte=timezone.now())
            .order_by("item__position")
            .values_list("item__position", "state", "reviews")
        ),
    }
