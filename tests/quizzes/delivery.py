"""Builders for exam-delivery tests: a path with a blueprint, a bank that can supply it, exams."""

from __future__ import annotations

import itertools
from typing import cast

from courses.models import CertificationPath, ExamDomain
from quizzes.models import Choice, Exam, Question, QuestionBank, QuestionStatus, QuestionType
from tests.factories import CertificationPathFactory, ExamDomainFactory

_names = itertools.count(1)


def path_with_domains(weights: tuple[int, ...] = (24, 30, 34, 12), **fields: object) -> CertificationPath:
    path = cast(CertificationPath, CertificationPathFactory(**fields))
    for position, weight in enumerate(weights, start=1):
        ExamDomainFactory(path=path, position=position, name=f"Domain {position}", weight_percent=weight)
    return path


def add_question(
    bank: QuestionBank,
    domain: ExamDomain,
    *,
    qtype: str = QuestionType.SINGLE,
    choose: int = 1,
    status: str = QuestionStatus.ACTIVE,
) -> Question:
    n = next(_names)
    question = Question.objects.create(
        bank=bank,
        name=f"q{n}",
        domain=domain,
        qtype=qtype,
        choose=choose,
        status=status,
        stem=f"Question {n}: which option is right?",
        explanation=f"Because option A of question {n} is right.",
        source_url="https://example.com/docs",
    )
    options: list[tuple[str, bool]] | list[tuple[str, bool, str]]
    if qtype == QuestionType.TRUE_FALSE:
        options = [("True", True), ("False", False)]
    elif qtype == QuestionType.MULTIPLE:
        options = [(f"Option {chr(65 + i)}", i < choose) for i in range(choose + 2)]
    elif qtype == QuestionType.ORDERING:  # the right order: Step 1, Step 2, ...
        options = [(f"Step {i}", False) for i in range(1, 5)]
    elif qtype == QuestionType.MATCHING:  # Prompt X pairs with Answer X; one distractor answer
        options = [(f"Prompt {x}", False, f"Answer {x}") for x in "ABC"] + [("", False, "Answer D")]
    else:
        options = [(f"Option {chr(65 + i)}", i == 0) for i in range(4)]
    Choice.objects.bulk_create(
        Choice(
            question=question,
            position=i,
            text=option[0],
            is_correct=option[1],
            match=option[2] if len(option) > 2 else "",  # type: ignore[misc]
            rationale=f"Why {option[0]} is {option[1]}",
        )
        for i, option in enumerate(options, start=1)
    )
    return question


def bank_for(path: CertificationPath, per_domain: int = 30) -> QuestionBank:
    bank = QuestionBank.objects.create(path=path, name=f"{path.code} bank", slug=f"{path.code.lower()}-bank")
    for domain in path.domains.all():
        for i in range(per_domain):
            qtype = QuestionType.MULTIPLE if i % 5 == 4 else QuestionType.SINGLE
            add_question(bank, domain, qtype=qtype, choose=2 if qtype == QuestionType.MULTIPLE else 1)
    return bank


def exam_for(path: CertificationPath, **fields: object) -> Exam:
    defaults: dict[str, object] = {
        "title": "Practice exam",
        "item_count": 20,
        "minutes": 30,
        "pass_percent": 70,
    }
    defaults.update(fields)
    return Exam.objects.create(path=path, **defaults)
