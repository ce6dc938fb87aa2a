"""Admin of tags, exams and attempts (attempts are records: read, never edited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from core.admin import LabelledTabularInline, OwnerScopedAdmin
from courses.models import ExamDomain

from ..models import (
    Attempt,
    DomainResult,
    Exam,
    GradeChange,
    Tag,
)
from ..services import regrading

# --- Tags, exams and attempts ------------------------------------------------------------------------


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "question_count"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="Questions", ordering="question_count")
    def question_count(self, obj: Tag) -> int:
        return getattr(obj, "question_count", 0)


@admin.register(Exam)
class ExamAdmin(OwnerScopedAdmin):
    """Exams are set up by staff; instructors may view the shared ones and their own (visible_to).

    A student's practice set is theirs: another user's answers 404 here, as in the API.
    """

    list_display = ["title", "path", "kind", "mode", "item_count", "minutes", "pass_percent", "is_published"]
    list_filter = [("path", admin.RelatedOnlyFieldListFilter), "kind", "mode", "is_published"]
    list_select_related = ["path"]
    search_fields = ["title", "path__code"]
    filter_horizontal = ["domains"]

    def scope(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.visible_to(request.user)  # type: ignore[attr-defined]  # an ExamQuerySet

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "domains":
            kwargs["queryset"] = ExamDomain.objects.select_related("path")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ReadOnlyInline(LabelledTabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or []

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DomainResultInline(ReadOnlyInline):
    model = DomainResult
    fields = ["domain", "score", "total"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DomainResult]:
        return super().get_queryset(request).select_related("domain__path")


class GradeChangeInline(ReadOnlyInline):
    model = GradeChange
    fields = ["changed_at", "changed_by", "old_score_percent", "new_score_percent", "reason"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[GradeChange]:
        return super().get_queryset(request).select_related("changed_by")


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    """Attempts are records: everyone reads them, nobody edits them here (regrades go through services)."""

    list_display = ["id", "exam", "student", "state", "started_at", "submitted_at", "score_percent", "passed"]
    list_filter = ["state", ("exam__path", admin.RelatedOnlyFieldListFilter), "passed", "submitted_by"]
    list_select_related = ["exam", "student"]
    search_fields = ["student__username"]
    date_hierarchy = "started_at"
    inlines = [DomainResultInline, GradeChangeInline]
    actions = ["requeue_grading"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_requeue_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff and request.user.is_superuser)

    @admin.action(
        description="Queue grading again (submitted or needs-attention attempts)", permissions=["requeue"]
    )
    def requeue_grading(self, request: HttpRequest, queryset: QuerySet[Attempt]) -> None:
        count = regrading.requeue_grading(attempts=queryset)
        self.message_user(request, f"Queued grading for {count} attempt(s).", messages.SUCCESS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
