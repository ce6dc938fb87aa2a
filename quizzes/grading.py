"""Grading attempts in batches: set-based scoring in SQL, idempotent persistence (quizzes.scoring)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from core.sql import json_number_at, with_id_lists

from .models import (
    Attempt,
    AttemptItem,
    AttemptState,
    Certificate,
    Choice,
    DomainResult,
    Exam,
    ExamKind,
    GradeChange,
    ReviewCard,
    ReviewPolicy,
    SubmittedBy,
)
from .models.certificates import score_band
from .scoring import ITEM_SCORE_SQL, Result, Scale, ScoredItem, grade, summarize
from .selectors import exam_domains

logger = logging.getLogger(__name__)
# Connection trouble (a failover, a restart) is worth retrying; a broken invariant is not.
RETRYABLE = (OperationalError, InterfaceError)


def scale_for(attempt: Attempt) -> Scale:
    path = attempt.exam.path
    if path.score_scale == "scaled":
        return Scale(low=path.score_min, high=path.score_max, pass_mark=path.pass_mark)
    return Scale()


def scored_item(item: AttemptItem) -> ScoredItem:
    """Return what scoring reads of an item (loaded with its answer): domain, key, choose, selection."""
    answer = getattr(item, "answer", None)
    selected = frozenset(answer.selected) if answer else frozenset()
    return ScoredItem(
        domain_id=item.domain_id,
        key=frozenset(item.key),
        choose=item.choose,
        selected=selected,
        placements=item.is_placement,
    )


def compute_result(attempt: Attempt) -> Result:
    """Score the attempt from its frozen items and saved answers (reads, writes nothing)."""
    items = attempt.items.select_related("answer").order_by("position")
    scored = [scored_item(item) for item in items]
    exam = attempt.exam
    return grade(
        scored,
        cut_percent=exam.pass_percent,
        scale=scale_for(attempt),
        partial_credit=exam.partial_credit,
        domain_order=[d.pk for d in exam_domains(exam)],
    )


# One row per attempt item with what ITEM_SCORE_SQL reads (item analysis reads it too).
ITEM_ROWS_SQL = """
SELECT i.id AS item_id, i.attempt_id, i.position, i.domain_id, i.question_id, i.question_revision,
       (i.snapshot ->> 'choose')::int AS choose,
       COALESCE(i.snapshot -> 'key',
                jsonb_path_query_array(i.snapshot, '$.options[*] ? (@.is_correct == true).id')) AS key,
       i.snapshot -> 'targets' IS NOT NULL AS placements,
       COALESCE(ans.selected, '[]'::jsonb) AS selected, COALESCE(ans.time_ms, 0) AS time_ms,
       e.partial_credit, a.raw_score AS attempt_score
FROM quizzes_attemptitem i
JOIN quizzes_attempt a ON a.id = i.attempt_id
JOIN quizzes_exam e ON e.id = a.exam_id
LEFT JOIN quizzes_answer ans ON ans.item_id = i.id
"""

# Every item of the attempts scored, summed per attempt and domain, writing nothing: the bare
# scoring statement (bench/grading.py measures grading against it).
# (Built from module constants only; every value is a parameter.)
_TALLY_SQL = f"""
SELECT item.attempt_id, item.domain_id, sum({ITEM_SCORE_SQL}) AS points, count(*) AS items
FROM ({ITEM_ROWS_SQL} WHERE i.attempt_id = ANY(%(ids)s)) AS item
GROUP BY item.attempt_id, item.domain_id
"""  # noqa: S608  # nosec B608: module constants only, every value a parameter

_STORE_SCORES_SQL = """
UPDATE quizzes_attempt AS a
SET raw_score = v.raw_score, max_score = v.max_score, score_percent = v.percent,
    scaled_score = v.scaled_score, passed = v.passed, item_scores = v.item_scores,
    state = COALESCE(%(state)s::varchar, a.state),
    graded_at = COALESCE(%(graded_at)s::timestamptz, a.graded_at),
    grading_error = CASE WHEN %(state)s::varchar IS NULL THEN a.grading_error ELSE '' END
FROM jsonb_to_recordset(%(rows)s::jsonb)
     AS v(id bigint, raw_score float8, max_score float8, percent float8, scaled_score int, passed bool,
          item_scores jsonb)
