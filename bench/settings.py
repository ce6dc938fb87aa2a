"""The production settings, plus the floor endpoint of bench/hot_path.py (bench/urls.py)."""

from lms.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
