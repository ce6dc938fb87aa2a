"""Filters of the certification catalog, shared by the catalog page and the paths API."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import CertificationPath, Course, PathStatus, Provider, PublicationStatus

SEARCH_MAX_LENGTH = 100


class PathFilter(django_filters.FilterSet):
    """Narrow the catalog by words, provider, level and status; a bad value is a form error.

    An invalid field is left out of the filtering (the others still apply) and its error is shown.
    The level's choices are the levels the catalog holds (one query).
    """

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Words in a path's name, exam code or exam title, or in a course title.",
    )
    provider = django_filters.ChoiceFilter(
        label="Provider", choices=Provider.choices, empty_label="Any provider"
    )
    level = django_filters.AllValuesFilter(label="Level", empty_label="Any level")
    status = django_filters.ChoiceFilter(label="Status", choices=PathStatus.choices, empty_label="Any status")

    class Meta:
        model = CertificationPath
        fields = ["q", "provider", "level", "status"]

    def search(
        self, queryset: QuerySet[CertificationPath], name: str, value: str
    ) -> QuerySet[CertificationPath]:
        """Keep the paths whose code, name or exam title, or a published course's title, holds value."""
        words = value.strip()
        if not words:
            return queryset
        course = Course.objects.filter(
            path=OuterRef("pk"), status=PublicationStatus.PUBLISHED, title__icontains=words
        )
        return queryset.filter(
            Q(code__icontains=words)
            | Q(name__icontains=words)
            | Q(exam_title__icontains=words)
            | Exists(course)
        )
