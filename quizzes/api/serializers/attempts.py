"""Shapes of attempts as the student sees them (never the key), saves, and graded results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from rest_framework import serializers
from rest_framework.reverse import reverse

from core.api.fields import MAX_ID, StrictFieldsMixin

from ...models import Attempt, AttemptItem, AttemptState, ReviewPolicy, SubmittedBy
from ...services import SaveResult

# --- Attempts -------------------------------------------------------------------------------------


def _now(context: dict[str, Any]) -> dt.datetime:
    return context.get("now") or timezone.now()


class AttemptSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-attempt-detail")
    exam = serializers.IntegerField(source="exam_id", read_only=True)
    exam_title = serializers.CharField(source="exam.title", read_only=True)
    path = serializers.CharField(source="exam.path.code", read_only=True)
    remaining_seconds = serializers.SerializerMethodField(help_text="Null for an untimed attempt.")
    submitted_by = serializers.ChoiceField(
        choices=SubmittedBy.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty while the attempt is open.",
    )
    current_position = serializers.IntegerField(
        read_only=True, help_text="The item of the newest stored answer (1 before any): where to resume."
    )

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
            "submitted_by",
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


def option_ids(**kwargs: Any) -> serializers.ListField:
    """A list of option ids: opaque texts, new in every attempt (see services.attempts.option_id)."""
    return serializers.ListField(child=serializers.CharField(), **kwargs)


class OptionSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Opaque, and different in every attempt.")
    text_html = serializers.CharField()


class TargetSerializer(serializers.Serializer):
    id = serializers.CharField(
        help_text="A position (ordering: 1, 2, ...) or an opaque answer id (matching)."
    )
    text_html = serializers.CharField()


def targets(**kwargs: Any) -> TargetSerializer:
    return TargetSerializer(
        many=True,
        required=False,
        help_text=(
            "Ordering and matching items only: where each option can go. Answer with placements "
            '"<option id>@<target id>", at most one per option.'
        ),
        **kwargs,
    )


class CaseStudySerializer(serializers.Serializer):
    name = serializers.CharField(
        help_text="The case study's identifier in its bank; items sharing it share the scenario."
    )
    title = serializers.CharField()
    scenario_html = serializers.CharField(help_text="The scenario as the student saw it (sanitized HTML).")


def case_study_field() -> CaseStudySerializer:
    return CaseStudySerializer(
        allow_null=True, help_text="The shared scenario of a case-study item; null otherwise."
    )


class AttemptItemSerializer(serializers.Serializer):
    """An item as shown while the attempt runs: the public snapshot and the caller's answer."""

    position = serializers.IntegerField()
    domain = serializers.CharField()
    qtype = serializers.CharField()
    choose = serializers.IntegerField()
    stem_html = serializers.CharField()
    case_study = case_study_field()
    options = OptionSerializer(many=True)
    targets = targets()
    selected = option_ids()
    seq = serializers.IntegerField(help_text="The sequence number of the stored answer (0: none yet).")
    flagged = serializers.BooleanField()

    def to_representation(self, instance: AttemptItem) -> dict[str, Any]:
        public = instance.public_snapshot()
        answer = getattr(instance, "answer", None)
        data = {
            "position": instance.position,
            "domain": instance.domain.name,
            "qtype": public["qtype"],
            "choose": public["choose"],
            "stem_html": public["stem_html"],
            "case_study": public["case_study"],
            "options": public["options"],
            "selected": list(answer.selected) if answer else [],
            "seq": answer.client_seq if answer else 0,
            "flagged": instance.flagged,
        }
        if "targets" in public:
            data["targets"] = public["targets"]
        return data


class AttemptDetailSerializer(AttemptSerializer):
    items = AttemptItemSerializer(many=True, read_only=True)

    class Meta(AttemptSerializer.Meta):
        fields = [*AttemptSerializer.Meta.fields, "items"]
        read_only_fields = fields


class RetakeSerializer(AttemptDetailSerializer):
    """A retake of the missed items: the new attempt, and how many missed items were left out."""

    left_out = serializers.SerializerMethodField(
        help_text="Missed questions retired since the attempt, so not in the retake."
    )

    class Meta(AttemptDetailSerializer.Meta):
        fields = [*AttemptDetailSerializer.Meta.fields, "left_out"]
        read_only_fields = fields

    def get_left_out(self, obj: Attempt) -> int:
        return int(self.context.get("left_out", 0))


