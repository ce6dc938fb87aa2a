"""Drop the database constraint of ReviewCard.item (the field, its index and on_delete stay).

Each constraint check locked the item's row, rewriting a page of the large items table for every
card queued (about 30 an attempt). Deleting an item still deletes its cards: Django's on_delete.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0014_reviews_queued_after_grading")]

    operations = [
        migrations.AlterField(
            model_name="reviewcard",
            name="item",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="quizzes.attemptitem",
            ),
        ),
    ]
