"""The two roles of the product, as auth groups with the permissions each needs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import TextChoices


class Role(TextChoices):
    INSTRUCTOR = "Instructor"
    STUDENT = "Student"


# Instructors work in the admin: they read the catalog and (in later apps) author their own content.
INSTRUCTOR_PERMISSIONS = {
    "courses": ["view_certificationpath", "view_examdomain", "view_pathsource", "view_successor"],
}


def ensure_role_groups(**_: Any) -> None:
    """Create the role groups and grant the instructor permissions; safe to call repeatedly."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    instructor = Group.objects.get(name=Role.INSTRUCTOR)
    for app_label, codenames in INSTRUCTOR_PERMISSIONS.items():
        perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        instructor.permissions.add(*perms)
