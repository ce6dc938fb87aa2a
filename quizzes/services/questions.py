"""Changes instructors make to questions in the admin: revisions, status, domain."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.utils import timezone

from courses.models import ExamDomain

from ..models import CaseStudy, Question, QuestionStatus
from ..models.banks import revise_case_study_questions


def record_new_revision(*, question: Question) -> None:
    """Count an edit students can see as the question's next revision (models.banks.makes_new_revision).

    Attempts keep their own snapshot; the revision records that students now see another text.
    """
    Question.objects.filter(pk=question.pk).update(revision=F("revision") + 1)
    question.refresh_from_db(fields=["revision"])


def record_case_study_revision(*, case_study: CaseStudy) -> int:
    """Give every question of the case study a new revision after an edit to what students see.

    Its questions freeze the scenario in their rendering (Question.render), so they are rendered
    again with the new text; attempts already started keep the scenario they showed.
    Return how many questions were revised.
    """
    return revise_case_study_questions([case_study.pk])


def activate_questions(*, questions: QuerySet[Question]) -> tuple[int, list[str]]:
    """Activate the questions that satisfy their invariants; return the count and the others' problems."""
    ready, broken = [], []
    for question in questions.prefetch_related("choices"):
        try:
            question.clean()
            choices = question.choices.all()
            question.check_options(
                [(c.text, c.is_correct) for c in choices], matches=[c.match for c in choices]
            )
        except ValidationError as exc:
            broken.append(f"{question.name} ({' '.join(exc.messages)})")
        else:
            ready.append(question.pk)
    count = Question.objects.filter(pk__in=ready).update(
        status=QuestionStatus.ACTIVE, updated_at=timezone.now()
    )
    return count, broken


def retire_questions(*, questions: QuerySet[Question]) -> int:
    """Retire the questions: no new attempt draws them; attempts that did keep them."""
    return Question.objects.filter(pk__in=questions.values("pk")).update(
        status=QuestionStatus.RETIRED, updated_at=timezone.now()
    )


def move_questions_to_domain(*, questions: QuerySet[Question], domain: ExamDomain) -> int:
    """Tag the questions with another domain of their path (the caller checked it is their path's)."""
    return Question.objects.filter(pk__in=questions.values("pk")).update(
        domain=domain, updated_at=timezone.now()
    )
