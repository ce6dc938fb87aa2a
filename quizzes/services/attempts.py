"""Exam delivery: start and submit an attempt (saving answers: services/answers.py)."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.crypto import salted_hmac

from courses.models import ExamDomain
from courses.services import record_study

from .. import selectors, tasks
from ..exceptions import (
    AttemptLimitReached,
    AttemptNotFound,
    BankTooSmall,
    CooldownActive,
    ExamNotAvailable,
)
from ..models import (
    Attempt,
    AttemptItem,
    AttemptState,
    Exam,
    Question,
    QuestionStatus,
    QuestionType,
)
from ..scoring import placement
from . import quotas

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
    if rendered["qtype"] in (QuestionType.ORDERING, QuestionType.MATCHING):
        return _placement_snapshot(rendered, rng, seed)
    options = [dict(option) for option in rendered["options"]]
    if rendered["qtype"] != QuestionType.TRUE_FALSE:
        rng.shuffle(options)
    for option in options:
        option["id"] = option_id(seed=seed, choice_id=option["choice_id"])
    return {**rendered, "options": options}


def _placement_snapshot(rendered: dict[str, Any], rng: random.Random, seed: int) -> dict[str, Any]:
    """Freeze an ordering or matching question: steps or prompts shuffled, `targets`, and the `key`.

    An ordering's targets are the positions 1..N and its steps never start in the right order;
    a matching's targets are its distinct answers (distractors too), shuffled, with opaque ids of
    their own. The key is a set of placements (scoring.placement); nothing public reveals it.
    """
    options = [dict(option) for option in rendered["options"]]
    for option in options:
        option["id"] = option_id(seed=seed, choice_id=option["choice_id"])
    if rendered["qtype"] == QuestionType.ORDERING:
        targets = [{"id": str(n), "text_html": str(n)} for n in range(1, len(options) + 1)]
        key = [placement(option["id"], str(n)) for n, option in enumerate(options, start=1)]
        shown = options[:]
        rng.shuffle(shown)
        if shown == options:  # showing the key as the starting order would give it away
            shown = shown[1:] + shown[:1]
        return {**rendered, "options": shown, "targets": targets, "key": key}
    answers: dict[str, dict[str, Any]] = {}
    for option in options:
        answers.setdefault(
            option["match_html"],
            {"id": option_id(seed=seed, choice_id=-option["choice_id"]), "text_html": option["match_html"]},
        )
    prompts = [option for option in options if option["text_html"]]
    key = [placement(option["id"], answers[option["match_html"]]["id"]) for option in prompts]
    targets = list(answers.values())
    rng.shuffle(prompts)
    rng.shuffle(targets)
    for option in prompts:
        del option["match_html"]  # the key says it; the answers are the targets
    return {**rendered, "options": prompts, "targets": targets, "key": key}


def _bank_rows(questions: QuerySet[Question]) -> dict[int, tuple[Any, ...]]:
    """Read the questions a draw may take: {id: (id, domain id, revision, rendered revision,
    rendering as text, case study id)}. Renderings stay text: only the drawn ones are parsed."""
    rows = questions.values_list(
        "id", "domain_id", "revision", "rendered_revision", Cast("rendered", TextField()), "case_study_id"
    )
    return {row[0]: row for row in rows}


def _renderings(bank: dict[int, tuple[Any, ...]], chosen: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The chosen questions' renderings, parsed; any still without its current one is rendered now."""
    stale = [qid for qid in chosen if bank[qid][3] != bank[qid][2]]
    fresh = Question.objects.filter(pk__in=stale).render() if stale else {}
    return {qid: fresh.get(qid) or json.loads(bank[qid][4]) for qid in chosen}


def _draw(exam: Exam, domains: Sequence[ExamDomain], rng: random.Random) -> list[tuple[int, int, int, dict]]:
    """Draw the exam's items from one read of the bank: [(question id, domain id, revision, rendering)]."""
    plan = selectors.blueprint_for(exam, domains)
    active = Question.objects.filter(bank__path=exam.path_id, status=QuestionStatus.ACTIVE)
    bank = _bank_rows(active.filter(domain_id__in=list(plan)))
    pool: dict[int, list[int]] = defaultdict(list)
    for question_id in sorted(bank):
        pool[bank[question_id][1]].append(question_id)
    available = {domain_id: len(ids) for domain_id, ids in pool.items()}
    short = selectors.shortfalls(exam, available=available, domains=domains)
    if short:
        raise BankTooSmall("The question bank cannot supply this exam: " + "; ".join(map(str, short)) + ".")
    chosen = [qid for domain_id, n in plan.items() for qid in rng.sample(pool[domain_id], n)]
    rng.shuffle(chosen)
    chosen = _cases_together(chosen, case_of={qid: bank[qid][5] for qid in chosen})
    renderings = _renderings(bank, chosen)
    return [(qid, bank[qid][1], bank[qid][2], renderings[qid]) for qid in chosen]


def _cases_together(chosen: list[int], *, case_of: dict[int, int | None]) -> list[int]:
    """Return chosen with the items of each case study moved up to its first one, in drawn order.

    A student reads a scenario once and answers its items in a row; the draw's domain counts and
    the order of everything else stay as they were.
    """
    groups: dict[int, list[int]] = defaultdict(list)
    for qid in chosen:
        if (case := case_of[qid]) is not None:
            groups[case].append(qid)
    ordered: list[int] = []
    for qid in chosen:
        case = case_of[qid]
        if case is None:
            ordered.append(qid)
        elif case in groups:
            ordered.extend(groups.pop(case))
    return ordered


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


