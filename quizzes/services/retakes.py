"""Retakes: a new untimed practice attempt made of exactly the items a graded attempt missed."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from courses.services import record_study

from .. import selectors
from ..exceptions import ExamNotAvailable, NothingToRetake
from ..models import (
    Attempt,
    AttemptItem,
    Exam,
    ExamKind,
    ExamMode,
    Question,
    QuestionStatus,
    ReviewPolicy,
)
from .attempts import _bank_rows, _insert_attempt, _renderings, _snapshot
from .quotas import ensure_may_create_practice_set


@dataclass(frozen=True)
class Retake:
    """What retaking gave: the attempt, whether it is new, and how many missed items were left out."""

    attempt: Attempt
    created: bool
    left_out: int = 0


def retake_missed(*, attempt_id: int, student: Any, now: dt.datetime, seed: int | None = None) -> Retake:
    """Start an untimed practice attempt of the questions the student's graded attempt missed.

    Missed: answered wrongly or not at all. Each question comes at its current revision, with new
    shuffles and option ids; questions no longer active are left out (`left_out`). Practice mode
    (feedback after each item) when the source exam's review shows the key, exam mode otherwise. The retake is
    its own practice set (owned by the student, one attempt allowed, linked by Attempt.retake_of),
    so it counts against PRACTICE_SETS_PER_DAY and OPEN_ATTEMPTS_PER_STUDENT. A retake of this
    attempt still in progress is returned instead of a second one. Takes the student's row lock.
    Raises AttemptNotFound (not theirs), NothingToRetake, ExamNotAvailable,
    PracticeSetLimitReached or OpenAttemptLimitReached.
    """
    source = selectors.get_attempt_with_items(attempt_id=attempt_id, student_id=student.pk)
    if not selectors.may_retake_missed(source):
        raise NothingToRetake("Only a graded attempt whose review lists its items can be retaken.")
    path = source.exam.path
    if not path.is_active:
        raise ExamNotAvailable(path.refuses_new_work("no new exam can be started"))
    missed = [item.question_id for item in selectors.missed_items(source)]
    if not missed:
        raise NothingToRetake("You answered every item correctly: there is nothing to retake.")
    bank = _bank_rows(Question.objects.filter(pk__in=missed, status=QuestionStatus.ACTIVE))
    if not bank:
        raise NothingToRetake("Every question you missed has been retired since: there is nothing to retake.")
    seed = seed if seed is not None else secrets.randbits(62)
    rng = random.Random(seed)  # noqa: S311 (a reproducible shuffle, not a secret)
    chosen = [qid for qid in missed if qid in bank]
    rng.shuffle(chosen)
    renderings = _renderings(bank, chosen)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=student.pk).values_list("pk").get()
        existing = selectors.open_retake(attempt=source)
        if existing is not None:
            return Retake(existing, created=False)
        ensure_may_create_practice_set(owner=student, now=now)
        exam = Exam.objects.create(
            path=path,
            title=f"Retake: {len(chosen)} missed items of {source.exam.title}"[:200],
            kind=ExamKind.PRACTICE,
            # Practice feedback shows the key: only where the source exam's review shows it too.
            mode=ExamMode.PRACTICE if source.exam.review_policy == ReviewPolicy.FULL else ExamMode.EXAM,
            item_count=len(chosen),
            minutes=None,
            pass_percent=source.exam.pass_percent,
            partial_credit=source.exam.partial_credit,
            review_policy=source.exam.review_policy,
            max_attempts=1,
            owner=student,
        )
        exam.domains.set({bank[qid][1] for qid in chosen})
        attempt = Attempt(
            exam=exam, student=student, seed=seed, started_at=now, item_count=len(chosen), retake_of=source
        )
        items = [
            AttemptItem(
                position=position,
                question_id=qid,
                question_revision=bank[qid][2],
                domain_id=bank[qid][1],
                snapshot=_snapshot(renderings[qid], rng, seed),
            )
            for position, qid in enumerate(chosen, start=1)
        ]
        attempt.pk = _insert_attempt(attempt, items)
    record_study(student=student, path_id=path.pk)
    return Retake(attempt, created=True, left_out=len(missed) - len(chosen))
