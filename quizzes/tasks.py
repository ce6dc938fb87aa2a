"""Celery tasks: ids in, no logic; each calls one function and is safe to run twice."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from . import grading, importing, item_stats, lrs
from .grading import RETRYABLE
from .models import Attempt, AttemptState

logger = logging.getLogger(__name__)


class GradingTask(Task):
    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """Out of retries: mark the attempt for attention instead of dropping it silently."""
        attempt_id = kwargs.get("attempt_id") or (args[0] if args else None)
        if attempt_id is not None:
            mark_for_attention(attempt_id=attempt_id, error=f"{type(exc).__name__}: {exc}")


def mark_for_attention(*, attempt_id: int, error: str) -> None:
    try:
        Attempt.objects.filter(pk=attempt_id, state=AttemptState.SUBMITTED).update(
            state=AttemptState.NEEDS_ATTENTION, grading_error=error[:2000]
        )
    except DatabaseError:
        logger.exception("could not mark attempt %s for attention", attempt_id)


@shared_task(
    base=GradingTask,
    name="quizzes.grade_attempt",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRYABLE,
    retry_backoff=1,
    retry_backoff_max=30,
    retry_jitter=True,
    max_retries=settings.GRADING_MAX_TRIES,
)
def grade_attempt(attempt_id: int) -> int:
    """Grade a submitted attempt, and with it other submitted ones nobody holds; return how many.

    Idempotent. Under a burst of submits the first task grades a batch of up to
    GRADING_BATCH_SIZE and the tasks of that batch's attempts find them graded.
    """
    Attempt.objects.filter(pk=attempt_id).update(grading_tries=F("grading_tries") + 1)
    graded = grading.grade_attempts(attempt_ids=[attempt_id], also_waiting=settings.GRADING_BATCH_SIZE - 1)
    if graded:
        queue_review_sweep()
    if settings.XAPI_LRS_ENDPOINT:
        for graded_id in graded:
            queue_xapi_push(graded_id)
    return len(graded)


def queue_grading(attempt_id: int) -> bool:
    """Send the grading task now; never raise: if the broker is down the sweeper re-queues it."""
    try:
        grade_attempt.apply_async(kwargs={"attempt_id": attempt_id}, retry=False)
    except Exception:  # the broker's connection errors vary by transport
        logger.warning(
            "could not queue grading of attempt %s; the sweeper will retry", attempt_id, exc_info=True
        )
        return False
    return True


def queue_grading_on_commit(attempt_id: int) -> None:
    """Queue grading once the current transaction commits (never for a rolled-back one)."""
    transaction.on_commit(lambda: queue_grading(attempt_id))


@shared_task(name="quizzes.queue_missed_reviews", acks_late=True, autoretry_for=RETRYABLE, max_retries=3)
def queue_missed_reviews() -> int:
    """Queue the missed and flagged items of the graded attempts not queued yet; return how many attempts."""
    queued = 0
    while batch := grading.queue_waiting_reviews(limit=settings.GRADING_BATCH_SIZE):
        queued += len(batch)
    return queued


def queue_review_sweep() -> None:
    """Send queue_missed_reviews now; never raise: beat runs it every minute anyway."""
    try:
        queue_missed_reviews.apply_async(retry=False)
    except Exception:  # the broker's connection errors vary by transport
        logger.warning("could not queue the review sweep; beat will run it", exc_info=True)


@shared_task(name="quizzes.sweep_overdue_attempts", acks_late=True, autoretry_for=RETRYABLE, max_retries=3)
def sweep_overdue_attempts() -> int:
    """Finalize attempts whose deadline and grace have passed; return how many."""
    ids = grading.finalize_overdue_attempts(
        now=timezone.now(), grace=dt.timedelta(seconds=settings.EXAM_GRACE_SECONDS)
    )
    for attempt_id in ids:
        queue_grading(attempt_id)
    return len(ids)


@shared_task(name="quizzes.requeue_ungraded_attempts", acks_late=True, autoretry_for=RETRYABLE, max_retries=3)
def requeue_ungraded_attempts() -> int:
    """Queue grading again for attempts submitted long ago and still ungraded; return how many."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.GRADING_REQUEUE_AFTER_SECONDS)
    ids = list(
        Attempt.objects.filter(state=AttemptState.SUBMITTED, submitted_at__lt=cutoff).values_list(
            "id", flat=True
        )[:500]
    )
    for attempt_id in ids:
        queue_grading(attempt_id)
    return len(ids)


