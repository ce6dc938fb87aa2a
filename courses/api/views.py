"""The courses app's API: catalog, courses and lessons, enrollments, tokens. Thin: selectors and
services do the work; domain errors become JSON in core/api/errors.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from core import tokens
from core.access import user_id
from core.api.errors import CONFLICT, LockedOut
from core.api.fields import EmptySerializer
from core.api.throttling import ThrottlesFromSettings
from core.lockout import is_locked_out

from .. import selectors, services
from ..filters import PathFilter
from ..models import CertificationPath, Course, Enrollment, Lesson, LessonProgress, Module
from .serializers import (
    CertificationPathDetailSerializer,
    CertificationPathListSerializer,
    CourseDetailSerializer,
    CourseListSerializer,
    EnrollmentCreateSerializer,
    EnrollmentSerializer,
    LessonCompletionSerializer,
    LessonDetailSerializer,
    TokenCreateSerializer,
    TokenSerializer,
)


class CertificationPathViewSet(ThrottlesFromSettings, viewsets.ReadOnlyModelViewSet):
    """The certification catalog: every path with its exam facts and blueprint."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = PathFilter
    ordering_fields = ["code", "provider", "name"]
    ordering = ["provider", "code"]

    def get_queryset(self) -> QuerySet[CertificationPath]:
        queryset = selectors.list_paths()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("sources")
        return queryset

    def get_object(self) -> CertificationPath:
        path = selectors.get_path(code=self.kwargs["code"])
        self.check_object_permissions(self.request, path)
        return path

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action == "retrieve":
            return CertificationPathDetailSerializer
        return CertificationPathListSerializer


# --- Courses and lessons --------------------------------------------------------------------------


class CourseFilter(filters.FilterSet):
    path = filters.CharFilter(field_name="path__code", lookup_expr="iexact", help_text="Exam code.")

    class Meta:
        model = Course
        fields = ["path", "status"]


def _completed_ids(request: Request, course_ids: list[int]) -> set[int]:
    if not request.user.is_authenticated or not course_ids:
        return set()
    return set(
        LessonProgress.objects.filter(
            student_id=user_id(request), lesson__module__course_id__in=course_ids
        ).values_list("lesson_id", flat=True)
    )


class CourseViewSet(ThrottlesFromSettings, viewsets.ReadOnlyModelViewSet):
    """Courses: published ones for everyone; an instructor also sees the drafts they own."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"
    filterset_class = CourseFilter
    ordering_fields = ["title", "updated_at"]
    ordering = ["title", "id"]

    def get_queryset(self) -> QuerySet[Course]:
        queryset = (
            selectors.visible_courses(self.request.user)
            .select_related("path")
            .annotate(lesson_count=Count("modules__lessons"))
        )
        if self.action == "retrieve":
            modules = Module.objects.prefetch_related("lessons")
            queryset = queryset.prefetch_related(Prefetch("modules", queryset=modules))
        return queryset

    def get_serializer_class(self) -> type[BaseSerializer]:
        return CourseDetailSerializer if self.action == "retrieve" else CourseListSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        course = self.get_object()
        context = {**self.get_serializer_context(), "completed_ids": _completed_ids(request, [course.pk])}
        return Response(CourseDetailSerializer(course, context=context).data)


@extend_schema_view(
    retrieve=extend_schema(summary="A lesson with its sanitized HTML body"),
)
class LessonViewSet(ThrottlesFromSettings, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lessons of the courses the caller may see."""

    serializer_class = LessonDetailSerializer

    def get_permissions(self) -> list[Any]:
        if self.action == "complete":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    def get_queryset(self) -> QuerySet[Lesson]:
        return Lesson.objects.filter(
            module__course__in=selectors.visible_courses(self.request.user)
        ).select_related("module__course")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        lesson = self.get_object()
        context = {
            **self.get_serializer_context(),
            "completed_ids": _completed_ids(request, [lesson.module.course_id]),
        }
        return Response(LessonDetailSerializer(lesson, context=context).data)

    @extend_schema(
        summary="Mark the lesson completed (idempotent; enrolls the caller in its path)",
        request=EmptySerializer,
        responses={200: LessonCompletionSerializer},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        lesson = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        progress = services.complete_lesson(student=request.user, lesson=lesson, now=timezone.now())
        return Response(LessonCompletionSerializer(progress).data)


# --- Enrollments ----------------------------------------------------------------------------------


class EnrollmentFilter(filters.FilterSet):
    path = filters.CharFilter(field_name="path__code", lookup_expr="iexact", help_text="Exam code.")

    class Meta:
        model = Enrollment
        fields = ["path"]


@extend_schema_view(
    create=extend_schema(
        summary="Enroll in a path (201; 200 with the enrollment when already enrolled)",
        request=EnrollmentCreateSerializer,
        responses={201: EnrollmentSerializer, 200: EnrollmentSerializer, 409: CONFLICT},
    ),
    destroy=extend_schema(summary="Unenroll (lesson progress and attempts are kept)"),
)
class EnrollmentViewSet(
    ThrottlesFromSettings,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own enrollments; nobody sees another user's."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = EnrollmentSerializer
    filterset_class = EnrollmentFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Enrollment]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Enrollment.objects.none()
        return Enrollment.objects.filter(student_id=user_id(self.request)).select_related("path")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = EnrollmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        path = serializer.validated_data["path"]
        existed = self.get_queryset().filter(path=path).exists()
        enrollment = services.enroll_student(student=request.user, path=path)
        data = EnrollmentSerializer(enrollment, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Enrollment) -> None:
        services.unenroll_student(enrollment=instance)


# --- Tokens ---------------------------------------------------------------------------------------


class TokenView(ThrottlesFromSettings, APIView):
    """Exchange a username and password for an API token, or revoke the token of the request."""

    parser_classes = [JSONParser, FormParser]
    throttle_scope = "auth"

    def get_permissions(self) -> list[Any]:
        if self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    @extend_schema(
        summary="Get a new token",
        description=(
            "Each call issues a new token, valid until `expiry` (API_TOKEN_TTL_HOURS) or until the "
            "password changes. Only a hash is stored: keep the token, it cannot be shown again. Too "
            "many failed sign-ins of an account or from an address answer 429 `locked_out`."
        ),
        request=TokenCreateSerializer,
        responses={200: TokenSerializer, 409: CONFLICT},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            if is_locked_out(request._request):
                raise LockedOut()
            raise exceptions.ValidationError(
                {"non_field_errors": ["Unable to sign in with this username and password."]}
            )
        token, expiry = tokens.issue_token(user=user)
        return Response(TokenSerializer({"token": token, "expiry": expiry}).data)

    @extend_schema(
        summary="Revoke the token of this request (log out)",
        description="A request signed in with the browser session has no token: it gets 400 `no_token`.",
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request) -> Response:
        tokens.revoke_token(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokensView(ThrottlesFromSettings, APIView):
    """Revoke every token of the caller (log out everywhere)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="Revoke all of the caller's tokens", request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        tokens.revoke_all_tokens(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
