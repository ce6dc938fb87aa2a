"""Admin: the catalog (staff), and courses, modules and lessons authored by their instructors."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.admin import (
    LabelledTabularInline,
    OwnedContentAdmin,
    OwnedContentForm,
    OwnerScopedAdmin,
    instructors,
    owned_by,
)

from . import services
from .models import (
    CertificationPath,
    Course,
    ExamDomain,
    Lesson,
    Module,
    PathSource,
    PublicationStatus,
    Successor,
)


class ExamDomainInline(LabelledTabularInline):
    model = ExamDomain
    extra = 0
    fields = ["position", "name", "weight_percent", "weight_min_percent", "weight_max_percent"]


class SuccessorInline(LabelledTabularInline):
    model = Successor
    fk_name = "path"
    extra = 0
    fields = ["code", "name", "note", "successor_path"]


class PathSourceInline(LabelledTabularInline):
    model = PathSource
    extra = 0


@admin.register(CertificationPath)
class CertificationPathAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "provider", "level", "item_count", "minutes", "pass_mark", "status"]
    list_filter = ["provider", "status", "level"]
    search_fields = ["code", "name", "vendor", "exam_title"]
    inlines = [ExamDomainInline, SuccessorInline, PathSourceInline]
    fieldsets = [
        (None, {"fields": ["code", "provider", "vendor", "name", "exam_title", "version", "level"]}),
        (
            "Exam",
            {
                "fields": [
                    ("item_count", "item_count_min", "item_count_max", "scored_item_count"),
                    "minutes",
                    ("pass_mark", "score_scale", "score_min", "score_max"),
                    "score_note",
                    "formats",
                ]
            },
        ),
        ("Status", {"fields": ["status", "retired_on", "status_note", "caveats"]}),
        (
            "Instructors",
            {
                "fields": ["instructors"],
                "description": "Instructors in charge of the path see the progress of all its students; "
                "other instructors see only the students who studied their own courses.",
            },
        ),
    ]
    filter_horizontal = ["instructors"]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "instructors":
            kwargs["queryset"] = instructors()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- Authoring: courses, modules and lessons, each instructor on their own ---------------------------


class PathContentForm(OwnedContentForm):
    """Form of owned content on a path: new content goes only on paths that take new work."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "path" in self.fields:
            path_field = cast(forms.ModelChoiceField, self.fields["path"])
            current = Q(pk=self.instance.path_id) if self.instance.path_id else Q(pk__in=[])
            path_field.queryset = (
                CertificationPath.objects.taking_new_work() | CertificationPath.objects.filter(current)
            )


class ModuleInline(LabelledTabularInline):
    model = Module
    extra = 0
    fields = ["position", "title", "lesson_count"]
    readonly_fields = ["lesson_count"]
    show_change_link = True
    verbose_name_plural = "Modules (open one to edit its lessons)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Module]:
        return super().get_queryset(request).annotate(lesson_count=Count("lessons"))

    @admin.display(description="Lessons")
    def lesson_count(self, obj: Module) -> int:
        return getattr(obj, "lesson_count", 0)


@admin.register(Course)
class CourseAdmin(OwnedContentAdmin):
    form = PathContentForm
    list_display = [
        "title",
        "path",
        "status",
        "module_count",
        "lesson_count",
        "study_minutes",
        "updated_at",
        "cohort_csv",
    ]
    list_filter = ["status", ("path", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["path"]
    search_fields = ["title", "slug", "path__code"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["path", "title", "slug", "summary", "status", "owners"]
    inlines = [ModuleInline]
    actions = ["publish", "unpublish"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Course]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                module_count=Count("modules", distinct=True),
                lesson_count=Count("modules__lessons", distinct=True),
                study_minutes=Sum("modules__lessons__minutes"),
            )
        )

    @admin.display(description="Modules", ordering="module_count")
    def module_count(self, obj: Course) -> int:
        return getattr(obj, "module_count", 0)

    @admin.display(description="Lessons", ordering="lesson_count")
    def lesson_count(self, obj: Course) -> int:
        return getattr(obj, "lesson_count", 0)

    @admin.display(description="Study minutes", ordering="study_minutes")
    def study_minutes(self, obj: Course) -> int:
        return getattr(obj, "study_minutes", None) or 0

    @admin.display(description="Students")
    def cohort_csv(self, obj: Course) -> str:
        """A link to the course's cohort as a spreadsheet: its students' progress (the API's CSV)."""
        url = reverse("api-course-cohort-csv", kwargs={"slug": obj.slug})
        return format_html('<a href="{}" aria-label="Cohort (CSV) of {}">Cohort (CSV)</a>', url, obj.title)

    @admin.action(description="Publish the selected courses", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        count = services.set_publication_status(courses=queryset, status=PublicationStatus.PUBLISHED)
        self.message_user(request, f"Published {count} course(s).", messages.SUCCESS)

    @admin.action(description="Move the selected courses back to draft", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        count = services.set_publication_status(courses=queryset, status=PublicationStatus.DRAFT)
        self.message_user(request, f"Moved {count} course(s) back to draft.", messages.SUCCESS)


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0
    fields = [("position", "title", "slug", "minutes"), "body_markdown", "body_preview"]
    readonly_fields = ["body_preview"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["position", "id"]

    @admin.display(description="Preview (as last saved)")
    def body_preview(self, obj: Lesson) -> str:
        if not obj.pk:
            return "Saved lessons show their rendered body here."
        # body_html was rendered from Markdown and sanitized with nh3 when the lesson was saved
        # (core.markdown): it is safe HTML, hence the mark_safe (bandit B308/B703 reviewed).
        body = mark_safe(obj.body_html)  # noqa: S308  # nosec B308 B703
        return format_html('<div class="lesson-preview">{}</div>', body)


@admin.register(Module)
class ModuleAdmin(OwnerScopedAdmin):
    owner_lookup = "course__owners"
    list_display = ["title", "course", "position", "lesson_count"]
    list_filter = [("course", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["course"]
    search_fields = ["title", "course__title"]
    fields = ["course", "title", "position", "domains"]
    ordering = ["course", "position", "id"]
    inlines = [LessonInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Module]:
        return super().get_queryset(request).annotate(lesson_count=Count("lessons"))

    @admin.display(description="Lessons", ordering="lesson_count")
    def lesson_count(self, obj: Module) -> int:
        return getattr(obj, "lesson_count", 0)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "course":
            kwargs["queryset"] = owned_by(request.user, Course.objects.select_related("path"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "domains":
            kwargs["queryset"] = ExamDomain.objects.select_related("path").order_by("path__code", "position")
            # A labelled checkbox list: the two-box filter widget fails axe (ARIA on its icons).
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)
