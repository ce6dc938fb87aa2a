"""Exam delivery: start, save, flag, check, submit an attempt. One transaction each."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils.crypto import salted_hmac

from courses.models import ExamDomain
from courses.services import record_study

from .. import selectors, tasks
from ..exceptions import (
    AttemptClosed,
    AttemptLimitReached,
    AttemptNotFound,
    BankTooSmall,
    CooldownActive,
    ExamNotAvailable,
    InvalidAnswer,
)
from ..models import (
    Answer,
    Attempt,
    AttemptItem,
    AttemptState,
    Exam,
    ExamMode,
    Question,
    QuestionStatus,
    QuestionType,
)
from ..scoring import OptionId
from .questions import render_questions

OPTION_ID_LENGTH = 16  # hex digits: 64 bits, so two options of one item never share an id in practice


def grace() -> dt.timedelta:
    return dt.timedelta(seconds=settings.EXAM_GRACE_SECONDS)


# ------------------------------------------------------------------------------------- starting


def option_id(*, seed: int, choice_id: int) -> str:
    """Return the opaque id of a choice in the attempt drawn with seed.

    Keyed by the secret key: it reveals neither authoring order nor database ids, it is new in
    every attempt (so a key learned in practice mode means nothing elsewhere), and a seed still
    reproduces its attempt exactly.
    """
    return salted_hmac("quizzes.option-id", f"{seed}:{choice_id}").hexdigest()[:OPTION_ID_LENGTH]


def _snapshot(rendered: dict[str, Any], rng: random.Random, seed: int) -> dict[str, Any]:
    """Return what the attempt freezes of a question: its rendering, options shuffled, ids opaque."""
    options = [dict(option) for option in rendered["options"]]
    if rendered["qtype"] != QuestionType.TRUE_FALSE:
        rng.shuffle(options)
    for option in options:
        option["id"] = option_id(seed=seed, choice_id=option["choice_id"])
    return {**rendered, "options": options}


def _draw(exam: Exam, domains: Sequence[ExamDomain], rng: random.Random) -> list[tuple[int, int, int, dict]]:
    """Draw the exam's items from one read of the bank: [(question id, domain id, revision, rendering)]."""
    plan = selectors.blueprint_for(exam, domains)
    rows = Question.objects.filter(
        bank__path=exam.path_id, status=QuestionStatus.ACTIVE, domain_id__in=list(plan)
    ).values_list("id", "domain_id", "revision", "rendered_revision", "rendered")
    bank = {row[0]: row for row in rows}
    pool: dict[int, list[int]] = defaultdict(list)
    for question_id in sorted(bank):
        pool[bank[question_id][1]].append(question_id)
    available = {domain_id: len(ids) for domain_id, ids in pool.items()}
    short = selectors.shortfalls(exam, available=available, domains=domains)
    if short:
        raise BankTooSmall("The question bank cannot supply this exam: " + "; ".join(map(str, short)) + ".")
    chosen = [qid for domain_id, n in plan.items() for qid in rng.sample(pool[domain_id], n)]
    rng.shuffle(chosen)
    stale = [qid for qid in chosen if bank[qid][3] != bank[qid][2]]
    fresh = render_questions(question_ids=stale) if stale else {}
    return [(qid, bank[qid][1], bank[qid][2], fresh.get(qid) or bank[qid][4]) for qid in chosen]


def _check_may_start(exam: Exam, student: Any, now: dt.datetime, history: dict[str, Any]) -> None:
    if not exam.path.is_active:
        raise ExamNotAvailable(exam.path.refuses_new_work("no new exam can be started"))
    if not exam.is_available_to(student):
        raise ExamNotAvailable("This exam is not available.")
    if exam.max_attempts is not None and history["count"] >= exam.max_attempts:
        raise AttemptLimitReached(f"You have used all {exam.max_attempts} attempts at this exam.")
    last = history["last_finished"]
    if exam.cooldown_minutes and last and now < last + dt.timedelta(minutes=exam.cooldown_minutes):
        ready = last + dt.timedelta(minutes=exam.cooldown_minutes)
        raise CooldownActive(f"You can start another attempt at {ready:%H:%M} UTC.")


