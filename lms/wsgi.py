"""WSGI entry point (gunicorn lms.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.production")

application = get_wsgi_application()

# What a web process loads before its first request (settings, apps, models, and every view the
# URLconf imports) lives as long as the process. Freezing it moves it out of the collector's
# reach: a full collection under load then scans what requests left behind, not some 120,000
# long-lived objects, a pause of 40-70 ms that held every thread of the worker
# (docs/benchmarks.md, "Session 8").
get_resolver().url_patterns  # noqa: B018  import the views now, before the freeze
gc.freeze()