@shared_task(
    name="quizzes.regrade_question", acks_late=True, autoretry_for=RETRYABLE, max_retries=5, retry_backoff=1
)
def regrade_question(question_id: int, reason: str, changed_by_id: int | None = None) -> int:
    """Apply a corrected key to every graded attempt that saw the question; return grades changed."""
    attempt_ids = grading.apply_key_correction(question_id=question_id)
    size = settings.GRADING_BATCH_SIZE
    return sum(
        len(
            grading.regrade_attempts(
                attempt_ids=attempt_ids[i : i + size], reason=reason, changed_by_id=changed_by_id
            )
        )
        for i in range(0, len(attempt_ids), size)
    )


def queue_regrade_on_commit(*, question_id: int, reason: str, changed_by_id: int | None) -> None:
    transaction.on_commit(
        lambda: regrade_question.apply_async(
            kwargs={"question_id": question_id, "reason": reason, "changed_by_id": changed_by_id}
        )
    )


# --- Question imports in the background ---------------------------------------------------------------


class ImportTask(Task):
    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """Out of retries (or a bug): the job page says the import failed instead of waiting forever."""
        job_id = kwargs.get("job_id") or (args[0] if args else None)
        if job_id is not None:
            importing.mark_import_failed(job_id=job_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(
    base=ImportTask,
    name="quizzes.run_question_import",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRYABLE,
    retry_backoff=1,
    retry_backoff_max=30,
    retry_jitter=True,
    max_retries=5,
)
def run_question_import(job_id: int) -> str:
    """Run one stored question import (idempotent: a finished job is left alone)."""
    job = importing.run_import_job(job_id=job_id)
    return job.status if job is not None else "already finished"


def queue_import_on_commit(job_id: int) -> None:
    """Queue the import once the job row is committed; if the broker is down, fail the job visibly."""

    def send() -> None:
        try:
            run_question_import.apply_async(kwargs={"job_id": job_id}, retry=False)
        except Exception as error:  # the broker's errors (kombu, redis) share no base class
            logger.exception("could not queue question import %s", job_id)
            importing.mark_import_failed(job_id=job_id, error=f"The import could not be run: {error}")

    transaction.on_commit(send)


@shared_task(name="quizzes.compute_item_statistics", acks_late=True, autoretry_for=RETRYABLE, max_retries=3)
def compute_item_statistics(full: bool = False) -> int:
    """Recompute item statistics for the revisions graded since the last run; return how many."""
    return item_stats.compute_item_stats(full=full)


@shared_task(
    name="quizzes.push_xapi_statements",
    acks_late=True,
    autoretry_for=(lrs.LRSUnavailable, *RETRYABLE),
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def push_xapi_statements(attempt_id: int) -> int:
    """Send a graded attempt's xAPI statements to the configured LRS (same ids each time)."""
    return lrs.push_attempt(attempt_id=attempt_id)


def queue_xapi_push(attempt_id: int) -> None:
    """Queue the push; never raise: the statements stay readable at /api/v1/xapi/statements/."""
    try:
        push_xapi_statements.apply_async(kwargs={"attempt_id": attempt_id}, retry=False)
    except Exception:  # the broker's connection errors vary by transport
        logger.warning("could not queue the xAPI push of attempt %s", attempt_id, exc_info=True)
