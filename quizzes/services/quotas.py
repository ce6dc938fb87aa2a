"""How much a student may start: the one home of the per-student caps on new work.

`PRACTICE_SETS_PER_DAY` practice sets in any 24 hours, and `OPEN_ATTEMPTS_PER_STUDENT` attempts
open at once (settings). Both the pages and the API reach them through the services
(create_practice_set, start_attempt), so a refusal is the same DomainError everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q

from ..exceptions import OpenAttemptLimitReached, PracticeSetLimitReached
from ..models import Attempt, AttemptState, Exam, ExamKind

QUOTA_WINDOW = dt.timedelta(days=1)


def open_attempts(now: dt.datetime) -> Q:
    """Return the condition of an attempt that counts as open: in progress with time left (or untimed).

    An attempt past its deadline is finalized by the sweeper within a minute: it no longer counts.
    """
    return Q(state=AttemptState.IN_PROGRESS) & (Q(deadline__isnull=True) | Q(deadline__gt=now))


def ensure_may_open_attempt(*, open_count: int) -> None:
    """Raise OpenAttemptLimitReached when a student with open_count open attempts may open no more."""
    limit = settings.OPEN_ATTEMPTS_PER_STUDENT
    if open_count >= limit:
        raise OpenAttemptLimitReached(
            f"You have {open_count} exams in progress, the most you may have open at once is {limit}: "
            "submit one before starting another."
        )


def ensure_may_create_practice_set(*, owner: Any, now: dt.datetime) -> None:
    """Raise PracticeSetLimitReached or OpenAttemptLimitReached when owner may not make another set."""
    limit = settings.PRACTICE_SETS_PER_DAY
    made = Exam.objects.filter(owner=owner, kind=ExamKind.PRACTICE, created_at__gt=now - QUOTA_WINDOW).count()
    if made >= limit:
        raise PracticeSetLimitReached(
            f"You have made {made} practice sets in the last 24 hours, the most allowed is {limit}: "
            "take one of them again, or come back later."
        )
    ensure_may_open_attempt(open_count=Attempt.objects.filter(open_attempts(now), student=owner).count())
