"""Drop three foreign keys' own indexes: each is the first column of a unique index already.

Only the indexes go (DROP INDEX, on PostgreSQL and SQLite alike): Django's AlterField would also
drop and re-add each foreign key constraint, which re-checks every row of these large tables.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# index: (table, column); each column is the first of a unique index on its table
DUPLICATES = {
    "quizzes_attemptitem_attempt_id_28851a6c": ("quizzes_attemptitem", "attempt_id"),  # (attempt, position)
    "quizzes_domainresult_attempt_id_4a3f1cca": ("quizzes_domainresult", "attempt_id"),  # (attempt, domain)
    "quizzes_reviewcard_student_id_02601296": ("quizzes_reviewcard", "student_id"),  # (student, question)
}


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0011_time_on_item"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="attemptitem",
                    name="attempt",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="quizzes.attempt",
                    ),
                ),
                migrations.AlterField(
                    model_name="domainresult",
                    name="attempt",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="domain_results",
                        to="quizzes.attempt",
                    ),
                ),
                migrations.AlterField(
                    model_name="reviewcard",
                    name="student",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="review_cards",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[f'DROP INDEX IF EXISTS "{name}"' for name in DUPLICATES],
                    reverse_sql=[
                        f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                        for name, (table, column) in DUPLICATES.items()
                    ],
                )
            ],
        )
    ]
