"""Saving a student's answers: one statement for a new selection, a locked path for the rest."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from ..exceptions import (
    AttemptClosed,
    AttemptNotFound,
    InvalidAnswer,
)
from ..models import (
    Answer,
    Attempt,
    AttemptItem,
    AttemptState,
    ExamMode,
)
from ..scoring import PLACED_AT, OptionId
from .attempts import grace


@dataclass(frozen=True)
class SaveResult:
    position: int
    seq: int
    stale: bool
    selected: list[OptionId]
    flagged: bool
    feedback: dict[str, Any] | None = None


def _locked_open_attempt(attempt_id: int, student_id: int, now: dt.datetime) -> Attempt:
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("exam")
        .filter(pk=attempt_id, student_id=student_id)
        .first()
    )
    if attempt is None:
        raise AttemptNotFound("No such attempt.")
    if not attempt.is_open:
        raise AttemptClosed("This attempt has been submitted: answers can no longer be changed.")
    if not attempt.accepts_saves(now, grace=grace()):
        raise AttemptClosed("Time is up for this attempt: the answer was not saved.")
    return attempt


def _validate_selection(item: AttemptItem, selected: Sequence[OptionId]) -> list[OptionId]:
    if item.is_placement:
        placements = list(dict.fromkeys(str(s) for s in selected))
        problem = item.placement_problem(placements)
        if problem:
            raise InvalidAnswer(problem)
        return list(placements)
    # Ids are compared as text: attempts started before option ids became opaque use integers.
    options = {str(option_id): option_id for option_id in item.option_ids}
    wanted = list(dict.fromkeys(str(s) for s in selected))
    foreign = [s for s in wanted if s not in options]
    if foreign:
        raise InvalidAnswer(f"Option {foreign[0]} is not an option of item {item.position}.")
    chosen = [options[s] for s in wanted]
    if len(chosen) > item.choose:
        raise InvalidAnswer(
            f"Item {item.position} asks you to choose {item.choose}; {len(chosen)} were sent."
        )
    return chosen


def feedback_for(item: AttemptItem) -> dict[str, Any]:
    """Return the key, rationales and explanation of an item (only once its answer is final)."""
    return {
        "correct_ids": sorted(item.key),
        "rationales": {str(o["id"]): o["rationale_html"] for o in item.snapshot["options"]},
        "explanation_html": item.snapshot["explanation_html"],
    }


# One statement, no transaction around it: insert or update the item's answer, but only for the
# student's own attempt while it is open, for an item not yet checked, with a selection that fits
# the item, and only when `seq` is newer than the stored one. The time the save reports is added
# to the answer's (bounded): a stale or repeated save adds nothing. `FOR KEY SHARE OF a` makes a submit
# (which locks the attempt FOR UPDATE) wait for a save under way, and makes a save that comes
# second see the attempt submitted: no acknowledged save is ever missing from the grade. Ordering
# and matching items (with `targets`) are declined: the locked path checks their placements.
_UPSERT_SELECTION = """
INSERT INTO quizzes_answer (item_id, selected, client_seq, saved_at, time_ms)
SELECT i.id, %(selected)s::jsonb, %(seq)s, %(now)s, %(spent)s
FROM quizzes_attemptitem i JOIN quizzes_attempt a ON a.id = i.attempt_id
WHERE a.id = %(attempt_id)s AND a.student_id = %(student_id)s AND a.state = %(open)s
  AND (a.deadline IS NULL OR a.deadline >= %(cutoff)s)
  AND i.position = %(position)s AND NOT i.checked AND i.snapshot -> 'targets' IS NULL
  AND jsonb_array_length(%(selected)s::jsonb) <= (i.snapshot ->> 'choose')::int
  AND %(selected)s::jsonb <@ jsonb_path_query_array(i.snapshot, '$.options[*].id')
FOR KEY SHARE OF a
ON CONFLICT (item_id) DO UPDATE
SET selected = EXCLUDED.selected, client_seq = EXCLUDED.client_seq, saved_at = EXCLUDED.saved_at,
    time_ms = LEAST(quizzes_answer.time_ms + EXCLUDED.time_ms, %(time_max)s)
