import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core.roles import Role
from courses.services import assign_role

DEMO_ACCOUNTS = [
    # username, password (local use only: it is published in the README), role (None = superuser), description
    ("admin", "admin-demo-pass", None, "staff superuser: everything in /admin/"),
    ("instructor", "instructor-demo-pass", Role.INSTRUCTOR, "instructor: owns the demo courses and banks"),
    ("instructor2", "instructor-demo-pass", Role.INSTRUCTOR, "a second instructor: owns nothing yet"),
    ("student", "student-demo-pass", Role.STUDENT, "student: studies and takes exams"),
]
# The demo instructor owns the demo content: edits it in the admin and reads its courses' cohorts.
DEMO_OWNER = "instructor"
UNCHANGED = "(existed already: password unchanged)"
REFUSED = (
    "setup_demo creates accounts whose passwords are published in the README: it runs only with "
    "DEBUG on (local settings). To load the demo into a deployment anyway, pass --allow-production: "
    "the accounts then get random passwords, printed once."
)


class Command(BaseCommand):
    help = (
        "Load the catalog, the demo content and the demo accounts, and print their log-ins. Local use "
        "(DEBUG on) only, unless --allow-production: then every new account gets a random password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run with DEBUG off; new accounts get random passwords, printed once (never the demo ones).",
        )

    def handle(self, *args: Any, allow_production: bool = False, **options: Any) -> None:
        local = settings.DEBUG
        if not local and not allow_production:
            raise CommandError(REFUSED)
        call_command("load_catalog", stdout=self.stdout)
        user_model = get_user_model()
        shown: list[tuple[str, str, str]] = []
        with transaction.atomic():
            for username, demo_password, role, description in DEMO_ACCOUNTS:
                password = demo_password if local else secrets.token_urlsafe(18)
                user, created = user_model.objects.get_or_create(username=username)
                if created:
                    user.set_password(password)
                    user.email = f"{username}@example.com"
                    user.is_superuser = user.is_staff = role is None
                    user.save()
                if role is not None:
                    assign_role(user=user, role=role)
                shown.append((username, password if created or local else UNCHANGED, description))
        call_command("load_demo_content", owner=DEMO_OWNER, stdout=self.stdout)
        heading = "Demo log-ins (local use only):" if local else "Demo log-ins (shown only now: note them):"
        self.stdout.write(self.style.SUCCESS(heading))
        for username, password, description in shown:
            self.stdout.write(f"  {username:<12} {password:<38} {description}")
