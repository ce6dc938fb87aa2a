"""Progress per path: lessons, attempts, domain mastery and readiness."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import is_staff
from core.api.throttling import ThrottlesFromSettings

from ...selectors import cohorts, history, progress
from ..serializers.progress import (
    HistoryQuerySerializer,
    HistorySerializer,
    ProgressQuerySerializer,
    ProgressSerializer,
)

# --- Progress -------------------------------------------------------------------------------------


class ProgressView(ThrottlesFromSettings, APIView):
    """Progress per path: lessons, attempts, domain mastery and readiness."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Progress of the caller, or (instructors, staff) of one student",
        description=(
            "Without `student`: the caller's own progress in every enrolled path. Instructors may "
            "name a student who studied one of their courses (they see that course's path only) or "
            "any student of a path an administrator assigned to them; staff may name anyone. Any "
            "other student reads as missing (404)."
        ),
        parameters=[ProgressQuerySerializer],
        responses={200: ProgressSerializer},
    )
    def get(self, request: Request) -> Response:
        query = ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = timezone.now()
        student, path_ids = student_and_paths(request, query.validated_data.get("student"))
        since = query.validated_data.get("updated_since")
        paths = progress.student_progress(student_id=student.pk, path_ids=path_ids, since=since)
        body = {
            "as_of": as_of,
            "updated_since": since,
            "student": {"id": student.pk, "username": student.username},
            "paths": paths,
        }
        return Response(ProgressSerializer(body).data)


def student_and_paths(request: Request, wanted: str | None) -> tuple[Any, set[int] | None]:
    """Return whose progress the caller reads, and the paths they may see of it (None: all).

    Raises NotFound for an unknown student or one the caller may not see.
    """
    user = request.user
    if not wanted:
        return user, None
    student = cohorts.find_student(wanted)
    if student is None:
        raise exceptions.NotFound("No such student.")
    if student.pk == user.pk or is_staff(user):
        return student, None
    path_ids = cohorts.visible_path_ids(viewer=user, student_id=student.pk)
    if not path_ids:
        raise exceptions.NotFound("No such student.")
    return student, path_ids


class HistoryView(ThrottlesFromSettings, APIView):
    """Graded attempts per path, oldest first: the data of the attempt-history page's charts."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Graded attempts per path of the caller, or (instructors, staff) of one student",
        description=(
            "Each path's graded attempts, oldest first, with the real exam's pass mark in percent. "
            "`?student=` follows the rules of /progress/ (others read as missing: 404); "
            "`?path=<code>` keeps one path."
        ),
        parameters=[HistoryQuerySerializer],
        responses={200: HistorySerializer},
    )
    def get(self, request: Request) -> Response:
        query = HistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        student, path_ids = student_and_paths(request, query.validated_data.get("student"))
        paths = history.attempt_history(
            student_id=student.pk, path_ids=path_ids, path_code=query.validated_data.get("path")
        )
        body = {"student": {"id": student.pk, "username": student.username}, "paths": paths}
        return Response(HistorySerializer(body).data)
