"""Queue reviews after grading, not inside it: Attempt.reviews_queued_at says which attempts are done.

Attempts graded before this migration had their items queued by grading itself, at graded_at.
Two partial indexes hold only the attempts waiting: for graders (submitted, oldest first) and for
the review queue (graded, not queued yet).
"""

from django.db import migrations, models
from django.db.models import F


def mark_graded_as_queued(apps, schema_editor):
    Attempt = apps.get_model("quizzes", "Attempt")
    Attempt.objects.filter(state="graded").update(reviews_queued_at=F("graded_at"))


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0013_item_scores_on_attempt")]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="reviews_queued_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When its missed and flagged items entered the review queue (empty: not yet).",
                null=True,
            ),
        ),
        migrations.RunPython(mark_graded_as_queued, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="attempt",
            index=models.Index(
                condition=models.Q(("state", "submitted")),
                fields=["submitted_at", "id"],
                name="attempt_grading_waiting_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="attempt",
            index=models.Index(
                condition=models.Q(("reviews_queued_at__isnull", True), ("state", "graded")),
                fields=["graded_at"],
                name="attempt_reviews_waiting_idx",
            ),
        ),
    ]
