# Who submitted an attempt (student, timer or sweeper) replaces the auto_submitted flag.

from django.db import migrations, models
from django.db.models import F, Q

# Before this field the sweeper finalized attempts at least its grace (30 s) after the deadline,
# while the exam page's own timer submitted within a few seconds of it.
SWEEPER_AFTER_SECONDS = 30


def fill_submitted_by(apps, schema_editor):
    import datetime as dt

    Attempt = apps.get_model("quizzes", "Attempt")
    closed = Attempt.objects.exclude(state="in_progress")
    late = F("deadline") + dt.timedelta(seconds=SWEEPER_AFTER_SECONDS)
    closed.filter(auto_submitted=True, submitted_at__gte=late).update(submitted_by="sweeper")
    closed.filter(auto_submitted=True).filter(~Q(submitted_by="sweeper")).update(submitted_by="timer")
    closed.filter(auto_submitted=False).update(submitted_by="student")


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0005_item_stats"),
    ]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="submitted_by",
            field=models.CharField(
                blank=True,
                choices=[
                    ("student", "the student"),
                    ("timer", "the timer, when time ran out"),
                    ("sweeper", "the server, at the deadline (the exam page was closed)"),
                ],
                help_text="Who submitted it; empty while open.",
                max_length=8,
            ),
        ),
        migrations.RunPython(fill_submitted_by, migrations.RunPython.noop),
        migrations.RemoveField(model_name="attempt", name="auto_submitted"),
    ]