WHERE a.id = v.id
"""

_STORE_DOMAINS_SQL = """
INSERT INTO quizzes_domainresult (attempt_id, domain_id, score, total)
SELECT v.attempt_id, v.domain_id, v.score, v.total
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(attempt_id bigint, domain_id bigint, score float8, total int)
ON CONFLICT (attempt_id, domain_id) DO UPDATE SET score = EXCLUDED.score, total = EXCLUDED.total
"""


# Every item of the attempts scored, as one row per attempt: its items' domains and scores in
# position order (the sums are scoring.summarize's, as for an attempt scored in Python).
_SCORE_SQL = f"""
SELECT item.attempt_id, array_agg(item.domain_id ORDER BY item.position),
       array_agg({ITEM_SCORE_SQL} ORDER BY item.position)
FROM ({ITEM_ROWS_SQL} WHERE i.attempt_id = ANY(%(ids)s)) AS item
GROUP BY item.attempt_id
"""  # noqa: S608  # nosec B608: module constants only, every value a parameter


def score_attempts(attempts: Sequence[Attempt]) -> dict[int, Result]:
    """Score the attempts (loaded with their exam and path): {attempt id: result}, writing nothing.

    One statement on PostgreSQL however many attempts: items are scored there by ITEM_SCORE_SQL;
    the totals, percent, scaled score and pass by scoring.summarize, as for one attempt scored in
    Python (compute_result, which the embedded SQLite of `make run` uses).
    """
    if not attempts:
        return {}
    if connection.vendor != "postgresql":
        return {attempt.pk: compute_result(attempt) for attempt in attempts}
    with connection.cursor() as cursor:
        cursor.execute(_SCORE_SQL, {"ids": [a.pk for a in attempts]})
        scored = {attempt_id: (domains, scores) for attempt_id, domains, scores in cursor.fetchall()}
    return {
        a.pk: summarize(*scored.get(a.pk, ([], [])), cut_percent=a.exam.pass_percent, scale=scale_for(a))
        for a in attempts
    }


def _store(results: dict[int, Result], *, graded_at: dt.datetime | None = None) -> None:
    """Write the results and their domain rows: two statements however many attempts.

    With graded_at the attempts are marked graded then (grading); without, only scores move (regrading).
    """
    if not results:
        return
    if connection.vendor != "postgresql":
        for attempt_id, result in results.items():
            Attempt.objects.filter(pk=attempt_id).update(
                raw_score=result.raw_score,
                max_score=result.max_score,
                score_percent=result.percent,
                scaled_score=result.scaled_score,
                passed=result.passed,
                item_scores=result.item_scores,
                **(
                    {"state": AttemptState.GRADED, "graded_at": graded_at, "grading_error": ""}
                    if graded_at
                    else {}
                ),
            )
            DomainResult.objects.filter(attempt_id=attempt_id).delete()
            DomainResult.objects.bulk_create(
                DomainResult(attempt_id=attempt_id, domain_id=d.domain_id, score=d.score, total=d.total)
                for d in result.domains
            )
        return
    scores = [
        {
            "id": attempt_id,
            "raw_score": r.raw_score,
            "max_score": r.max_score,
            "percent": r.percent,
            "scaled_score": r.scaled_score,
            "passed": r.passed,
            "item_scores": r.item_scores,
        }
        for attempt_id, r in results.items()
    ]
    domains = [
        {"attempt_id": attempt_id, "domain_id": d.domain_id, "score": d.score, "total": d.total}
        for attempt_id, r in results.items()
        for d in r.domains
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _STORE_SCORES_SQL,
            {
                "rows": json.dumps(scores),
                "state": AttemptState.GRADED if graded_at else None,
                "graded_at": graded_at,
            },
        )
        cursor.execute(_STORE_DOMAINS_SQL, {"rows": json.dumps(domains)})


# One card per student and question: the newest of the attempts' missed or flagged items. Cards
# go in (student, question) order, so two graders whose batches share students lock them in the
# same order and one waits for the other instead of deadlocking. Runs on PostgreSQL and SQLite.
_QUEUE_REVIEWS_SQL = """
INSERT INTO quizzes_reviewcard (student_id, question_id, item_id, due, created_at, state, step,
                                stability, difficulty, last_review, reviews, lapses)
SELECT student_id, question_id, item_id, %(now)s, %(now)s, %(state)s, %(step)s,
       %(stability)s, %(difficulty)s, %(last_review)s, %(reviews)s, %(lapses)s
