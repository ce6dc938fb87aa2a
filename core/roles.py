"""The two roles of the product. Each is an auth group (courses.roles grants their permissions)."""

from django.db.models import TextChoices


class Role(TextChoices):
    INSTRUCTOR = "Instructor"
    STUDENT = "Student"
