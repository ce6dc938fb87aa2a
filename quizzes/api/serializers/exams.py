"""Shapes of exams and practice-set creation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import MAX_ID, StrictFieldsMixin
from courses.models import CertificationPath, ExamDomain

from ... import selectors
from ...models import Exam, ExamMode
from ...models.exams import PRACTICE_MAX_ITEMS, PRACTICE_MAX_MINUTES

# --- Exams ----------------------------------------------------------------------------------------


class ExamDomainRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExamDomain
        fields = ["id", "name", "position"]


class BlueprintEntrySerializer(serializers.Serializer):
    domain_id = serializers.IntegerField()
    name = serializers.CharField()
    items = serializers.IntegerField(help_text="Items drawn from this domain.")


class ExamSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-exam-detail")
    path = serializers.CharField(source="path.code", read_only=True, help_text="The path's exam code.")
    domains = ExamDomainRefSerializer(
        many=True, read_only=True, help_text="The chosen domains; empty means every domain of the path."
    )
    is_own = serializers.SerializerMethodField(help_text="A practice set the caller created.")

    class Meta:
        model = Exam
        fields = [
            "id",
            "url",
            "path",
            "title",
            "kind",
            "mode",
            "item_count",
            "minutes",
            "pass_percent",
            "partial_credit",
            "review_policy",
            "max_attempts",
            "cooldown_minutes",
            "domains",
            "is_own",
            "created_at",
        ]
        read_only_fields = fields

    def get_is_own(self, obj: Exam) -> bool:
        request = self.context.get("request")
        return bool(request and obj.owner_id is not None and obj.owner_id == request.user.pk)


class ExamDetailSerializer(ExamSerializer):
    blueprint = serializers.SerializerMethodField()

    class Meta(ExamSerializer.Meta):
        fields = [*ExamSerializer.Meta.fields, "blueprint"]
        read_only_fields = fields

    @extend_schema_field(BlueprintEntrySerializer(many=True))
    def get_blueprint(self, obj: Exam) -> list[dict[str, Any]]:
        domains = selectors.exam_domains(obj)
        if not domains:
            return []
        plan = selectors.blueprint_for(obj)
        return [{"domain_id": d.pk, "name": d.name, "items": plan.get(d.pk, 0)} for d in domains]


class ExamCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """A practice set of the caller's own. Only these fields are writable."""

    path = serializers.CharField(max_length=40, help_text="Exam code of the path.")
    domains = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=50,
        help_text="Domain ids of the path; empty or absent: every domain by its blueprint weight.",
    )
    item_count = serializers.IntegerField(min_value=1, max_value=PRACTICE_MAX_ITEMS)
    minutes = serializers.IntegerField(
        min_value=1,
        max_value=PRACTICE_MAX_MINUTES,
        required=False,
        allow_null=True,
        help_text="Absent or null: untimed.",
    )
    mode = serializers.ChoiceField(choices=ExamMode.choices, default=ExamMode.PRACTICE)

    def validate_path(self, value: str) -> CertificationPath:
        path = CertificationPath.objects.filter(code__iexact=value).first()
        if path is None:
            raise serializers.ValidationError(f"No certification path has the code {value!r}.")
        return path

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        wanted = list(dict.fromkeys(attrs.get("domains") or []))
        domains = list(ExamDomain.objects.filter(path=attrs["path"], pk__in=wanted)) if wanted else []
        if len(domains) != len(wanted):
            raise serializers.ValidationError({"domains": ["Every domain must be a domain of this path."]})
        attrs["domains"] = sorted(domains, key=lambda d: d.position)
        return attrs
