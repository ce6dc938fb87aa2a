"""Grading an attempt: idempotent persistence of the pure score (quizzes.scoring)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from .models import (
    Attempt,
    AttemptItem,
    AttemptState,
    Certificate,
    Choice,
    DomainResult,
    ExamKind,
    GradeChange,
    ReviewCard,
    ReviewPolicy,
)
from .models.certificates import score_band
from .scoring import Result, Scale, ScoredItem, grade
from .selectors import exam_domains

logger = logging.getLogger(__name__)


def scale_for(attempt: Attempt) -> Scale:
    path = attempt.exam.path
    if path.score_scale == "scaled":
        return Scale(low=path.score_min, high=path.score_max, pass_mark=path.pass_mark)
    return Scale()


def _scored(attempt: Attempt) -> list[tuple[AttemptItem, ScoredItem]]:
    items = attempt.items.select_related("answer").order_by("position")
    scored = []
    for item in items:
        answer = getattr(item, "answer", None)
        selected = frozenset(answer.selected) if answer else frozenset()
        scored.append(
            (
                item,
                ScoredItem(
                    domain_id=item.domain_id, key=frozenset(item.key), choose=item.choose, selected=selected
                ),
            )
        )
    return scored


def _result(attempt: Attempt, scored: list[tuple[AttemptItem, ScoredItem]]) -> Result:
    exam = attempt.exam
    return grade(
        [s for _, s in scored],
        cut_percent=exam.pass_percent,
        scale=scale_for(attempt),
        partial_credit=exam.partial_credit,
        domain_order=[d.pk for d in exam_domains(exam)],
    )


def compute_result(attempt: Attempt) -> Result:
    """Score the attempt from its frozen items and saved answers (reads, writes nothing)."""
    return _result(attempt, _scored(attempt))


def _store(attempt: Attempt, result: Result, items: list[AttemptItem]) -> None:
    attempt.raw_score = result.raw_score
    attempt.max_score = result.max_score
    attempt.score_percent = result.percent
    attempt.scaled_score = result.scaled_score
    attempt.passed = result.passed
    DomainResult.objects.filter(attempt=attempt).delete()
    DomainResult.objects.bulk_create(
        DomainResult(attempt=attempt, domain_id=d.domain_id, score=d.score, total=d.total)
        for d in result.domains
    )
    for item, score in zip(items, result.item_scores, strict=True):
        item.score = score
    AttemptItem.objects.bulk_update(items, ["score"], batch_size=500)


def queue_reviews(attempt: Attempt, items: list[AttemptItem], now: dt.datetime) -> int:
    """Put the attempt's missed and flagged items in the student's review queue; return how many.

    One statement (INSERT ... ON CONFLICT DO UPDATE): a question already queued takes the newer
    sighting and falls due again at once, keeping its memory state. Only exams whose review
    policy shows the key feed the queue, since a review shows the key and the explanation.
    """
    if attempt.exam.review_policy != ReviewPolicy.FULL:
        return 0
    missed = [item for item in items if item.flagged or (item.score or 0.0) < 1.0]
    ReviewCard.objects.bulk_create(
        [
            ReviewCard(
                student_id=attempt.student_id,
                question_id=item.question_id,
                item=item,
                due=now,
                created_at=now,
            )
            for item in missed
        ],
        update_conflicts=True,
        unique_fields=["student", "question"],
        update_fields=["item", "due"],
    )
    return len(missed)


def sync_certificate(attempt: Attempt, now: dt.datetime) -> Certificate | None:
    """Issue the certificate a passed full-length exam earns; revoke it if a regrade failed it.

    Call holding the attempt's row lock, after its result is stored. Idempotent.
    """
    existing = Certificate.objects.filter(attempt=attempt).first()
    if not attempt.passed or attempt.exam.kind != ExamKind.FULL:
        if existing and existing.revoked_at is None:
            existing.revoked_at = now
            existing.save(update_fields=["revoked_at"])
        return None
    if existing:
        if existing.revoked_at is not None:
            existing.revoked_at = None
            existing.save(update_fields=["revoked_at"])
        return existing
    student = attempt.student
    path = attempt.exam.path
    return Certificate.objects.create(
        attempt=attempt,
        holder_name=student.get_full_name() or student.get_username(),
        exam_title=f"{path.code}: {path.name}",
        path_code=path.code,
        score_band=score_band(
            percent=attempt.score_percent or 0.0, scaled=attempt.scaled_score, scale_max=path.score_max
        ),
        passed_on=(attempt.finished_at or now).date(),
        issued_at=now,
    )


def grade_attempt(*, attempt_id: int) -> bool:
    """Grade a submitted attempt once; return whether this call graded it.

    Idempotent: an attempt already graded (or not submitted) is left as it is, so a redelivered
    or duplicated task changes nothing. Runs under the attempt's row lock.
    """
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("exam__path", "student")
            .filter(pk=attempt_id)
            .first()
        )
        if attempt is None or attempt.state not in (AttemptState.SUBMITTED, AttemptState.NEEDS_ATTENTION):
            return False
        scored = _scored(attempt)
        items = [item for item, _ in scored]
        _store(attempt, _result(attempt, scored), items)
        now = timezone.now()
        queue_reviews(attempt, items, now)
        attempt.state = AttemptState.GRADED
        attempt.graded_at = now
        attempt.grading_error = ""
        attempt.save()
        sync_certificate(attempt, now)
    logger.info("graded attempt %s: %s%%", attempt_id, attempt.score_percent)
    return True


def finalize_overdue_attempts(*, now: dt.datetime, grace: dt.timedelta, limit: int = 500) -> list[int]:
    """Close open attempts whose deadline plus grace has passed; return their ids.

    Each is finished at its deadline, not at the sweep time. Rows another transaction holds are
    skipped (SKIP LOCKED) and taken by the next sweep.
    """
    with transaction.atomic():
        overdue = list(
            Attempt.objects.select_for_update(skip_locked=True)
            .filter(state=AttemptState.IN_PROGRESS, deadline__lt=now - grace)
            .order_by("deadline")[:limit]
        )
        for attempt in overdue:
            attempt.close(now=now, auto=True)
        Attempt.objects.bulk_update(overdue, ["state", "submitted_at", "finished_at", "auto_submitted"])
    return [a.pk for a in overdue]


def apply_key_correction(*, question_id: int) -> list[int]:
    """Copy the question's current key into the snapshots that froze it; return the attempts touched.

    Only which options are correct changes: the text and order a student saw stay as they were.
    Options that no longer exist keep their frozen flag.
    """
    current = dict(Choice.objects.filter(question_id=question_id).values_list("id", "is_correct"))
    touched = []
    with transaction.atomic():
        items = AttemptItem.objects.select_for_update().filter(
            question_id=question_id, attempt__state=AttemptState.GRADED
        )
        for item in items:
            changed = False
            for option in item.snapshot["options"]:
                choice_id = option.get("choice_id", option["id"])  # older snapshots: the id is the choice's
                if choice_id in current and option["is_correct"] != current[choice_id]:
                    option["is_correct"] = current[choice_id]
                    changed = True
            if changed:
                item.save(update_fields=["snapshot"])
                touched.append(item.attempt_id)
    return touched


def regrade_attempt(*, attempt_id: int, reason: str, changed_by_id: int | None = None) -> bool:
    """Score a graded attempt again; record a GradeChange when the result moved. Idempotent."""
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("exam__path", "student")
            .filter(pk=attempt_id)
            .first()
        )
        if attempt is None or attempt.state != AttemptState.GRADED:
            return False
        scored = _scored(attempt)
        result = _result(attempt, scored)
        if (result.percent, result.passed) == (attempt.score_percent, attempt.passed):
            return False
        GradeChange.objects.create(
            attempt=attempt,
            old_score_percent=attempt.score_percent or 0.0,
            new_score_percent=result.percent,
            old_passed=attempt.passed,
            new_passed=result.passed,
            reason=reason,
            changed_by_id=changed_by_id,
        )
        _store(attempt, result, [item for item, _ in scored])
        attempt.save()
        sync_certificate(attempt, timezone.now())
    logger.info("regraded attempt %s: %s%% (%s)", attempt_id, result.percent, reason)
    return True
