"""The product's roles (core.roles.Role) as auth groups with the permissions each needs."""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

from core.roles import Role


def _edit(*models: str) -> list[str]:
    return [f"{action}_{model}" for model in models for action in ("add", "change", "delete", "view")]


# Instructors work in the admin: they read the catalog and exams and author their own courses and
# question banks (the admin narrows these model permissions to the objects they own).
INSTRUCTOR_PERMISSIONS = {
    "courses": [
        "view_certificationpath",
        "view_examdomain",
        "view_pathsource",
        "view_successor",
        *_edit("course", "module", "lesson"),
    ],
    "quizzes": [
        *_edit("questionbank", "question", "choice", "tag", "casestudy"),
        "view_exam",
        "view_questionreport",
        "change_questionreport",
    ],
}


def ensure_role_groups(*, apps: Any = global_apps, using: str = DEFAULT_DB_ALIAS, **_: Any) -> None:
    """Create the role groups and grant the instructor permissions; safe to call repeatedly."""
    # post_migrate reaches courses before the apps listed after it: create their permissions first,
    # or a fresh database would give instructors none of the quizzes permissions.
    for app_label in INSTRUCTOR_PERMISSIONS:
        create_permissions(global_apps.get_app_config(app_label), verbosity=0, using=using, apps=apps)
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    instructor = Group.objects.get(name=Role.INSTRUCTOR)
    for app_label, codenames in INSTRUCTOR_PERMISSIONS.items():
        perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        instructor.permissions.add(*perms)
