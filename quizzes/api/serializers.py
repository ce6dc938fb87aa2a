"""Shapes of the quizzes API. Items are serialized from `AttemptItem.public_snapshot()` only: the key,
explanations and rationales appear solely in a graded result whose review policy shows them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from courses.api.common import MAX_ID, StrictFieldsMixin
from courses.models import CertificationPath, ExamDomain

from .. import selectors
from ..models import Attempt, AttemptItem, AttemptState, Exam, ExamMode, ReviewPolicy

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
    item_count = serializers.IntegerField(min_value=1, max_value=200)
    minutes = serializers.IntegerField(
        min_value=1, max_value=600, required=False, allow_null=True, help_text="Absent or null: untimed."
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


# --- Attempts -------------------------------------------------------------------------------------


def _now(context: dict[str, Any]) -> dt.datetime:
    return context.get("now") or timezone.now()


class AttemptSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-attempt-detail")
    exam = serializers.IntegerField(source="exam_id", read_only=True)
    exam_title = serializers.CharField(source="exam.title", read_only=True)
    path = serializers.CharField(source="exam.path.code", read_only=True)
    remaining_seconds = serializers.SerializerMethodField(help_text="Null for an untimed attempt.")

    class Meta:
        model = Attempt
        fields = [
            "id",
            "url",
            "exam",
            "exam_title",
            "path",
            "state",
            "started_at",
            "deadline",
            "remaining_seconds",
            "submitted_at",
            "finished_at",
            "graded_at",
            "item_count",
            "current_position",
            "score_percent",
            "scaled_score",
            "passed",
        ]
        read_only_fields = fields

    def get_remaining_seconds(self, obj: Attempt) -> int | None:
        return obj.remaining_seconds(_now(self.context)) if obj.is_open else None


class OptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text_html = serializers.CharField()


class AttemptItemSerializer(serializers.Serializer):
    """An item as shown while the attempt runs: the public snapshot and the caller's answer."""

    position = serializers.IntegerField()
    domain = serializers.CharField()
    qtype = serializers.CharField()
    choose = serializers.IntegerField()
    stem_html = serializers.CharField()
    options = OptionSerializer(many=True)
    selected = serializers.ListField(child=serializers.IntegerField())
    seq = serializers.IntegerField(help_text="The sequence number of the stored answer (0: none yet).")
    flagged = serializers.BooleanField()

    def to_representation(self, instance: AttemptItem) -> dict[str, Any]:
        public = instance.public_snapshot()
        answer = getattr(instance, "answer", None)
        return {
            "position": instance.position,
            "domain": instance.domain.name,
            "qtype": public["qtype"],
            "choose": public["choose"],
            "stem_html": public["stem_html"],
            "options": public["options"],
            "selected": list(answer.selected) if answer else [],
            "seq": answer.client_seq if answer else 0,
            "flagged": instance.flagged,
        }


class AttemptDetailSerializer(AttemptSerializer):
    items = AttemptItemSerializer(many=True, read_only=True)

    class Meta(AttemptSerializer.Meta):
        fields = [*AttemptSerializer.Meta.fields, "items"]
        read_only_fields = fields


class AnswerSerializer(StrictFieldsMixin, serializers.Serializer):
    """One item's new state; `selected` and `flagged` are each optional (absent: unchanged)."""

    position = serializers.IntegerField(min_value=1, max_value=32767)
    seq = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="Client sequence number: a save not newer than the stored one is stale.",
    )
    selected = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=100
    )
    flagged = serializers.BooleanField(required=False)


class SaveResultSerializer(serializers.Serializer):
    saved = serializers.BooleanField(help_text="False when the save was stale and changed nothing.")
    stale = serializers.BooleanField()
    position = serializers.IntegerField()
    seq = serializers.IntegerField(help_text="The sequence number now stored.")
    selected = serializers.ListField(child=serializers.IntegerField())
    flagged = serializers.BooleanField()


class AttemptStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=AttemptState.choices)
    graded = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    result_url = serializers.URLField()


