"""Shapes of review cards (the item without its key until answered) and review outcomes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import StrictFieldsMixin

from ...models import ReviewCard
from ...services.reviews import ReviewOutcome
from ...spacing import RATING_NAMES
from .attempts import case_study_field


class ReviewCardOptionSerializer(serializers.Serializer):
    id = serializers.CharField()
    text_html = serializers.CharField()


class ReviewCardItemSerializer(serializers.Serializer):
    qtype = serializers.CharField()
    choose = serializers.IntegerField()
    stem_html = serializers.CharField()
    case_study = case_study_field()
    options = ReviewCardOptionSerializer(many=True)
    targets = ReviewCardOptionSerializer(
        many=True,
        required=False,
        help_text='Ordering and matching only: answer with "<option id>@<target id>".',
    )


class ReviewCardSerializer(serializers.ModelSerializer):
    path = serializers.CharField(source="item.attempt.exam.path.code", read_only=True)
    domain = serializers.CharField(source="item.domain.name", read_only=True)
    item = serializers.SerializerMethodField(help_text="The question as a student sees it: no key.")

    class Meta:
        model = ReviewCard
        fields = ["id", "path", "domain", "due", "reviews", "lapses", "last_review", "item"]
        read_only_fields = fields

    @extend_schema_field(ReviewCardItemSerializer)
    def get_item(self, obj: ReviewCard) -> dict[str, Any]:
        return obj.item.public_snapshot()


class ReviewAnswerSerializer(StrictFieldsMixin, serializers.Serializer):
    selected = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=20,
        help_text="Option ids of the card's item; omit to rate without answering.",
    )
    rating = serializers.ChoiceField(
        choices=sorted(RATING_NAMES),
        required=False,
        help_text="How well you remembered it; omitted: rated from the answer (right: good, wrong: again).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "selected" not in attrs and "rating" not in attrs:
            raise serializers.ValidationError("Send an answer (selected), a rating, or both.")
        if "rating" in attrs:
            attrs["rating"] = RATING_NAMES[attrs["rating"]]
        return attrs


class ReviewCardKeyOptionSerializer(ReviewCardOptionSerializer):
    is_correct = serializers.BooleanField()
    rationale_html = serializers.CharField(allow_blank=True)


class ReviewOutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="card.pk")
    correct = serializers.BooleanField(allow_null=True, help_text="Null: rated without an answer.")
    rating = serializers.CharField(source="log.rating_name")
    rated_by_student = serializers.BooleanField(source="log.rated_by_student")
    next_due = serializers.DateTimeField(source="card.due")
    reviews = serializers.IntegerField(source="card.reviews")
    options = serializers.SerializerMethodField()
    explanation_html = serializers.CharField(source="card.item.snapshot.explanation_html")

    @extend_schema_field(ReviewCardKeyOptionSerializer(many=True))
    def get_options(self, obj: ReviewOutcome) -> list[dict[str, Any]]:
        return [
            {
                "id": o["id"],
                "text_html": o["text_html"],
                "is_correct": o["is_correct"],
                "rationale_html": o.get("rationale_html", ""),
            }
            for o in obj.card.item.snapshot["options"]
        ]
