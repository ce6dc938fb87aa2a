"""Item analysis in the database: difficulty, discrimination and option counts per question revision.

Per question revision, over every graded attempt that presented it:
- difficulty p: the mean item score (the share who got it right; partial credit counts its share);
- discrimination: the point-biserial correlation between the item score and the rest of the
  attempt's score (raw score minus this item), so an item is not correlated with itself;
- option counts: how often each option (by choice id) was selected.

- median time on item: the median of Answer.time_ms (what the exam page reported with its saves)
  over the answers of those attempts that reported any time (older answers and API clients that
  send no `spent_ms` have 0, which means "not measured" and is left out).

One run is a constant number of statements whatever the volume: the last run's start, then one
INSERT ... ON CONFLICT that recomputes, from the items, every revision that an attempt graded or
regraded since then presented. An item is dubious, given at least ITEM_STATS_MIN_RESPONSES
responses, when its discrimination is negative or its p lies above ITEM_STATS_EASY_ABOVE or below
ITEM_STATS_HARD_BELOW.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .grading import ITEM_ROWS_SQL
from .models import ItemStatsRun
from .scoring import ITEM_SCORE_SQL

logger = logging.getLogger(__name__)

# (Built from module constants only; every value is a parameter.)
_COMPUTE_SQL = f"""
WITH touched AS (
    SELECT DISTINCT i.question_id, i.question_revision
    FROM quizzes_attemptitem i
    WHERE i.attempt_id IN (
        SELECT id FROM quizzes_attempt WHERE state = 'graded' AND graded_at >= %(since)s
        UNION
        SELECT attempt_id FROM quizzes_gradechange WHERE changed_at >= %(since)s
    )
), scored AS (
    SELECT item.item_id, item.question_id, item.question_revision, item.selected, item.time_ms,
           item.score, item.attempt_score - item.score AS rest
    FROM (
        SELECT item.*, {ITEM_SCORE_SQL} AS score
        FROM ({ITEM_ROWS_SQL}
              WHERE a.state = 'graded'
                AND (i.question_id, i.question_revision) IN (SELECT * FROM touched)) AS item
    ) AS item
), summary AS (
    SELECT question_id, question_revision, count(*) AS responses,
           count(*) FILTER (WHERE selected <> '[]'::jsonb) AS answered,
           avg(score) AS difficulty, corr(score, rest) AS discrimination,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY time_ms) FILTER (WHERE time_ms > 0) AS median_time_ms
    FROM scored
    GROUP BY question_id, question_revision
), options AS (
    SELECT question_id, question_revision, jsonb_object_agg(choice_id, picked) AS counts
    FROM (
        SELECT s.question_id, s.question_revision, o ->> 'choice_id' AS choice_id, count(*) AS picked
        FROM scored s
        JOIN quizzes_attemptitem i ON i.id = s.item_id
        CROSS JOIN LATERAL jsonb_array_elements(i.snapshot -> 'options') AS o
        WHERE s.selected @> jsonb_build_array(o -> 'id')
        GROUP BY 1, 2, 3
    ) AS picks
    GROUP BY question_id, question_revision
), judged AS (
    SELECT s.*, COALESCE(o.counts, '{{}}'::jsonb) AS counts,
           CASE
               WHEN s.responses < %(min_responses)s THEN ''
               WHEN s.discrimination < 0 THEN 'negative discrimination'
               WHEN s.difficulty > %(easy)s THEN 'too easy'
               WHEN s.difficulty < %(hard)s THEN 'too hard'
               ELSE ''
           END AS reason
    FROM summary s
    LEFT JOIN options o USING (question_id, question_revision)
)
INSERT INTO quizzes_itemstats (question_id, revision, responses, answered, difficulty, discrimination,
                               option_counts, median_time_ms, dubious, dubious_reason, computed_at)
SELECT question_id, question_revision, responses, answered, difficulty, discrimination, counts,
       median_time_ms, reason <> '', reason, %(now)s
FROM judged
ON CONFLICT (question_id, revision) DO UPDATE SET
    responses = EXCLUDED.responses, answered = EXCLUDED.answered, difficulty = EXCLUDED.difficulty,
    discrimination = EXCLUDED.discrimination, option_counts = EXCLUDED.option_counts,
    median_time_ms = EXCLUDED.median_time_ms,
    dubious = EXCLUDED.dubious, dubious_reason = EXCLUDED.dubious_reason, computed_at = EXCLUDED.computed_at
"""  # noqa: S608  # nosec B608: module constants only, every value a parameter

_BEGINNING = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def compute_item_stats(*, full: bool = False) -> int:
    """Recompute the statistics of every revision graded or regraded since the last run; return how many.

    full: recompute every revision that any graded attempt presented. PostgreSQL only: on the
    embedded SQLite of `make run` it computes nothing.
    """
    if connection.vendor != "postgresql":
        return 0
    started = timezone.now()
    with transaction.atomic():
        last = (
            None if full else ItemStatsRun.objects.order_by("-started_at").values_list("started_at").first()
        )
        since = last[0] if last else _BEGINNING
        with connection.cursor() as cursor:
            cursor.execute(
                _COMPUTE_SQL,
                {
                    "since": since,
                    "now": started,
                    "min_responses": settings.ITEM_STATS_MIN_RESPONSES,
                    "easy": settings.ITEM_STATS_EASY_ABOVE,
                    "hard": settings.ITEM_STATS_HARD_BELOW,
                },
            )
            revisions = cursor.rowcount
        ItemStatsRun.objects.create(started_at=started, revisions=revisions)
    logger.info("item analysis: %s revisions recomputed", revisions)
    return revisions
