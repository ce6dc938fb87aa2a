"""Attempts: the caller's own (another student's reads as missing), answers, submit, result."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from core.access import user_id
from core.api.errors import CONFLICT
from core.api.fields import EmptySerializer, parse_id
from core.api.pagination import CursorPage
from core.api.throttling import ThrottlesFromSettings

from ... import selectors, services
from ...models import Attempt, AttemptItem, AttemptState, SubmittedBy
from ...services.retakes import retake_missed
from ..serializers.attempts import (
    AnswerSerializer,
    AttemptDetailSerializer,
    AttemptSerializer,
    AttemptStateSerializer,
    ResultSerializer,
    RetakeSerializer,
    SaveResultSerializer,
    SubmitSerializer,
    attempt_state,
    result_data,
    save_result_data,
)


class AttemptInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This attempt is still in progress: submit it to see the result."
    default_code = "attempt_in_progress"


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
        attempts = (
            Attempt.objects.with_current_position()
            .filter(student_id=user_id(self.request))
            .select_related("exam__path")
        )
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
            "The exam page saves through this endpoint too (session and CSRF token). A save whose "
            "`seq` is not newer than the stored one is acknowledged as stale and changes nothing; "
            "after the submit or the deadline (plus grace) the answer is refused with 409 "
            "`attempt_closed`; an option of another item, too many options, a position the attempt "
            "lacks, or `check` outside practice mode is 400 `invalid_answer`."
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
            check=data["check"],
            spent_ms=data["spent_ms"],
        )
        return Response(save_result_data(result))

    @extend_schema(
        summary="Submit the attempt and queue its grading (submitting twice changes nothing)",
        request=SubmitSerializer,
        responses={202: AttemptStateSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        attempt_id = parse_id(pk)
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = services.submit_attempt(
            attempt_id=attempt_id,
            student=request.user,
            now=timezone.now(),
            by_timer=serializer.validated_data["by"] == SubmittedBy.TIMER,
        )
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

    @extend_schema(
        summary="Retake the missed items: a new untimed practice attempt (201), or the open one (200)",
        description=(
            "The questions the graded attempt answered wrongly or not at all, at their current "
            "revision, with new option ids; retired ones are left out (`left_out`). Counts as a "
            "practice set against the caller's caps. 409 `nothing_to_retake` when the attempt is "
            "not graded, its exam shows the score only, or no missed question is still in use."
        ),
        request=EmptySerializer,
        responses={201: RetakeSerializer, 200: RetakeSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def retake(self, request: Request, pk: str | None = None) -> Response:
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        now = timezone.now()
        retake = retake_missed(attempt_id=parse_id(pk), student=request.user, now=now)
        attempt = selectors.get_attempt_with_items(attempt_id=retake.attempt.pk, student_id=user_id(request))
        context = {**self.get_serializer_context(), "now": now, "left_out": retake.left_out}
        code = status.HTTP_201_CREATED if retake.created else status.HTTP_200_OK
        return Response(RetakeSerializer(attempt, context=context).data, status=code)
