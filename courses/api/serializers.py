from rest_framework import serializers

from core.api.fields import StrictFieldsMixin

from ..models import (
    CertificationPath,
    Course,
    Enrollment,
    ExamDomain,
    Lesson,
    LessonProgress,
    Module,
    PathSource,
    Successor,
)


class ExamDomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExamDomain
        fields = ["name", "position", "weight_percent", "weight_min_percent", "weight_max_percent"]


class SuccessorSerializer(serializers.ModelSerializer):
    in_catalog = serializers.SerializerMethodField()

    class Meta:
        model = Successor
        fields = ["code", "name", "note", "in_catalog"]

    def get_in_catalog(self, obj: Successor) -> bool:
        return obj.successor_path_id is not None


class PathSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = PathSource
        fields = ["url", "kind", "note"]


class CertificationPathListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-path-detail", lookup_field="code")
    provider_label = serializers.CharField(source="get_provider_display", read_only=True)
    domains = ExamDomainSerializer(many=True, read_only=True)
    successors = SuccessorSerializer(many=True, read_only=True)

    class Meta:
        model = CertificationPath
        fields = [
            "url",
            "code",
            "provider",
            "provider_label",
            "vendor",
            "name",
            "exam_title",
            "version",
            "level",
            "item_count",
            "item_count_min",
            "item_count_max",
            "scored_item_count",
            "minutes",
            "pass_mark",
            "score_scale",
            "score_min",
            "score_max",
            "score_note",
            "formats",
            "status",
            "retired_on",
            "status_note",
            "domains",
            "successors",
        ]


class CertificationPathDetailSerializer(CertificationPathListSerializer):
    sources = PathSourceSerializer(many=True, read_only=True)

    class Meta(CertificationPathListSerializer.Meta):
        fields = [*CertificationPathListSerializer.Meta.fields, "sources", "caveats"]


# --- Courses and lessons --------------------------------------------------------------------------


class LessonSummarySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-lesson-detail")
    completed = serializers.SerializerMethodField(help_text="Whether the caller has completed it.")

    class Meta:
        model = Lesson
        fields = ["id", "url", "title", "slug", "position", "minutes", "completed"]

    def get_completed(self, obj: Lesson) -> bool:
        return obj.pk in self.context.get("completed_ids", ())


class ModuleSerializer(serializers.ModelSerializer):
    lessons = LessonSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["title", "position", "lessons"]


class CourseListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-course-detail", lookup_field="slug")
    path = serializers.CharField(source="path.code", read_only=True, help_text="The path's exam code.")
    lesson_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Course
        fields = ["url", "slug", "title", "summary", "path", "status", "lesson_count", "updated_at"]


class CourseDetailSerializer(CourseListSerializer):
    modules = ModuleSerializer(many=True, read_only=True)

    class Meta(CourseListSerializer.Meta):
        fields = [*CourseListSerializer.Meta.fields, "modules"]


class LessonDetailSerializer(LessonSummarySerializer):
    course = serializers.CharField(source="module.course.slug", read_only=True)
    module = serializers.CharField(source="module.title", read_only=True)

    class Meta(LessonSummarySerializer.Meta):
        fields = [*LessonSummarySerializer.Meta.fields, "course", "module", "body_html"]


class LessonCompletionSerializer(serializers.ModelSerializer):
    lesson = serializers.IntegerField(source="lesson_id", read_only=True)

    class Meta:
        model = LessonProgress
        fields = ["lesson", "completed_at"]


# --- Enrollments ----------------------------------------------------------------------------------


class EnrollmentSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-enrollment-detail")
    path = serializers.CharField(source="path.code", read_only=True, help_text="The path's exam code.")
    path_name = serializers.CharField(source="path.name", read_only=True)

    class Meta:
        model = Enrollment
        fields = ["id", "url", "path", "path_name", "created_at"]


class EnrollmentCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """Enroll the caller: only the path's exam code is writable."""

    path = serializers.CharField(max_length=40, help_text="Exam code of the path, any letter case.")

    def validate_path(self, value: str) -> CertificationPath:
        path = CertificationPath.objects.filter(code__iexact=value).first()
        if path is None:
            raise serializers.ValidationError(f"No certification path has the code {value!r}.")
        return path


# --- Tokens ---------------------------------------------------------------------------------------


class TokenCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, write_only=True, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True,
        help_text="Send it as `Authorization: Token <token>`. Shown once: only a hash is kept.",
    )
    expiry = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the token stops working (ISO 8601, UTC)."
    )