@dataclass(frozen=True)
class Started:
    """What starting gave: the attempt, whether it is new, and a new attempt's items in order."""

    attempt: Attempt
    created: bool
    items: list[AttemptItem] = field(default_factory=list)


def start_attempt(*, exam: Exam, student: Any, now: dt.datetime, seed: int | None = None) -> Attempt:
    """Start an attempt, or return the one already open (see begin_attempt)."""
    return begin_attempt(exam=exam, student=student, now=now, seed=seed).attempt


def begin_attempt(*, exam: Exam, student: Any, now: dt.datetime, seed: int | None = None) -> Started:
    """Start an attempt, or return the one already open (double clicks and two tabs yield one).

    Draws active items to the blueprint, shuffles items and options with a seed stored on the
    attempt, and freezes each item's snapshot from its question's rendering (made once per
    revision). Five statements whatever the exam's length, with no transaction around them (the
    caller loads the exam with its path and owner): the student's history at this exam, the
    domains, the bank, the enrollment, and the attempt with its items. Raises ExamNotAvailable,
    AttemptLimitReached, CooldownActive, OpenAttemptLimitReached (services.quotas) or BankTooSmall
    with a message for the student.
    """
    here = Q(exam=exam)
    history = Attempt.objects.filter(student=student).aggregate(
        open_id=Max("pk", filter=here & Q(state=AttemptState.IN_PROGRESS)),
        count=Count("pk", filter=here),
        last_finished=Max("finished_at", filter=here),
        open_anywhere=Count("pk", filter=quotas.open_attempts(now)),
    )
    if history["open_id"] is not None:
        return Started(Attempt.objects.get(pk=history["open_id"]), created=False)
    _check_may_start(exam, student, now, history)
    quotas.ensure_may_open_attempt(open_count=history["open_anywhere"])
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
    domain_of = {domain.pk: domain for domain in domains}
    items = [
        AttemptItem(
            position=position,
            question_id=qid,
            question_revision=revision,
            domain=domain_of[domain_id],
            snapshot=_snapshot(rendered, rng, seed),
        )
        for position, (qid, domain_id, revision, rendered) in enumerate(drawn, start=1)
    ]
    try:
        attempt.pk = _insert_attempt(attempt, items)
    except IntegrityError:
        # A concurrent start won the unique "one open attempt" index: use its attempt.
        existing = selectors.open_attempt(exam=exam, student_id=student.pk)
        if existing is None:
            raise
        return Started(existing, created=False)
    # No answer yet: where Attempt.objects.with_current_position() would say to resume.
    attempt.current_position = 1  # type: ignore[attr-defined]
    for item in items:
        item.attempt = attempt
    return Started(attempt, created=True, items=items)


# The attempt and its items in one statement: atomic by itself, so no transaction around it.
_INSERT_ATTEMPT = """
WITH attempt AS (
    INSERT INTO quizzes_attempt (exam_id, student_id, seed, state, started_at, deadline, item_count,
                                 submitted_by, grading_tries, grading_error, retake_of_id)
    VALUES (%(exam_id)s, %(student_id)s, %(seed)s, %(state)s, %(started_at)s, %(deadline)s,
            %(item_count)s, '', 0, '', %(retake_of_id)s)
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


def _insert_attempt(attempt: Attempt, items: list[AttemptItem]) -> int:
    """Insert the attempt with its items; return its id (IntegrityError: another start won)."""
    if connection.vendor != "postgresql":  # the embedded SQLite of `make run`
        with transaction.atomic():
            attempt.save(force_insert=True)
            for item in items:
                item.attempt = attempt
            AttemptItem.objects.bulk_create(items)
        return attempt.pk
    rows = [
        {"position": item.position, "question_id": item.question_id, "revision": item.question_revision,
         "domain_id": item.domain_id, "snapshot": item.snapshot}
        for item in items
    ]  # fmt: skip
    params: dict[str, Any] = {
        "exam_id": attempt.exam_id,
        "student_id": attempt.student_id,
        "seed": attempt.seed,
        "state": attempt.state,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "item_count": attempt.item_count,
        "retake_of_id": attempt.retake_of_id,
        "items": json.dumps(rows),
    }
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_ATTEMPT, params)
        return int(cursor.fetchone()[0])


def submit_attempt(*, attempt_id: int, student: Any, now: dt.datetime, by_timer: bool = False) -> Attempt:
    """Submit the attempt and queue its grading after commit; submitting twice changes nothing.

    A submit after the deadline (the page was closed, the sweeper has not run) is accepted and
    counted at the deadline. `by_timer`: the exam page says its timer ran out; the attempt
    records the timer as the submitter if the deadline bears that out (`Attempt.submitter`).
    """
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(pk=attempt_id, student_id=student.pk).first()
        if attempt is None:
            raise AttemptNotFound("No such attempt.")
        if not attempt.is_open:
            return attempt
        attempt.close(now=now, by=attempt.submitter(now, timer_says_so=by_timer))
        attempt.save(update_fields=["state", "submitted_at", "finished_at", "submitted_by"])
        tasks.queue_grading_on_commit(attempt.pk)
    return attempt