def start_attempt(*, exam: Exam, student: Any, now: dt.datetime, seed: int | None = None) -> Attempt:
    """Start an attempt, or return the one already open (double clicks and two tabs yield one).

    Draws active items to the blueprint, shuffles items and options with a seed stored on the
    attempt, and freezes each item's snapshot from its question's rendering (made once per
    revision). Five statements whatever the exam's length, with no transaction around them (the
    caller loads the exam with its path and owner): the student's history at this exam, the
    domains, the bank, the enrollment, and the attempt with its items. Raises ExamNotAvailable,
    AttemptLimitReached, CooldownActive or BankTooSmall with a message for the student.
    """
    history = Attempt.objects.filter(exam=exam, student=student).aggregate(
        open_id=Max("pk", filter=Q(state=AttemptState.IN_PROGRESS)),
        count=Count("pk"),
        last_finished=Max("finished_at"),
    )
    if history["open_id"] is not None:
        return Attempt.objects.get(pk=history["open_id"])
    _check_may_start(exam, student, now, history)
    domains = selectors.exam_domains(exam)
    if not domains:
        raise ExamNotAvailable(f"{exam.path.code} has no exam domains yet: this exam cannot be drawn.")
    seed = seed if seed is not None else secrets.randbits(62)
    rng = random.Random(seed)  # noqa: S311 (a reproducible shuffle, not a secret)
    drawn = _draw(exam, domains, rng)
    record_study(student=student, path_id=exam.path_id)
    attempt = Attempt(
        exam=exam,
        student=student,
        seed=seed,
        started_at=now,
        deadline=now + dt.timedelta(minutes=exam.minutes) if exam.minutes else None,
        item_count=len(drawn),
    )
    items = [
        {"position": position, "question_id": qid, "revision": revision, "domain_id": domain_id,
         "snapshot": _snapshot(rendered, rng, seed)}
        for position, (qid, domain_id, revision, rendered) in enumerate(drawn, start=1)
    ]  # fmt: skip
    try:
        attempt.pk = _insert_attempt(attempt, items)
    except IntegrityError:
        # A concurrent start won the unique "one open attempt" index: use its attempt.
        existing = selectors.open_attempt(exam=exam, student_id=student.pk)
        if existing is None:
            raise
        return existing
    return attempt


# The attempt and its items in one statement: atomic by itself, so no transaction around it.
_INSERT_ATTEMPT = """
WITH attempt AS (
    INSERT INTO quizzes_attempt (exam_id, student_id, seed, state, started_at, deadline, item_count,
                                 auto_submitted, grading_tries, grading_error)
    VALUES (%(exam_id)s, %(student_id)s, %(seed)s, %(state)s, %(started_at)s, %(deadline)s,
            %(item_count)s, false, 0, '')
    RETURNING id
), items AS (
    INSERT INTO quizzes_attemptitem (attempt_id, position, question_id, question_revision, domain_id,
                                     snapshot, flagged, checked)
    SELECT attempt.id, item.position, item.question_id, item.revision, item.domain_id, item.snapshot,
           false, false
    FROM attempt, jsonb_to_recordset(%(items)s::jsonb)
         AS item(position int, question_id bigint, revision int, domain_id bigint, snapshot jsonb)
)
SELECT id FROM attempt
"""


def _insert_attempt(attempt: Attempt, items: list[dict[str, Any]]) -> int:
    """Insert the attempt with its items; return its id (IntegrityError: another start won)."""
    if connection.vendor != "postgresql":  # the embedded SQLite of `make run`
        with transaction.atomic():
            attempt.save(force_insert=True)
            AttemptItem.objects.bulk_create(
                AttemptItem(attempt=attempt, question_revision=item.pop("revision"), **item) for item in items
            )
        return attempt.pk
    params: dict[str, Any] = {
        "exam_id": attempt.exam_id,
        "student_id": attempt.student_id,
        "seed": attempt.seed,
        "state": attempt.state,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "item_count": attempt.item_count,
        "items": json.dumps(items),
    }
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_ATTEMPT, params)
        return int(cursor.fetchone()[0])