def attempt_state(attempt: Attempt, request: Any) -> dict[str, Any]:
    return {
        "id": attempt.pk,
        "state": attempt.state,
        "graded": attempt.state == AttemptState.GRADED,
        "submitted_at": attempt.submitted_at,
        "finished_at": attempt.finished_at,
        "result_url": reverse("api-attempt-result", kwargs={"pk": attempt.pk}, request=request),
    }


# --- Results --------------------------------------------------------------------------------------


class DomainScoreSerializer(serializers.Serializer):
    domain_id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    score = serializers.FloatField()
    total = serializers.IntegerField()
    percent = serializers.FloatField()


class ReviewOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text_html = serializers.CharField()
    selected = serializers.BooleanField()
    is_correct = serializers.BooleanField(required=False, help_text="Only when the review policy is `full`.")
    rationale_html = serializers.CharField(required=False, help_text="Only when the review policy is `full`.")


class ReviewItemSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    domain = serializers.CharField()
    qtype = serializers.CharField()
    choose = serializers.IntegerField()
    stem_html = serializers.CharField()
    options = ReviewOptionSerializer(many=True)
    selected = serializers.ListField(child=serializers.IntegerField())
    answered = serializers.BooleanField()
    correct = serializers.BooleanField(help_text="Whether the selection was exactly the key.")
    correct_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Only when the review policy is `full`."
    )
    explanation_html = serializers.CharField(
        required=False, help_text="Only when the review policy is `full`."
    )


class ResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exam = serializers.IntegerField()
    exam_title = serializers.CharField()
    state = serializers.ChoiceField(choices=AttemptState.choices)
    review_policy = serializers.ChoiceField(choices=ReviewPolicy.choices)
    raw_score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField(allow_null=True)
    score_percent = serializers.FloatField(allow_null=True)
    scaled_score = serializers.IntegerField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    pass_percent = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    graded_at = serializers.DateTimeField(allow_null=True)
    time_used_seconds = serializers.IntegerField(allow_null=True)
    domains = DomainScoreSerializer(many=True)
    items = ReviewItemSerializer(
        many=True, allow_null=True, help_text="Null when the review policy is `score` (score only)."
    )


def _review_item(item: AttemptItem, full: bool) -> dict[str, Any]:
    answer = getattr(item, "answer", None)
    selected = list(answer.selected) if answer else []
    public = item.public_snapshot()
    options = []
    for option in item.snapshot["options"] if full else public["options"]:
        shown = {"id": option["id"], "text_html": option["text_html"], "selected": option["id"] in selected}
        if full:
            shown |= {"is_correct": option["is_correct"], "rationale_html": option["rationale_html"]}
        options.append(shown)
    data = {
        "position": item.position,
        "domain": item.domain.name,
        "qtype": public["qtype"],
        "choose": public["choose"],
        "stem_html": public["stem_html"],
        "options": options,
        "selected": selected,
        "answered": bool(selected),
        "correct": set(selected) == item.key,
    }
    if full:
        data |= {"correct_ids": sorted(item.key), "explanation_html": item.snapshot["explanation_html"]}
    return data


def result_data(attempt: Attempt) -> dict[str, Any]:
    """Return a graded attempt's result with the per-item review its exam's policy allows."""
    policy = attempt.exam.review_policy
    items = None
    if policy != ReviewPolicy.SCORE_ONLY:
        items = [_review_item(item, policy == ReviewPolicy.FULL) for item in attempt.items.all()]
    used = attempt.finished_at - attempt.started_at if attempt.finished_at else None
    return {
        "id": attempt.pk,
        "exam": attempt.exam_id,
        "exam_title": attempt.exam.title,
        "state": attempt.state,
        "review_policy": policy,
        "raw_score": attempt.raw_score,
        "max_score": attempt.max_score,
        "score_percent": attempt.score_percent,
        "scaled_score": attempt.scaled_score,
        "passed": attempt.passed,
        "pass_percent": attempt.exam.pass_percent,
        "started_at": attempt.started_at,
        "finished_at": attempt.finished_at,
        "graded_at": attempt.graded_at,
        "time_used_seconds": int(used.total_seconds()) if used is not None else None,
        "domains": [
            {
                "domain_id": r.domain_id,
                "name": r.domain.name,
                "position": r.domain.position,
                "score": r.score,
                "total": r.total,
                "percent": r.percent,
            }
            for r in attempt.domain_results.select_related("domain").order_by("domain__position")
        ],
        "items": items,
    }