FROM (
    SELECT a.student_id, i.question_id, i.id AS item_id,
           row_number() OVER (PARTITION BY a.student_id, i.question_id
                              ORDER BY i.attempt_id DESC, i.position DESC) AS newest
    FROM quizzes_attemptitem i
    JOIN quizzes_attempt a ON a.id = i.attempt_id
    WHERE i.attempt_id IN ({ids}) AND (i.flagged OR {score} IS NULL OR {score} < 1.0)
) AS missed
WHERE newest = 1
ORDER BY student_id, question_id
ON CONFLICT (student_id, question_id) DO UPDATE SET item_id = excluded.item_id, due = excluded.due
"""


_NEW_CARD_FIELDS = ("state", "step", "stability", "difficulty", "last_review", "reviews", "lapses")


def queue_reviews(attempts: Sequence[Attempt], now: dt.datetime) -> int:
    """Put the attempts' missed and flagged items in their students' review queues; return how many.

    One INSERT ... SELECT ... ON CONFLICT DO UPDATE however many attempts: a new card starts with
    the memory state a new ReviewCard has; a question already queued takes the newest sighting and
    falls due again at once, keeping its memory state. Only exams whose review policy shows the key
    feed the queue, since a review shows the key and the explanation. Call with graded attempts.
    """
    feeding = [a.pk for a in attempts if a.exam.review_policy == ReviewPolicy.FULL]
    if not feeding:
        return 0
    new = ReviewCard()
    query, params = with_id_lists(
        _QUEUE_REVIEWS_SQL,
        {"ids": feeding},
        score=json_number_at("a.item_scores", "i.position - 1", vendor=connection.vendor),
    )
    params |= {
        "now": connection.ops.adapt_datetimefield_value(now),
        **{name: getattr(new, name) for name in _NEW_CARD_FIELDS},
    }
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.rowcount


def queue_waiting_reviews(*, limit: int = 500) -> list[int]:
    """Queue the reviews of up to limit graded attempts not queued yet; return their ids.

    Oldest grade first, skipping attempts another transaction holds (SKIP LOCKED), so two callers
    never take the same attempt: each attempt's items are queued once. Three statements however
    many attempts. Grading leaves this to a task of its own (tasks.queue_missed_reviews, sent
    after each batch and run every minute by beat), so a batch's grades commit without waiting
    for thousands of review cards.
    """
    with transaction.atomic():
        waiting = list(
            Attempt.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("exam")
            .filter(state=AttemptState.GRADED, reviews_queued_at__isnull=True)
            .order_by("graded_at", "pk")[:limit]
        )
        if not waiting:
            return []
        now = timezone.now()
        queue_reviews(waiting, now)
        Attempt.objects.filter(pk__in=[a.pk for a in waiting]).update(reviews_queued_at=now)
    return [a.pk for a in waiting]


def _earns_certificate(attempt: Attempt, result: Result) -> bool:
    return result.passed and attempt.exam.kind == ExamKind.FULL


def sync_certificates(attempts: Sequence[Attempt], results: dict[int, Result], now: dt.datetime) -> None:
    """Issue the certificates passed full-length exams earn; withdraw those a regrade failed.

    Call holding the attempts' row locks, with their new results. Idempotent; at most four
    statements however many attempts.
    """
    scored = [a for a in attempts if a.pk in results]
    if not scored:
        return
    existing = {c.attempt_id: c for c in Certificate.objects.filter(attempt__in=scored)}
    earned = {a.pk for a in scored if _earns_certificate(a, results[a.pk])}
    withdraw = [c.pk for pk, c in existing.items() if pk not in earned and c.revoked_at is None]
    restore = [c.pk for pk, c in existing.items() if pk in earned and c.revoked_at is not None]
    issue = []
    for attempt in scored:
        if attempt.pk not in earned or attempt.pk in existing:
            continue
        result, path, student = results[attempt.pk], attempt.exam.path, attempt.student
        issue.append(
            Certificate(
                attempt=attempt,
                holder_name=student.get_full_name() or student.get_username(),
                exam_title=f"{path.code}: {path.name}",
                path_code=path.code,
                score_band=score_band(
                    percent=result.percent, scaled=result.scaled_score, scale_max=path.score_max
                ),
                passed_on=(attempt.finished_at or now).date(),
                issued_at=now,
            )
        )
    if issue:
        Certificate.objects.bulk_create(issue)
    if withdraw:
        Certificate.objects.filter(pk__in=withdraw).update(revoked_at=now)
    if restore:
        Certificate.objects.filter(pk__in=restore).update(revoked_at=None)


def _lock(attempt_ids: Sequence[int], states: Sequence[str]) -> list[Attempt]:
    """Lock the attempts among attempt_ids in one of states, waiting for other holders."""
    if not attempt_ids:
        return []
    return list(
        Attempt.objects.select_for_update(of=("self",))
        .select_related("student")
        .filter(pk__in=attempt_ids, state__in=states)
        .order_by("pk")
    )


def _lock_waiting(limit: int, *, besides: Sequence[int]) -> list[Attempt]:
    """Lock up to limit submitted attempts that no other transaction holds, oldest submit first."""
    if limit <= 0:
        return []
    return list(
        Attempt.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("student")
        .filter(state=AttemptState.SUBMITTED)
        .exclude(pk__in=besides)
        .order_by("submitted_at", "pk")[:limit]
    )


def _with_exams(attempts: list[Attempt]) -> list[Attempt]:
    """Give the attempts their exams and paths, read once for the batch: a batch shares a few
    exams, and joining them to each of its locked rows cost more than this one read."""
    exams = Exam.objects.select_related("path").in_bulk({a.exam_id for a in attempts})
    for attempt in attempts:
        attempt.exam = exams[attempt.exam_id]
    return attempts


def grade_attempts(*, attempt_ids: Sequence[int] = (), also_waiting: int = 0) -> list[int]:
    """Grade the attempts named, and up to also_waiting other submitted ones; return the ids graded.

    The attempts named are graded if submitted (or in attention), waiting for another holder of
    their row lock; the others are submitted attempts nobody holds (SKIP LOCKED), so two workers
    never wait on each other. Idempotent: an attempt graded already, or still open, is left as it
    is, so a redelivered or duplicated task changes nothing. A constant number of statements
    whatever the batch's size. If scoring the batch fails for a reason a retry cannot mend (a
    malformed snapshot), the attempts named are graded alone, so one bad attempt never holds up
    the others' grading or sends them to attention.
    """
    with transaction.atomic():
        named = _lock(attempt_ids, [AttemptState.SUBMITTED, AttemptState.NEEDS_ATTENTION])
        others = _lock_waiting(also_waiting, besides=attempt_ids)
        _with_exams(named + others)
        try:
            with transaction.atomic():
                results = score_attempts(named + others)
        except RETRYABLE:
            raise
        except DatabaseError:
            if not others:
                raise
            logger.warning(
                "a batch of %s attempts failed to score; grading %s alone", len(others) + 1, attempt_ids
            )
            results = score_attempts(named)
        now = timezone.now()
        _store(results, graded_at=now)
        graded = [a for a in named + others if a.pk in results]
        sync_certificates(graded, results, now)
        ids = sorted(results)
    if ids:
        logger.info("graded %s attempts (%s to %s)", len(ids), ids[0], ids[-1])
    return ids


def grade_attempt(*, attempt_id: int) -> bool:
    """Grade a submitted attempt once; return whether this call graded it (see grade_attempts)."""
    return bool(grade_attempts(attempt_ids=[attempt_id]))


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
            attempt.close(now=now, by=SubmittedBy.SWEEPER)
        Attempt.objects.bulk_update(overdue, ["state", "submitted_at", "finished_at", "submitted_by"])
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


def regrade_attempts(
    *, attempt_ids: Sequence[int], reason: str, changed_by_id: int | None = None
) -> list[int]:
    """Score graded attempts again; record a GradeChange for each whose result moved; return those ids.

    Idempotent: scoring again after a regrade moves nothing. A constant number of statements.
    """
    with transaction.atomic():
        attempts = {a.pk: a for a in _with_exams(_lock(attempt_ids, [AttemptState.GRADED]))}
        results = score_attempts(list(attempts.values()))
        moved = {
            pk: r
            for pk, r in results.items()
            if (r.percent, r.passed) != (attempts[pk].score_percent, attempts[pk].passed)
        }
        rescored = {
            pk: r for pk, r in results.items() if pk in moved or r.item_scores != attempts[pk].item_scores
        }
        GradeChange.objects.bulk_create(
            GradeChange(
                attempt_id=pk,
                old_score_percent=attempts[pk].score_percent or 0.0,
                new_score_percent=r.percent,
                old_passed=attempts[pk].passed,
                new_passed=r.passed,
                reason=reason,
                changed_by_id=changed_by_id,
            )
            for pk, r in moved.items()
        )
        _store(rescored)
        sync_certificates([attempts[pk] for pk in moved], moved, timezone.now())
    for pk, r in moved.items():
        logger.info("regraded attempt %s: %s%% (%s)", pk, r.percent, reason)
    return sorted(moved)


def regrade_attempt(*, attempt_id: int, reason: str, changed_by_id: int | None = None) -> bool:
    """Score a graded attempt again; record a GradeChange when the result moved. Idempotent."""
    return bool(regrade_attempts(attempt_ids=[attempt_id], reason=reason, changed_by_id=changed_by_id))
