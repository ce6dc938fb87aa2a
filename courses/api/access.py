"""Which courses a caller may see through the API (the reads of courses/selectors.py, widened for owners)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ..models import Course, PublicationStatus
from .common import is_staff


def visible_courses(user: Any) -> QuerySet[Course]:
    """Return the courses user may read: published ones, plus their own drafts (staff: all)."""
    if is_staff(user):
        return Course.objects.all()
    published = Q(status=PublicationStatus.PUBLISHED)
    if not user.is_authenticated:
        return Course.objects.filter(published)
    owned = Course.objects.filter(owners=user).values("pk")
    return Course.objects.filter(published | Q(pk__in=owned))


def managed_courses(user: Any) -> QuerySet[Course]:
    """Return the courses whose cohort user may read: the ones they own (staff: all)."""
    if is_staff(user):
        return Course.objects.all()
    if not user.is_authenticated:
        return Course.objects.none()
    return Course.objects.filter(owners=user)
