from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from core.roles import Role
from courses.services import assign_role

DEMO_ACCOUNTS = [
    # username, password, role (None = superuser), description
    ("admin", "admin-demo-pass", None, "staff superuser: everything in /admin/"),
    ("instructor", "instructor-demo-pass", Role.INSTRUCTOR, "instructor: authors content in /admin/"),
    ("instructor2", "instructor-demo-pass", Role.INSTRUCTOR, "a second instructor"),
    ("student", "student-demo-pass", Role.STUDENT, "student: studies and takes exams"),
]


class Command(BaseCommand):
    help = "Load the catalog and create the demo accounts (for local use only); prints their log-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("load_catalog", stdout=self.stdout)
        call_command("load_demo_content", stdout=self.stdout)
        user_model = get_user_model()
        with transaction.atomic():
            for username, password, role, _ in DEMO_ACCOUNTS:
                user, created = user_model.objects.get_or_create(username=username)
                if created:
                    user.set_password(password)
                    user.email = f"{username}@example.com"
                    user.is_superuser = user.is_staff = role is None
                    user.save()
                if role is not None:
                    assign_role(user=user, role=role)
        self.stdout.write(self.style.SUCCESS("Demo log-ins (local use only):"))
        for username, password, _, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<12} {password:<22} {description}")
