"""Exams: the shared ones and the caller's practice sets; starting an attempt."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from core.access import user_id
from core.api.errors import CONFLICT
from core.api.fields import EmptySerializer
from core.api.throttling import ThrottlesFromSettings
from courses.models import ExamDomain

from ... import selectors, services
from ...models import Exam
from ..serializers.attempts import AttemptDetailSerializer, AttemptItemSerializer, AttemptSerializer
from ..serializers.exams import ExamCreateSerializer, ExamDetailSerializer, ExamSerializer

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
        exams = Exam.objects.select_related("path", "owner")
        if self.action != "start":  # starting reads the domains it draws from itself
            in_order = ExamDomain.objects.order_by("position")
            exams = exams.prefetch_related(Prefetch("domains", queryset=in_order))
        return exams.visible_to(self.request.user)

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
        now = timezone.now()
        context = {**self.get_serializer_context(), "now": now}
        started = services.begin_attempt(exam=exam, student=request.user, now=now)
        if started.created:  # answered from what starting built: nothing to read back
            data = AttemptSerializer(started.attempt, context=context).data
            data["items"] = AttemptItemSerializer(started.items, many=True).data
            return Response(data, status=status.HTTP_201_CREATED)
        attempt = selectors.get_attempt_with_items(attempt_id=started.attempt.pk, student_id=user_id(request))
        return Response(AttemptDetailSerializer(attempt, context=context).data)
