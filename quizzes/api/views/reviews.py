"""Spaced review over the API: the caller's due cards, and answering or rating one."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response

from core.access import user_id
from core.api.errors import CONFLICT
from core.api.fields import parse_id
from core.api.pagination import PageNumber
from core.api.throttling import ThrottlesFromSettings

from ...models import ReviewCard
from ...selectors import reviews
from ...services.reviews import review_card
from ..serializers.reviews import ReviewAnswerSerializer, ReviewCardSerializer, ReviewOutcomeSerializer


class ReviewListView(ThrottlesFromSettings, generics.ListAPIView):
    """The caller's review cards that are due now, oldest due first (numbered pages)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReviewCardSerializer
    pagination_class = PageNumber
    filter_backends: list[type] = []  # one order (oldest due first): no ?ordering=

    @extend_schema(summary="Review cards due now (items the caller missed or flagged in exams)")
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ReviewCard]:
        if getattr(self, "swagger_fake_view", False):
            return ReviewCard.objects.none()
        return reviews.list_due_cards(student_id=user_id(self.request), now=timezone.now())


class ReviewDetailView(ThrottlesFromSettings, generics.GenericAPIView):
    """One of the caller's review cards; POST answers and/or rates it and schedules the next review."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReviewCardSerializer

    @extend_schema(summary="A review card (another student's reads as missing)")
    def get(self, request: Request, pk: str) -> Response:
        card = reviews.get_card(card_id=parse_id(pk), student_id=user_id(request))
        return Response(ReviewCardSerializer(card).data)

    @extend_schema(
        summary="Review a due card: answer it, rate it, or both",
        description=(
            "`rating` is again, hard, good or easy; without it the answer rates itself (right: "
            "good, wrong: again). FSRS schedules the next review from the rating. The answer shows "
            "the key and the explanation. A card not due yet (reviewed already) is 409 "
            "`review_not_due`; an option the item lacks is 400 `invalid_answer`."
        ),
        request=ReviewAnswerSerializer,
        responses={200: ReviewOutcomeSerializer, 409: CONFLICT},
    )
    def post(self, request: Request, pk: str) -> Response:
        card_id = parse_id(pk)
        serializer = ReviewAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = review_card(
            card_id=card_id,
            student=request.user,
            now=timezone.now(),
            selected=serializer.validated_data.get("selected"),
            rating=serializer.validated_data.get("rating"),
        )
        return Response(ReviewOutcomeSerializer(outcome).data)
