"""lms.settings.production passes Django's deployment check, and refuses a placeholder SECRET_KEY."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from lms.settings.secret_key import checked_secret_key

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run Python in a production-like environment: only what a deployment sets, and the overrides.

    Nothing else is inherited from the test session (its DJANGO_ALLOW_ASYNC_UNSAFE, a developer's
    SECURE_* variables), so the settings' own defaults are what is checked.
    """
    production = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "lms.example.org",
        "SQLITE_PATH": os.devnull,  # the check needs no database; never touch a developer's file
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=production, capture_output=True, text=True, check=False
    )


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run("manage.py", *args, **env)


def setting_values(*names: str, **env: str) -> list[str]:
    script = (
        "import django; django.setup(); from django.conf import settings; "
        f"print(*(getattr(settings, name) for name in {names!r}))"
    )
    result = run("-c", script, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_deployment_check_passes_with_no_warning_and_nothing_silenced():
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


def test_the_deployment_check_fails_when_hsts_is_turned_off():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_SECONDS="0")

    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_production_settings_turn_on_each_https_and_header_measure():
    values = setting_values(
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "X_FRAME_OPTIONS",
    )

    assert values == [
        "False", "True", "31536000", "True", "True", "True", "True", "True", "True", "same-origin", "DENY"
    ]  # fmt: skip


def test_hsts_seconds_and_the_https_redirect_come_from_the_environment():
    values = setting_values(
        "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", SECURE_HSTS_SECONDS="3600", SECURE_SSL_REDIRECT="false"
    )

    assert values == ["3600", "False"]


def test_start_up_refuses_a_placeholder_secret_key_with_a_clear_message():
    result = manage("check", SECRET_KEY="change-me-in-production")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY contains 'change-me'" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


def test_start_up_refuses_an_empty_secret_key():
    result = manage("check", SECRET_KEY="")

    assert result.returncode != 0
    assert "SECRET_KEY is 0 characters long; production needs at least 50" in result.stderr


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("django-insecure-" + "x1y2z3" * 10, "SECRET_KEY contains 'insecure'"),
        ("Change-Me-" + "q7Wz_e3Rt-9yU1iO" * 4, "SECRET_KEY contains 'change-me'"),
        (
            "q7Wz_e3Rt-9yU1iO" * 2 + "pA5sD2fG",
            "SECRET_KEY is 40 characters long; production needs at least 50",
        ),
        ("ab" * 40, "SECRET_KEY uses fewer than 5 different characters"),
    ],
    ids=["django-insecure", "change-me", "short", "few-characters"],
)
def test_a_placeholder_or_weak_secret_key_is_refused(key: str, message: str):
    with pytest.raises(ImproperlyConfigured, match=message):
        checked_secret_key(key)


def test_a_long_random_secret_key_is_accepted():
    key = secrets.token_urlsafe(50)

    assert checked_secret_key(key) == key


def test_a_web_process_loads_every_view_and_freezes_what_it_loaded_before_its_first_request():
    script = (
        "import gc, sys, lms.wsgi; "
        "print(gc.get_freeze_count(), 'quizzes.api.views.cohorts' in sys.modules, len(gc.get_objects()))"
    )
    frozen, views_loaded, collectable = run("-c", script).stdout.split()

    assert views_loaded == "True"
    assert int(frozen) > 50_000
    assert int(collectable) < int(frozen) / 10