class SubmitSerializer(StrictFieldsMixin, serializers.Serializer):
    by = serializers.ChoiceField(
        choices=[SubmittedBy.STUDENT, SubmittedBy.TIMER],
        default=SubmittedBy.STUDENT,
        help_text=(
            "`timer` when the page's countdown reached zero: recorded as submitted by the timer if "
            "the deadline is within a few seconds (the server's clock decides)."
        ),
    )


class AnswerSerializer(StrictFieldsMixin, serializers.Serializer):
    """One item's new state; `selected` and `flagged` are each optional (absent: unchanged).

    The exam page sends exactly this too: the API is the one way answers are saved.
    """

    position = serializers.IntegerField(min_value=1, max_value=32767)
    seq = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="Client sequence number: a save not newer than the stored one is stale.",
    )
    selected = serializers.ListField(
        # Opaque ids; attempts started before they were opaque use positive integers. Ordering and
        # matching: placements, an option id and a target id (a position or an answer id).
        child=serializers.RegexField(
            r"^([0-9a-f]{16}(@([1-9][0-9]{0,2}|[0-9a-f]{16}))?|[1-9][0-9]{0,18})$",
            max_length=40,
            error_messages={
                "invalid": (
                    "Send option ids as the item lists them, or for ordering and matching items "
                    'placements "<option id>@<target id>".'
                )
            },
        ),
        required=False,
        max_length=100,
        help_text=(
            "Option ids, as the attempt's items list them; ordering and matching items take "
            'placements "<option id>@<target id>" (one per step or prompt; a partial answer is allowed).'
        ),
    )
    flagged = serializers.BooleanField(required=False)
    check = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Practice mode only: make the answer final and get the key, rationales and explanation.",
    )
    spent_ms = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        help_text="Milliseconds spent on the item since this page last saved it; added to the answer's "
        "time on item (at most 10 minutes a save).",
    )


class FeedbackSerializer(serializers.Serializer):
    correct_ids = option_ids(help_text="The key: option ids, or placements for ordering and matching.")
    rationales = serializers.DictField(
        child=serializers.CharField(), help_text="Option id -> rationale (HTML)."
    )
    explanation_html = serializers.CharField()


class SaveResultSerializer(serializers.Serializer):
    saved = serializers.BooleanField(help_text="False when the save was stale and changed nothing.")
    stale = serializers.BooleanField()
    position = serializers.IntegerField()
    seq = serializers.IntegerField(help_text="The sequence number now stored.")
    selected = option_ids()
    flagged = serializers.BooleanField()
    feedback = FeedbackSerializer(
        allow_null=True, help_text="Practice mode, once the answer is checked; otherwise null."
    )


def save_result_data(result: SaveResult) -> dict[str, Any]:
    """Return what a save answers: the stored state of the item (and feedback once checked)."""
    return {
        "saved": not result.stale,
        "stale": result.stale,
        "position": result.position,
        "seq": result.seq,
        "selected": result.selected,
        "flagged": result.flagged,
        "feedback": result.feedback,
    }


class AttemptStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=AttemptState.choices)
    graded = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.ChoiceField(choices=SubmittedBy.choices, allow_blank=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    result_url = serializers.URLField()


def attempt_state(attempt: Attempt, request: Any) -> dict[str, Any]:
    return {
        "id": attempt.pk,
        "state": attempt.state,
        "graded": attempt.state == AttemptState.GRADED,
        "submitted_at": attempt.submitted_at,
        "submitted_by": attempt.submitted_by,
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
    id = serializers.CharField()
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
    case_study = case_study_field()
    options = ReviewOptionSerializer(many=True)
    targets = targets()
    selected = option_ids()
    answered = serializers.BooleanField()
    correct = serializers.BooleanField(help_text="Whether the selection was exactly the key.")
    correct_ids = option_ids(required=False, help_text="Only when the review policy is `full`.")
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
        "case_study": public["case_study"],
        "options": options,
        "selected": selected,
        "answered": bool(selected),
        "correct": set(selected) == item.key,
    }
    if "targets" in public:
        data["targets"] = public["targets"]
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
