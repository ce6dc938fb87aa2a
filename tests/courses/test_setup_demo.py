"""setup_demo: the demo accounts with their published passwords locally; never those in production."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from courses.management.commands.setup_demo import DEMO_ACCOUNTS
from courses.models import CertificationPath, Course
from quizzes.models import QuestionBank

pytestmark = pytest.mark.django_db
User = get_user_model()


def setup_demo(*args: str) -> str:
    out = StringIO()
    call_command("setup_demo", *args, stdout=out)
    return out.getvalue()


def test_without_debug_it_refuses_and_creates_nothing(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match=r"runs only with DEBUG on .* pass --allow-production"):
        setup_demo()

    assert not User.objects.exists()
    assert not CertificationPath.objects.exists()


def test_locally_the_accounts_get_the_published_demo_passwords(settings):
    settings.DEBUG = True

    output = setup_demo()

    for username, password, _, _ in DEMO_ACCOUNTS:
        assert User.objects.get(username=username).check_password(password)
        assert f"{username:<12} {password}" in output
    assert User.objects.get(username="admin").is_superuser


def test_in_production_new_accounts_get_random_passwords_printed_once(settings):
    settings.DEBUG = False

    first = setup_demo("--allow-production")
    again = setup_demo("--allow-production")

    for username, published, _, _ in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        printed = next(line.split()[1] for line in first.splitlines() if line.split()[:1] == [username])
        assert not user.check_password(published)
        assert len(printed) >= 24
        assert user.check_password(printed)
        assert printed not in again
    assert "(existed already: password unchanged)" in again


def test_the_demo_instructor_owns_the_demo_courses_and_banks_and_the_second_nothing(settings):
    settings.DEBUG = True

    setup_demo()

    instructor, second = User.objects.get(username="instructor"), User.objects.get(username="instructor2")
    assert Course.objects.exists()
    assert set(instructor.owned_courses.all()) == set(Course.objects.all())
    assert set(instructor.owned_banks.all()) == set(QuestionBank.objects.all())
    assert not second.owned_courses.exists()
    assert not second.owned_banks.exists()
