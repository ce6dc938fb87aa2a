"""Shapes of progress, readiness and cohort rows (plain objects: PlainSerializer represents them)."""

from __future__ import annotations

from rest_framework import serializers

from core.api.serializers import PlainSerializer

# --- Progress -------------------------------------------------------------------------------------


class StudentRefSerializer(PlainSerializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class CourseProgressSerializer(PlainSerializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    lessons_total = serializers.IntegerField()
    lessons_completed = serializers.IntegerField()
    percent = serializers.FloatField()
    last_completed_at = serializers.DateTimeField(allow_null=True)


class AttemptStatsSerializer(PlainSerializer):
    count = serializers.IntegerField(help_text="Attempts at any exam of the path, in any state.")
    in_progress = serializers.IntegerField()
    graded = serializers.IntegerField()
    best_score_percent = serializers.FloatField(allow_null=True)
    last_score_percent = serializers.FloatField(
        allow_null=True, help_text="Of the most recently finished graded attempt."
    )
    last_started_at = serializers.DateTimeField(allow_null=True)
    last_graded_at = serializers.DateTimeField(allow_null=True)


class DomainMasterySerializer(PlainSerializer):
    domain_id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    weight = serializers.FloatField(allow_null=True, help_text="Blueprint weight (a range's midpoint).")
    score = serializers.FloatField(help_text="Points in this domain over the readiness window.")
    total = serializers.IntegerField(help_text="Items of this domain over the readiness window.")
    mastery_percent = serializers.FloatField(allow_null=True, help_text="Null: no item of it yet.")


class ReadinessSerializer(PlainSerializer):
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


class DomainEstimateSerializer(PlainSerializer):
    domain_id = serializers.IntegerField()
    name = serializers.CharField()
    weight = serializers.FloatField(
        help_text="Blueprint weight as a fraction (equal when none is published)."
    )
    correct = serializers.FloatField(help_text="Points on first exposures in this domain.")
    total = serializers.IntegerField(help_text="First-exposure answers in this domain.")
    mean = serializers.FloatField(help_text="Estimated share right: the Beta(1 + correct, 1 + wrong) mean.")
    low = serializers.FloatField(help_text="10th percentile of that belief.")
    high = serializers.FloatField(help_text="90th percentile of that belief.")
    below_floor = serializers.BooleanField(help_text="The estimate is under the per-domain floor.")


class PassEstimateSerializer(PlainSerializer):
    enough_data = serializers.BooleanField(help_text="False below `needed` first-exposure answers.")
    answers = serializers.IntegerField(help_text="Answers to questions seen for the first time.")
    needed = serializers.IntegerField()
    probability = serializers.FloatField(allow_null=True, help_text="Chance of passing the real exam, 0-1.")
    low = serializers.FloatField(allow_null=True, help_text="Likely lowest chance (80% interval).")
    high = serializers.FloatField(allow_null=True, help_text="Likely highest chance (80% interval).")
    expected_percent = serializers.FloatField(allow_null=True, help_text="Expected percent correct.")
    cut_percent = serializers.FloatField(help_text="Percent correct the real exam's pass mark means.")
    exam_items = serializers.IntegerField(help_text="Items on the real exam.")
    floor_percent = serializers.FloatField(allow_null=True, help_text="Share every domain must reach.")
    domains = DomainEstimateSerializer(many=True)


class TrendPointSerializer(PlainSerializer):
    attempt_id = serializers.IntegerField()
    finished_at = serializers.DateTimeField()
    answers = serializers.IntegerField(help_text="First-exposure answers up to this attempt.")
    probability = serializers.FloatField(allow_null=True, help_text="Null: not enough data yet.")


class PathProgressSerializer(PlainSerializer):
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
    estimate = PassEstimateSerializer(help_text="Chance of passing the real exam, from first exposures only.")
    trend = TrendPointSerializer(many=True, help_text="The estimate after each of the last graded attempts.")


class ProgressSerializer(PlainSerializer):
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


class HistoryAttemptSerializer(PlainSerializer):
    id = serializers.IntegerField(source="attempt_id")
    exam = serializers.CharField(source="exam_title", help_text="The exam's title.")
    finished_at = serializers.DateTimeField(allow_null=True)
    score_percent = serializers.FloatField()
    scaled_score = serializers.IntegerField(allow_null=True, help_text="Null when the path has no scale.")
    passed = serializers.BooleanField(help_text="By the pass percent of the attempt's own exam.")
    submitted_by = serializers.CharField(
        help_text="`student`, `timer` or `sweeper` (the server, at the deadline)."
    )


class PathHistorySerializer(PlainSerializer):
    path = serializers.CharField(source="code", help_text="Exam code.")
    name = serializers.CharField()
    pass_percent = serializers.IntegerField(help_text="The real exam's pass mark as percent correct.")
    attempts = HistoryAttemptSerializer(many=True, help_text="Graded attempts, oldest first.")


class HistorySerializer(PlainSerializer):
    student = StudentRefSerializer()
    paths = PathHistorySerializer(many=True)


class HistoryQuerySerializer(serializers.Serializer):
    student = serializers.CharField(
        required=False,
        max_length=150,
        help_text="Instructors and staff: a student's id or username (as for /progress/).",
    )
    path = serializers.CharField(required=False, max_length=40, help_text="Exam code: one path only.")


class CohortRowSerializer(PlainSerializer):
    student = StudentRefSerializer()
    enrolled_at = serializers.DateTimeField()
    changed_at = serializers.DateTimeField()
    lessons = CourseProgressSerializer(help_text="Lessons of this course.")
    attempts = AttemptStatsSerializer(help_text="Attempts at the exams of the course's path.")
    domains = DomainMasterySerializer(many=True)
    readiness = ReadinessSerializer()
