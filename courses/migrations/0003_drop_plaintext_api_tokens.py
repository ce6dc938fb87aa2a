"""Drop DRF's authtoken table: it held API tokens in clear. Tokens are now django-rest-knox's
(hashed, expiring); clients sign in again with POST /api/v1/auth/token/ (docs/security.md)."""

from django.db import migrations


def drop_plaintext_tokens(apps, schema_editor):
    if "authtoken_token" in schema_editor.connection.introspection.table_names():
        schema_editor.execute("DROP TABLE authtoken_token")


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_course_module_lesson_enrollment_lessonprogress_and_more"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(drop_plaintext_tokens, migrations.RunPython.noop, elidable=True)]