# ---------------------------------------------------------------------------------------- saving


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
# the item, and only when `seq` is newer than the stored one. `FOR KEY SHARE OF a` makes a submit
# (which locks the attempt FOR UPDATE) wait for a save under way, and makes a save that comes
# second see the attempt submitted: no acknowledged save is ever missing from the grade.
_UPSERT_SELECTION = """
INSERT INTO quizzes_answer (item_id, selected, client_seq, saved_at)
SELECT i.id, %(selected)s::jsonb, %(seq)s, %(now)s
FROM quizzes_attemptitem i JOIN quizzes_attempt a ON a.id = i.attempt_id
WHERE a.id = %(attempt_id)s AND a.student_id = %(student_id)s AND a.state = %(open)s
  AND (a.deadline IS NULL OR a.deadline >= %(cutoff)s)
  AND i.position = %(position)s AND NOT i.checked
  AND jsonb_array_length(%(selected)s::jsonb) <= (i.snapshot ->> 'choose')::int
  AND %(selected)s::jsonb <@ jsonb_path_query_array(i.snapshot, '$.options[*].id')
FOR KEY SHARE OF a
ON CONFLICT (item_id) DO UPDATE
SET selected = EXCLUDED.selected, client_seq = EXCLUDED.client_seq, saved_at = EXCLUDED.saved_at
WHERE quizzes_answer.client_seq < EXCLUDED.client_seq
RETURNING (SELECT flagged FROM quizzes_attemptitem WHERE id = quizzes_answer.item_id)
"""


def _store_selection(
    attempt_id: int, student_id: int, position: int, seq: int, now: dt.datetime, selected: Sequence[OptionId]
) -> SaveResult | None:
    """Store a new selection in one statement; None when the statement stored nothing."""
    chosen = list(dict.fromkeys(selected))
    params: dict[str, Any] = {
        "selected": json.dumps(chosen),
        "seq": seq,
        "now": now,
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
) -> SaveResult:
    """Store the student's selection and/or flag for one item, and make it the current item.

    A save whose client sequence number is not newer than the stored one changes nothing and is
    reported as stale. `check` (practice mode) makes the answer final and returns feedback.
    Raises AttemptNotFound, AttemptClosed or InvalidAnswer; nothing is stored then.

    A new selection alone (the exam page's commonest request) is one statement on PostgreSQL
    (see _store_selection); anything else, and whatever that statement declines, takes the
    locked path below, which answers stale saves and refusals exactly.
    """
    if selected is not None and flagged is None and not check and connection.vendor == "postgresql":
        stored = _store_selection(attempt_id, student.pk, position, seq, now, selected)
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
            answer = Answer(item=item, selected=chosen, client_seq=seq, saved_at=now)
            answer.save(force_insert=True)
        else:
            answer.selected, answer.client_seq, answer.saved_at = chosen, seq, now
            answer.save(update_fields=["selected", "client_seq", "saved_at"])
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


def submit_attempt(*, attempt_id: int, student: Any, now: dt.datetime) -> Attempt:
    """Submit the attempt and queue its grading after commit; submitting twice changes nothing.

    A submit after the deadline (the page was closed, the sweeper has not run) is accepted and
    counted at the deadline.
    """
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(pk=attempt_id, student_id=student.pk).first()
        if attempt is None:
            raise AttemptNotFound("No such attempt.")
        if not attempt.is_open:
            return attempt
        attempt.close(now=now, auto=attempt.deadline is not None and now > attempt.deadline)
        attempt.save(update_fields=["state", "submitted_at", "finished_at", "auto_submitted"])
        tasks.queue_grading_on_commit(attempt.pk)
    return attempt