# --- Progress -------------------------------------------------------------------------------------


class StudentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class CourseProgressSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    lessons_total = serializers.IntegerField()
    lessons_completed = serializers.IntegerField()
    percent = serializers.FloatField()
    last_completed_at = serializers.DateTimeField(allow_null=True)


class AttemptStatsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Attempts at any exam of the path, in any state.")
    in_progress = serializers.IntegerField()
    graded = serializers.IntegerField()
    best_score_percent = serializers.FloatField(allow_null=True)
    last_score_percent = serializers.FloatField(
        allow_null=True, help_text="Of the most recently finished graded attempt."
    )
    last_started_at = serializers.DateTimeField(allow_null=True)
    last_graded_at = serializers.DateTimeField(allow_null=True)


class DomainMasterySerializer(serializers.Serializer):
    domain_id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    weight = serializers.FloatField(allow_null=True, help_text="Blueprint weight (a range's midpoint).")
    score = serializers.FloatField(help_text="Points in this domain over the readiness window.")
    total = serializers.IntegerField(help_text="Items of this domain over the readiness window.")
    mastery_percent = serializers.FloatField(allow_null=True, help_text="Null: no item of it yet.")


class ReadinessSerializer(serializers.Serializer):
    percent = serializers.FloatField(
        allow_null=True,
        help_text="Blueprint-weighted mean of domain mastery; null before any graded attempt.",
    )
    ready = serializers.BooleanField(help_text="percent >= pass_percent.")
    pass_percent = serializers.IntegerField(
        allow_null=True, help_text="Highest pass percent among the exams of the window's attempts."
    )
    attempts_considered = serializers.IntegerField()
    window = serializers.IntegerField(help_text="How many recent graded attempts count.")
    coverage_percent = serializers.FloatField(
        help_text="Share of the blueprint weight the window has covered."
    )


class PathProgressSerializer(serializers.Serializer):
    path = serializers.CharField(source="code")
    name = serializers.CharField()
    enrolled_at = serializers.DateTimeField()
    changed_at = serializers.DateTimeField(help_text="The latest change (see `updated_since`).")
    lessons_total = serializers.IntegerField()
    lessons_completed = serializers.IntegerField()
    percent = serializers.FloatField()
    courses = CourseProgressSerializer(many=True)
    attempts = AttemptStatsSerializer()
    domains = DomainMasterySerializer(many=True)
    readiness = ReadinessSerializer()


class ProgressSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(
        help_text="Server time the data was read: pass it as the next `updated_since`."
    )
    updated_since = serializers.DateTimeField(allow_null=True)
    student = StudentRefSerializer()
    paths = PathProgressSerializer(many=True)


class ProgressQuerySerializer(serializers.Serializer):
    student = serializers.CharField(
        required=False,
        max_length=150,
        help_text="Instructors and staff: a student's id or username (digits are tried as an id first).",
    )
    updated_since = serializers.DateTimeField(
        required=False, help_text="ISO 8601: only paths that changed after it (60 s look-back)."
    )


class CohortRowSerializer(serializers.Serializer):
    student = serializers.SerializerMethodField()
    enrolled_at = serializers.DateTimeField()
    changed_at = serializers.DateTimeField()
    lessons = CourseProgressSerializer(help_text="Lessons of this course.")
    attempts = AttemptStatsSerializer(help_text="Attempts at the exams of the course's path.")
    domains = DomainMasterySerializer(many=True)
    readiness = ReadinessSerializer()

    @extend_schema_field(StudentRefSerializer)
    def get_student(self, obj: Any) -> dict[str, Any]:
        return {"id": obj.student_id, "username": obj.username}
