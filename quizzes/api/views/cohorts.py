"""A course's cohort for its owners and staff, as JSON pages or a streamed CSV."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.api.pagination import CursorPage
from core.api.throttling import ThrottlesFromSettings
from courses.models import Course, Enrollment, ExamDomain

from ...selectors import cohorts
from ..serializers.progress import CohortRowSerializer


class CohortFilter(filters.FilterSet):
    updated_since = filters.IsoDateTimeFilter(
        method="filter_updated_since", help_text="ISO 8601: only students whose progress changed after it."
    )

    class Meta:
        model = Enrollment
        fields = ["updated_since"]

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.course = course

    def filter_updated_since(self, queryset: QuerySet[Enrollment], name: str, value: dt.datetime) -> Any:
        return cohorts.changed_since(queryset, course=self.course, since=value)


class CohortFilterBackend(filters.DjangoFilterBackend):
    def get_filterset_kwargs(self, request: Request, queryset: QuerySet[Any], view: Any) -> dict[str, Any]:
        return {**super().get_filterset_kwargs(request, queryset, view), "course": view.course}


class CohortPage(CursorPage):
    """Cursor pages of a cohort, oldest enrollment first, with the time the data was read."""

    ordering = "id"
    as_of: dt.datetime

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["as_of"] = self.as_of.isoformat().replace("+00:00", "Z")
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["as_of"] = {"type": "string", "format": "date-time"}
        paginated["required"] = [*paginated.get("required", []), "as_of"]
        return paginated


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    """Keep spreadsheets from running a cell as a formula (usernames may start with + - @)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return "" if value is None else value


class CohortView(ThrottlesFromSettings, GenericAPIView):
    """A course's students with their progress: those its owner may see (visible_to); staff: all."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = CohortPage
    filter_backends = [CohortFilterBackend]
    filterset_class = CohortFilter
    serializer_class = CohortRowSerializer
    csv_chunk = 500
    course: Course
    lessons_total: int

    def get_queryset(self) -> QuerySet[Enrollment]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no course
            return Enrollment.objects.none()
        return cohorts.cohort_enrollments(course=self.course, viewer=self.request.user)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        if request.query_params.get(api_settings.URL_FORMAT_OVERRIDE or "format") == "csv":
            return JSONRenderer(), JSONRenderer.media_type  # errors stay JSON; success streams CSV
        return super().perform_content_negotiation(request, force)

    @extend_schema(
        summary="A course's cohort with each student's progress (cursor pages)",
        description="`?format=csv` answers the same as `cohort.csv`.",
        responses={200: CohortRowSerializer(many=True)},
    )
    def get(self, request: Request, slug: str) -> Any:
        as_of = timezone.now()
        self._find_course(slug)
        if request.query_params.get("format") == "csv":
            return self.csv(as_of)
        enrollments = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = cohorts.cohort_rows(
            course=self.course,
            enrollments=enrollments or [],
            lessons_total=self.lessons_total,
        )
        self.paginator.as_of = as_of  # type: ignore[union-attr]
        return self.get_paginated_response(CohortRowSerializer(rows, many=True).data)

    def _find_course(self, slug: str) -> None:
        """Set the course (404 unless the viewer manages it) and its number of lessons."""
        found = cohorts.managed_course(viewer=self.request.user, slug=slug)
        if found is None:
            raise exceptions.NotFound()
        self.course, self.lessons_total = found

    def csv(self, as_of: dt.datetime) -> StreamingHttpResponse:
        """Stream every row of the (filtered) cohort, a chunk of students at a time."""
        enrollments = self.filter_queryset(self.get_queryset()).order_by("id")
        domains = list(self.course.path.domains.order_by("position"))
        lessons_total = self.lessons_total
        name = f"cohort-{self.course.slug}-{as_of:%Y%m%dT%H%M%SZ}.csv"
        response = StreamingHttpResponse(
            self._csv_lines(enrollments, domains, lessons_total), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-As-Of"] = as_of.isoformat()
        return response

    def _csv_lines(
        self, enrollments: QuerySet[Enrollment], domains: list[ExamDomain], lessons_total: int
    ) -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield writer.writerow(
            [
                "student_id",
                "username",
                "enrolled_at",
                "changed_at",
                "lessons_completed",
                "lessons_total",
                "lessons_percent",
                "attempts",
                "graded_attempts",
                "best_score_percent",
                "last_score_percent",
                "readiness_percent",
                "ready",
                *(_cell(f"mastery: {d.name}") for d in domains),
            ]
        )
        last_id = 0
        while True:
            chunk = list(enrollments.filter(id__gt=last_id)[: self.csv_chunk])
            if not chunk:
                return
            rows = cohorts.cohort_rows(course=self.course, enrollments=chunk, lessons_total=lessons_total)
            for row in rows:
                mastery = {m.domain_id: m.mastery_percent for m in row.domains}
                yield writer.writerow(
                    _cell(value)
                    for value in [
                        row.student_id,
                        row.username,
                        row.enrolled_at,
                        row.changed_at,
                        row.lessons.lessons_completed,
                        row.lessons.lessons_total,
                        row.lessons.percent,
                        row.attempts.count,
                        row.attempts.graded,
                        row.attempts.best_score_percent,
                        row.attempts.last_score_percent,
                        row.readiness.percent,
                        "yes" if row.readiness.ready else "no",
                        *(mastery.get(d.pk) for d in domains),
                    ]
                )
            last_id = chunk[-1].pk


class CohortCSVView(CohortView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        return JSONRenderer(), JSONRenderer.media_type  # errors are JSON; success streams CSV

    @extend_schema(
        operation_id="courses_cohort_csv",
        parameters=[
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description="ISO 8601: only students whose progress changed after it.",
            )
        ],
        summary="The whole cohort as CSV (filterable by updated_since)",
        description="Response header `X-As-Of`: the server time the data was read.",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per student."),
        },
    )
    def get(self, request: Request, slug: str) -> Any:
        as_of = timezone.now()
        self._find_course(slug)
        return self.csv(as_of)
