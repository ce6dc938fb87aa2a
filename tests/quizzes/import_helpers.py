"""Builders for the import/export tests: the fixture files, a bank whose path has their domains."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from quizzes.models import Question, QuestionBank
from tests.factories import CertificationPathFactory, ExamDomainFactory, QuestionBankFactory

DATA = Path(__file__).resolve().parent / "data"
DOMAINS = ("Cloud Concepts", "Security and Compliance", "Privileges / access control basics")


def data(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def bank_with_domains(**fields: Any) -> QuestionBank:
    """Return a bank on a new path whose domains are those the fixture files name."""
    path = CertificationPathFactory.create()
    for position, name in enumerate(DOMAINS, start=1):
        ExamDomainFactory.create(path=path, name=name, position=position)
    return cast(QuestionBank, QuestionBankFactory.create(path=path, **fields))


def snapshot(bank: QuestionBank) -> dict[str, tuple[Any, ...]]:
    """Return everything the round trip must keep, per question name."""
    questions = (
        Question.objects.filter(bank=bank).select_related("domain").prefetch_related("choices", "tags")
    )
    return {
        q.name: (
            q.domain.name,
            q.qtype,
            q.choose,
            q.difficulty,
            q.status,
            sorted(tag.name for tag in q.tags.all()),
            q.stem,
            q.explanation,
            q.source_url,
            [(c.text, c.is_correct, c.rationale) for c in q.choices.all()],
        )
        for q in questions
    }
