"""The quizzes app's API: exams, attempts, results, progress and cohorts.

Thin views: serializers parse, services write, selectors and quizzes.progress read; QuizzesError
becomes JSON in lms/api_errors.py. Another student's attempt reads as missing (404) everywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from courses.api.access import managed_courses
from courses.api.common import (
    CursorPage,
    EmptySerializer,
    ErrorSerializer,
    ThrottlesFromSettings,
    is_staff,
    parse_id,
    user_id,
)
from courses.models import Course, Enrollment, ExamDomain

from .. import progress, selectors, services
from ..exceptions import ExamNotAvailable
from ..models import Attempt, AttemptItem, AttemptState, Exam
from .serializers import (
    AnswerSerializer,
    AttemptDetailSerializer,
    AttemptSerializer,
    AttemptStateSerializer,
    CohortRowSerializer,
    ExamCreateSerializer,
    ExamDetailSerializer,
    ExamSerializer,
    ProgressQuerySerializer,
    ProgressSerializer,
    ResultSerializer,
    SaveResultSerializer,
    attempt_state,
    result_data,
)

CONFLICT = OpenApiResponse(ErrorSerializer, description="The domain refuses the request (see `code`).")


class AttemptInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This attempt is still in progress: submit it to see the result."
    default_code = "attempt_in_progress"


# --- Exams ----------------------------------------------------------------------------------------


class ExamFilter(filters.FilterSet):
    path = filters.CharFilter(field_name="path__code", lookup_expr="iexact", help_text="Exam code.")

    class Meta:
        model = Exam
        fields = ["path", "kind", "mode"]


@extend_schema_view(
    list=extend_schema(summary="Exams: the shared ones and the caller's own practice sets"),
    create=extend_schema(
        summary="Create a practice set of the caller's own",
        request=ExamCreateSerializer,
        responses={201: ExamDetailSerializer, 409: CONFLICT},
    ),
)
class ExamViewSet(
    ThrottlesFromSettings, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ExamFilter
    ordering_fields = ["title", "created_at", "kind"]
    ordering = ["kind", "title", "id"]

    def get_queryset(self) -> QuerySet[Exam]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Exam.objects.none()
        exams = Exam.objects.select_related("path", "owner").prefetch_related(
            Prefetch("domains", queryset=ExamDomain.objects.order_by("position"))
        )
        user = self.request.user
        if is_staff(user):
            return exams
        # Shared: no owner, or created by staff in the admin. Instructors hold is_staff for the
        # admin, so a practice set of theirs stays theirs.
        shared = Q(owner__isnull=True) | Q(owner__is_superuser=True)
        return exams.filter(shared | Q(owner_id=user_id(self.request)), is_published=True)

    def get_serializer_class(self) -> type[BaseSerializer]:
        return ExamSerializer if self.action == "list" else ExamDetailSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ExamCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        exam = services.create_practice_set(
            path=data["path"],
            owner=request.user,
            domains=data["domains"],
            item_count=data["item_count"],
            minutes=data.get("minutes"),
            mode=data["mode"],
        )
        exam = self.get_queryset().get(pk=exam.pk)
        return Response(ExamDetailSerializer(exam, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        summary="Start an attempt (201), or get the one already open (200)",
        request=EmptySerializer,
        responses={201: AttemptDetailSerializer, 200: AttemptDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="attempts")
    def start(self, request: Request, pk: str | None = None) -> Response:
        exam = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        if not selectors.exam_domains(exam):
            # quizzes.services cannot draw from a path without a blueprint (blueprint.allocate raises).
            raise ExamNotAvailable("This exam has no domains to draw items from.")
        now = timezone.now()
        attempt = services.start_attempt(exam=exam, student=request.user, now=now)
        created = attempt.started_at == now
        attempt = selectors.get_attempt_with_items(attempt_id=attempt.pk, student_id=user_id(request))
        context = {**self.get_serializer_context(), "now": now}
        return Response(
            AttemptDetailSerializer(attempt, context=context).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --- Attempts -------------------------------------------------------------------------------------


class AttemptFilter(filters.FilterSet):
    exam = filters.NumberFilter(field_name="exam_id", help_text="Exam id.")
    path = filters.CharFilter(field_name="exam__path__code", lookup_expr="iexact", help_text="Exam code.")

    class Meta:
        model = Attempt
        fields = ["exam", "path", "state"]


@extend_schema_view(
    list=extend_schema(summary="The caller's attempts, newest first (cursor pages)"),
    retrieve=extend_schema(summary="An attempt with its items as shown to the student (no key)"),
)
class AttemptViewSet(
    ThrottlesFromSettings, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = CursorPage
    filterset_class = AttemptFilter
    ordering_fields = ["started_at"]
    ordering = ["-started_at", "-id"]

    def get_queryset(self) -> QuerySet[Attempt]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Attempt.objects.none()
        attempts = Attempt.objects.filter(student_id=user_id(self.request)).select_related("exam__path")
        if self.action == "retrieve":
            items = AttemptItem.objects.select_related("answer", "domain").order_by("position")
            attempts = attempts.prefetch_related(Prefetch("items", queryset=items))
        return attempts

    def get_serializer_class(self) -> type[BaseSerializer]:
        return AttemptSerializer if self.action == "list" else AttemptDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(
        summary="Save one item's selection and/or flag",
        description=(
            "Same rules as the exam page: a save whose `seq` is not newer than the stored one is "
            "acknowledged as stale and changes nothing; after the submit or the deadline (plus "
            "grace) the answer is refused with 409 `attempt_closed`; an option of another item, "
            "too many options or a position the attempt lacks is 400 `invalid_answer`."
        ),
        request=AnswerSerializer,
        responses={200: SaveResultSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, pk: str | None = None) -> Response:
        attempt_id = parse_id(pk)
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.save_item_state(
            attempt_id=attempt_id,
            student=request.user,
            position=data["position"],
            seq=data["seq"],
            now=timezone.now(),
            selected=data.get("selected"),
            flagged=data.get("flagged"),
        )
        return Response(
            {
                "saved": not result.stale,
                "stale": result.stale,
                "position": result.position,
                "seq": result.seq,
                "selected": result.selected,
                "flagged": result.flagged,
            }
        )

    @extend_schema(
        summary="Submit the attempt and queue its grading (submitting twice changes nothing)",
        request=EmptySerializer,
        responses={202: AttemptStateSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        attempt_id = parse_id(pk)
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        attempt = services.submit_attempt(attempt_id=attempt_id, student=request.user, now=timezone.now())
        return Response(attempt_state(attempt, request), status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="The graded result, with the item review the exam's policy allows",
        description=(
            "409 `attempt_in_progress` while the attempt runs; 202 with its state while it is "
            "being graded; then 200. Review policy `full`: each item with the key, explanation "
            "and rationales; `answers`: right or wrong per item, no key; `score`: no items."
        ),
        responses={200: ResultSerializer, 202: AttemptStateSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["get"])
    def result(self, request: Request, pk: str | None = None) -> Response:
        attempt = selectors.get_attempt_with_items(attempt_id=parse_id(pk), student_id=user_id(request))
        if attempt.state != AttemptState.GRADED:
            if attempt.accepts_saves(timezone.now(), grace=services.grace()):
                raise AttemptInProgress()
            return Response(attempt_state(attempt, request), status=status.HTTP_202_ACCEPTED)
        return Response(result_data(attempt))


# --- Progress -------------------------------------------------------------------------------------


class ProgressView(ThrottlesFromSettings, APIView):
    """Progress per path: lessons, attempts, domain mastery and readiness."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Progress of the caller, or (instructors, staff) of one student",
        description=(
            "Without `student`: the caller's own progress in every enrolled path. Instructors may "
            "name a student enrolled in the path of a course they own (they see those paths only); "
            "staff may name anyone. Any other student reads as missing (404)."
        ),
        parameters=[ProgressQuerySerializer],
        responses={200: ProgressSerializer},
    )
    def get(self, request: Request) -> Response:
        query = ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = timezone.now()
        student, path_ids = self._student_and_paths(request, query.validated_data.get("student"))
        since = query.validated_data.get("updated_since")
        paths = progress.student_progress(student_id=student.pk, path_ids=path_ids, since=since)
        body = {
            "as_of": as_of,
            "updated_since": since,
            "student": {"id": student.pk, "username": student.username},
            "paths": paths,
        }
        return Response(ProgressSerializer(body).data)

    def _student_and_paths(self, request: Request, wanted: str | None) -> tuple[Any, set[int] | None]:
        user = request.user
        if not wanted:
            return user, None
        student = progress.find_student(wanted)
        if student is None:
            raise exceptions.NotFound("No such student.")
        if student.pk == user.pk or is_staff(user):
            return student, None
        path_ids = progress.taught_path_ids(instructor_id=user_id(request), student_id=student.pk)
        if not path_ids:
            raise exceptions.NotFound("No such student.")
        return student, path_ids


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
        return queryset & progress.cohort_enrollments(course=self.course, since=value)


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
    """Students enrolled in a course's path, with their progress. Owners of the course and staff."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = CohortPage
    filter_backends = [CohortFilterBackend]
    filterset_class = CohortFilter
    serializer_class = CohortRowSerializer
    csv_chunk = 500
    course: Course

    def get_queryset(self) -> QuerySet[Enrollment]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no course
            return Enrollment.objects.none()
        return progress.cohort_enrollments(course=self.course)

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
        self.course = self._course(slug)
        if request.query_params.get("format") == "csv":
            return self.csv(as_of)
        enrollments = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = progress.cohort_rows(
            course=self.course,
            enrollments=enrollments or [],
            lessons_total=progress.course_lesson_count(self.course),
        )
        self.paginator.as_of = as_of  # type: ignore[union-attr]
        return self.get_paginated_response(CohortRowSerializer(rows, many=True).data)

    def _course(self, slug: str) -> Course:
        course = managed_courses(self.request.user).select_related("path").filter(slug=slug).first()
        if course is None:
            raise exceptions.NotFound()
        return course

    def csv(self, as_of: dt.datetime) -> StreamingHttpResponse:
        """Stream every row of the (filtered) cohort, a chunk of students at a time."""
        enrollments = self.filter_queryset(self.get_queryset()).order_by("id")
        domains = list(self.course.path.domains.order_by("position"))
        lessons_total = progress.course_lesson_count(self.course)
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
            rows = progress.cohort_rows(course=self.course, enrollments=chunk, lessons_total=lessons_total)
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
        self.course = self._course(slug)
        return self.csv(as_of)
