"""Keep each item's score on its attempt (Attempt.item_scores) instead of on the item's own row.

Grading used to rewrite every item row (about 1 KB with its snapshot) to store one number, and
the synchronous standby replayed all of it; the attempt's row is written anyway. Scores move
across in both directions: one statement on PostgreSQL, row by row elsewhere (SQLite).
"""

from collections import defaultdict

from django.db import migrations, models

_TO_ATTEMPTS_SQL = """
UPDATE quizzes_attempt AS a SET item_scores = s.scores
FROM (
    SELECT attempt_id, jsonb_agg(score ORDER BY position) AS scores
    FROM quizzes_attemptitem
    GROUP BY attempt_id
    HAVING count(score) = count(*)
) AS s
WHERE a.id = s.attempt_id
"""

_TO_ITEMS_SQL = """
UPDATE quizzes_attemptitem AS i SET score = (a.item_scores ->> (i.position - 1))::float8
FROM quizzes_attempt AS a
WHERE a.id = i.attempt_id AND a.item_scores IS NOT NULL
"""


def to_attempts(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_TO_ATTEMPTS_SQL)
        return
    Attempt, AttemptItem = apps.get_model("quizzes", "Attempt"), apps.get_model("quizzes", "AttemptItem")
    scores = defaultdict(list)
    for attempt_id, score in AttemptItem.objects.order_by("attempt_id", "position").values_list(
        "attempt_id", "score"
    ):
        scores[attempt_id].append(score)
    graded = [
        Attempt(pk=attempt_id, item_scores=points)
        for attempt_id, points in scores.items()
        if None not in points
    ]
    Attempt.objects.bulk_update(graded, ["item_scores"], batch_size=500)


def to_items(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_TO_ITEMS_SQL)
        return
    Attempt, AttemptItem = apps.get_model("quizzes", "Attempt"), apps.get_model("quizzes", "AttemptItem")
    scores = dict(Attempt.objects.filter(item_scores__isnull=False).values_list("pk", "item_scores"))
    items = list(AttemptItem.objects.filter(attempt_id__in=scores))
    for item in items:
        item.score = scores[item.attempt_id][item.position - 1]
    AttemptItem.objects.bulk_update(items, ["score"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0012_fewer_duplicate_indexes")]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="item_scores",
            field=models.JSONField(
                blank=True,
                help_text="Points earned on each item, 0 to 1, in position order (item n at n - 1): set by grading.",
                null=True,
            ),
        ),
        migrations.RunPython(to_attempts, to_items, elidable=False),
        migrations.RemoveField(model_name="attemptitem", name="score"),
    ]
