from __future__ import annotations

from rest_framework import serializers

from ...models import ItemStats


class ItemStatsSerializer(serializers.ModelSerializer[ItemStats]):
    question_name = serializers.CharField(source="question.name")
    domain = serializers.CharField(source="question.domain.name")
    current = serializers.SerializerMethodField(help_text="Whether this is the question's current revision.")
    option_counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="{choice id: times selected}"
    )

    class Meta:
        model = ItemStats
        fields = [
            "question",
            "question_name",
            "domain",
            "revision",
            "current",
            "responses",
            "answered",
            "difficulty",
            "discrimination",
            "dubious",
            "dubious_reason",
            "option_counts",
            "median_time_ms",
            "computed_at",
        ]

    def get_current(self, obj: ItemStats) -> bool:
        return obj.revision == obj.question.revision