WHERE quizzes_answer.client_seq < EXCLUDED.client_seq
RETURNING (SELECT flagged FROM quizzes_attemptitem WHERE id = quizzes_answer.item_id)
"""


def _store_selection(
    attempt_id: int,
    student_id: int,
    position: int,
    seq: int,
    now: dt.datetime,
    selected: Sequence[OptionId],
    spent_ms: int,
) -> SaveResult | None:
    """Store a new selection in one statement; None when the statement stored nothing."""
    chosen = list(dict.fromkeys(selected))
    params: dict[str, Any] = {
        "selected": json.dumps(chosen),
        "seq": seq,
        "now": now,
        "spent": spent_ms,
        "time_max": Answer.TIME_MAX_MS,
        "attempt_id": attempt_id,
        "student_id": student_id,
        "open": AttemptState.IN_PROGRESS,
        "cutoff": now - grace(),
        "position": position,
    }
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_SELECTION, params)
        row = cursor.fetchone()
    return None if row is None else SaveResult(position, seq, False, chosen, bool(row[0]))


def save_item_state(
    *,
    attempt_id: int,
    student: Any,
    position: int,
    seq: int,
    now: dt.datetime,
    selected: Sequence[OptionId] | None = None,
    flagged: bool | None = None,
    check: bool = False,
    spent_ms: int = 0,
) -> SaveResult:
    """Store the student's selection and/or flag for one item, and make it the current item.

    A save whose client sequence number is not newer than the stored one changes nothing and is
    reported as stale. `check` (practice mode) makes the answer final and returns feedback.
    `spent_ms`, the time on the item the page reports since its last save of it, is added to the
    answer's time (Answer.bounded_save_time; a stale save adds nothing).
    Raises AttemptNotFound, AttemptClosed or InvalidAnswer; nothing is stored then.

    A new selection alone (the exam page's commonest request) is one statement on PostgreSQL
    (see _store_selection); anything else, and whatever that statement declines, takes the
    locked path below, which answers stale saves and refusals exactly.
    """
    spent_ms = Answer.bounded_save_time(spent_ms)
    if (
        selected is not None
        and flagged is None
        and not check
        and connection.vendor == "postgresql"
        and not any(PLACED_AT in str(s) for s in selected)  # placements take the locked path
    ):
        stored = _store_selection(attempt_id, student.pk, position, seq, now, selected, spent_ms)
        if stored is not None:
            return stored
    with transaction.atomic():
        attempt = _locked_open_attempt(attempt_id, student.pk, now)
        item = AttemptItem.objects.filter(attempt=attempt, position=position).select_related("answer").first()
        if item is None:
            raise InvalidAnswer(f"This attempt has no item {position}.")
        if check and attempt.exam.mode != ExamMode.PRACTICE:
            raise InvalidAnswer("Feedback is shown after you submit this exam.")
        answer = getattr(item, "answer", None)
        if answer is not None and seq <= answer.client_seq:
            return SaveResult(position, answer.client_seq, True, answer.selected, item.flagged)
        if selected is not None and item.checked:
            raise InvalidAnswer("You have already checked this answer; it can no longer change.")
        chosen = (
            _validate_selection(item, selected)
            if selected is not None
            else (answer.selected if answer else [])
        )
        if answer is None:
            answer = Answer(item=item, selected=chosen, client_seq=seq, saved_at=now, time_ms=spent_ms)
            answer.save(force_insert=True)
        else:
            answer.selected, answer.client_seq, answer.saved_at = chosen, seq, now
            answer.time_ms = min(answer.time_ms + spent_ms, Answer.TIME_MAX_MS)
            answer.save(update_fields=["selected", "client_seq", "saved_at", "time_ms"])
        item_fields = []
        if flagged is not None and flagged != item.flagged:
            item.flagged = flagged
            item_fields.append("flagged")
        if check and not item.checked:
            item.checked = True
            item_fields.append("checked")
        if item_fields:
            item.save(update_fields=item_fields)
        feedback = feedback_for(item) if item.checked else None
        return SaveResult(position, seq, False, chosen, item.flagged, feedback)
