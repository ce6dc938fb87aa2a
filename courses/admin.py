"""Admin: the catalog (staff), and courses, modules and lessons authored by their instructors."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .models import (
    CertificationPath,
    Course,
    ExamDomain,
    Lesson,
    Module,
    PathSource,
    PathStatus,
    PublicationStatus,
    Successor,
)
from .roles import Role


class ExamDomainInline(admin.TabularInline):
    model = ExamDomain
    extra = 0
    fields = ["position", "name", "weight_percent", "weight_min_percent", "weight_max_percent"]


class SuccessorInline(admin.TabularInline):
    model = Successor
    fk_name = "path"
    extra = 0
    fields = ["code", "name", "note", "successor_path"]


class PathSourceInline(admin.TabularInline):
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
    ]


# --- Authoring: courses, modules and lessons, each instructor on their own ---------------------------


def owned_by(user: Any, queryset: QuerySet[Any], *, lookup: str = "owners") -> QuerySet[Any]:
    """Return queryset narrowed to what user owns through lookup; all of it for a superuser."""
    if user.is_superuser:
        return queryset
    return queryset.filter(**{lookup: user})


class OwnerScopedAdmin(admin.ModelAdmin):
    """Show and allow an instructor only the objects they own; superusers see everything.

    owner_lookup leads from the model to its owners ("owners", "course__owners", "bank__owners").
    Another instructor's object is answered with 404, like a missing one.
    """

    owner_lookup = "owners"

    def scope(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Narrow queryset to what request.user owns (superusers: unchanged)."""
        return owned_by(request.user, queryset, lookup=self.owner_lookup)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(request, super().get_queryset(request))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not request.user.is_superuser:
            raise Http404(f"No {self.opts.verbose_name} with this id is yours to open.")
        return obj

    def is_owned(self, request: HttpRequest, obj: Any) -> bool:
        """Return whether request.user may touch obj (True for no object yet, and for superusers)."""
        if obj is None or obj.pk is None or request.user.is_superuser:
            return True
        return self.scope(request, self.model._default_manager.filter(pk=obj.pk)).exists()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self.is_owned(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self.is_owned(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self.is_owned(request, obj)


def instructors_and_superusers() -> QuerySet[Any]:
    """Return the users who may own authored content."""
    users = get_user_model().objects.filter(Q(groups__name=Role.INSTRUCTOR) | Q(is_superuser=True))
    return users.distinct().order_by("username")


class OwnedContentForm(forms.ModelForm):
    """Form of content with owners and a path: new content goes on active paths only."""

    # The instructor editing, set per request by OwnedContentAdmin.get_form (None for superusers).
    editor: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "path" in self.fields:
            path_field = cast(forms.ModelChoiceField, self.fields["path"])
            current = Q(pk=self.instance.path_id) if self.instance.path_id else Q(pk__in=[])
            path_field.queryset = CertificationPath.objects.filter(Q(status=PathStatus.ACTIVE) | current)

    def clean_owners(self) -> Any:
        owners = self.cleaned_data["owners"]
        if self.editor is not None and self.instance.pk and self.editor not in owners:
            raise ValidationError(
                "Keep yourself among the owners, or you could no longer open this; "
                "an administrator can hand it over to someone else."
            )
        return owners


class OwnedContentAdmin(OwnerScopedAdmin):
    """Admin of content with owners: the instructor who adds it becomes an owner."""

    form = OwnedContentForm
    filter_horizontal = ["owners"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if request.user.is_superuser:
            return form
        return type(form.__name__, (form,), {"editor": request.user})

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "owners":
            kwargs["queryset"] = instructors_and_superusers()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        instance = form.instance
        # An instructor always owns what they create; a superuser only when nobody else was named.
        if not change and (not request.user.is_superuser or not instance.owners.exists()):
            instance.owners.add(request.user)


class ModuleInline(admin.TabularInline):
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
    list_display = ["title", "path", "status", "module_count", "lesson_count", "study_minutes", "updated_at"]
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

    @admin.action(description="Publish the selected courses", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        count = Course.objects.filter(pk__in=queryset.values("pk")).update(
            status=PublicationStatus.PUBLISHED, updated_at=timezone.now()
        )
        self.message_user(request, f"Published {count} course(s).", messages.SUCCESS)

    @admin.action(description="Move the selected courses back to draft", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        count = Course.objects.filter(pk__in=queryset.values("pk")).update(
            status=PublicationStatus.DRAFT, updated_at=timezone.now()
        )
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
        # body_html was rendered from Markdown and sanitized with nh3 when the lesson was saved.
        return format_html('<div class="lesson-preview">{}</div>', mark_safe(obj.body_html))  # noqa: S308


@admin.register(Module)
class ModuleAdmin(OwnerScopedAdmin):
    owner_lookup = "course__owners"
    list_display = ["title", "course", "position", "lesson_count"]
    list_filter = [("course", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["course"]
    search_fields = ["title", "course__title"]
    fields = ["course", "title", "position"]
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
