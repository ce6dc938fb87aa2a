"""The Celery application: settings come from Django's, under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.local")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="lms.ping")
def ping() -> str:
    """Answer 'pong': lets operators and tests check the broker-worker round trip."""
    return "pong"
