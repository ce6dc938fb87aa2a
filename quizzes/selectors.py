"""Read queries of the quizzes app."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from courses.models import CertificationPath, ExamDomain

from .blueprint import DomainWeight, allocate
from .exceptions import AttemptNotFound
from .models import Attempt, AttemptItem, AttemptState, Exam, Question, QuestionStatus


def exam_domains(exam: Exam) -> list[ExamDomain]:
    """Return the domains an exam draws from, in blueprint order."""
    chosen = list(exam.domains.all())
    return chosen or list(exam.path.domains.all())


def blueprint_for(exam: Exam, domains: Sequence[ExamDomain] | None = None) -> dict[int, int]:
    """Return {domain_id: items to draw} for the exam (see quizzes.blueprint for the rule)."""
    domains = exam_domains(exam) if domains is None else domains
    return allocate(exam.item_count, [DomainWeight(d.pk, d.name, d.blueprint_weight) for d in domains])


def active_item_counts(path: CertificationPath) -> dict[int, int]:
    """Return {domain_id: active questions} across the path's banks."""
    rows = (
        Question.objects.filter(bank__path=path, status=QuestionStatus.ACTIVE)
        .values("domain_id")
        .annotate(n=Count("id"))
    )
    return {row["domain_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class Shortfall:
    domain: str
    needed: int
    available: int

    def __str__(self) -> str:
        return f"'{self.domain}' needs {self.needed} active items and the bank has {self.available}"


def shortfalls(exam: Exam, *, available: dict[int, int] | None = None) -> list[Shortfall]:
    """Return the domains whose active items cannot cover the blueprint (empty: the exam can run).

    `available` ({domain_id: active items}) spares the count query when the caller has the items.
    """
    domains = exam_domains(exam)
    plan = blueprint_for(exam, domains)
    available = active_item_counts(exam.path) if available is None else available
    names = {d.pk: d.name for d in domains}
    return [
        Shortfall(names[d], needed, available.get(d, 0))
        for d, needed in plan.items()
        if available.get(d, 0) < needed
    ]


def list_exams_for_path(path: CertificationPath, *, student_id: int | None = None) -> QuerySet[Exam]:
    """Return the path's published exams: shared ones plus the student's own practice sets."""
    owner = Q(owner__isnull=True) | Q(owner__is_superuser=True)  # instructors are staff too
    if student_id is not None:
        owner |= Q(owner_id=student_id)
    return Exam.objects.filter(owner, path=path, is_published=True).order_by("kind", "title")


def get_attempt_for_student(*, attempt_id: int, student_id: int) -> Attempt:
    """Return the student's attempt with its exam and path; another student's id reads as missing."""
    try:
        return Attempt.objects.select_related("exam__path").get(pk=attempt_id, student_id=student_id)
    except Attempt.DoesNotExist:
        raise AttemptNotFound("No such attempt.") from None


def get_attempt_with_items(*, attempt_id: int, student_id: int) -> Attempt:
    """Return the attempt with every item and answer: two queries whatever the exam's length."""
    try:
        return (
            Attempt.objects.select_related("exam__path")
            .prefetch_related(
                Prefetch(
                    "items",
                    queryset=AttemptItem.objects.select_related("answer", "domain").order_by("position"),
                )
            )
            .get(pk=attempt_id, student_id=student_id)
        )
    except Attempt.DoesNotExist:
        raise AttemptNotFound("No such attempt.") from None


def list_attempts_for_student(student_id: int) -> QuerySet[Attempt]:
    return Attempt.objects.filter(student_id=student_id).select_related("exam__path").order_by("-started_at")


def open_attempt(*, exam: Exam, student_id: int) -> Attempt | None:
    return Attempt.objects.filter(exam=exam, student_id=student_id, state=AttemptState.IN_PROGRESS).first()
