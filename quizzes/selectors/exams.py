"""Reads about exams: their domains, blueprint, whether the bank can supply them, who sees them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Q, QuerySet

from courses.models import CertificationPath, ExamDomain

from ..blueprint import DomainWeight, allocate
from ..models import Exam, Question, QuestionStatus


def exam_domains(exam: Exam) -> list[ExamDomain]:
    """Return the domains an exam draws from, in blueprint order: its own, or else its path's.

    One query (none when the exam's domains were prefetched and it has some).
    """
    prefetched = getattr(exam, "_prefetched_objects_cache", {}).get("domains")
    if prefetched:
        return list(prefetched)
    own = Exam.domains.through.objects.filter(exam_id=exam.pk)
    chosen = Q(pk__in=own.values("examdomain_id")) | ~Exists(own)
    return list(ExamDomain.objects.filter(chosen, path_id=exam.path_id))


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


def shortfalls(
    exam: Exam,
    *,
    available: dict[int, int] | None = None,
    domains: Sequence[ExamDomain] | None = None,
) -> list[Shortfall]:
    """Return the domains whose active items cannot cover the blueprint (empty: the exam can run).

    `available` ({domain_id: active items}) and `domains` spare their queries when the caller has them.
    """
    domains = exam_domains(exam) if domains is None else domains
    plan = blueprint_for(exam, domains)
    available = active_item_counts(exam.path) if available is None else available
    names = {d.pk: d.name for d in domains}
    return [
        Shortfall(names[d], needed, available.get(d, 0))
        for d, needed in plan.items()
        if available.get(d, 0) < needed
    ]


def list_exams_for_path(path: CertificationPath, *, user: Any) -> QuerySet[Exam]:
    """Return the path's exams user may take: shared ones plus their own practice sets."""
    return Exam.objects.available_to(user).filter(path=path).order_by("kind", "title")
