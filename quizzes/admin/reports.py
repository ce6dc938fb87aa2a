"""Admin of problem reports: each instructor reads and resolves those on their own banks' questions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin import OwnerScopedAdmin

from ..models import QuestionReport, ReportStatus
from ..selectors.reports import list_reports
from ..services import reports as report_services


class OpenFirstStatusFilter(admin.SimpleListFilter):
    """By status, open ones unless asked otherwise: the list is a to-do list."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [*ReportStatus.choices, ("all", "All")]

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or ReportStatus.OPEN) == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[QuestionReport]) -> QuerySet[QuestionReport]:
        value = self.value() or ReportStatus.OPEN
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(QuestionReport)
class QuestionReportAdmin(OwnerScopedAdmin):
    """Students' reports reach the owners of the question's bank; only the answer and status change."""

    owner_lookup = "question__bank__owners"
    list_display = ["created_at", "question_link", "question_revision", "reason", "reporter", "status"]
    list_filter = [
        OpenFirstStatusFilter,
        "reason",
        ("question__bank", admin.RelatedOnlyFieldListFilter),
        ("question__bank__path", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["question__name", "details", "reporter__username"]
    date_hierarchy = "created_at"
    fields = [
        "question_link",
        "question_revision",
        "reason",
        "details",
        "reporter",
        "attempt_link",
        "created_at",
        "status",
        "response",
        "resolved_at",
        "resolved_by",
    ]
    readonly_fields = [
        "question_link",
        "question_revision",
        "reason",
        "details",
        "reporter",
        "attempt_link",
        "created_at",
        "resolved_at",
        "resolved_by",
    ]
    actions = ["mark_resolved"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[QuestionReport]:
        return list_reports(super().get_queryset(request))

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # The question list links each question's open reports here.
        return lookup == "question__id__exact" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # students report from their pages

    def save_model(self, request: HttpRequest, obj: QuestionReport, form: Any, change: bool) -> None:
        if "status" in form.changed_data:
            obj.set_status(obj.status, by=request.user, now=timezone.now())
        super().save_model(request, obj, form, change)

    @admin.display(description="Question", ordering="question__name")
    def question_link(self, obj: QuestionReport) -> str:
        url = reverse("admin:quizzes_question_change", args=[obj.question_id])
        return format_html(
            '<a href="{}">{}</a> <span class="help">({})</span>', url, obj.question, obj.question.bank
        )

    @admin.display(description="Attempt")
    def attempt_link(self, obj: QuestionReport) -> str:
        if obj.item is None:
            return "-"
        return f"attempt {obj.item.attempt_id}, item {obj.item.position}"

    @admin.action(description="Mark the selected reports resolved", permissions=["change"])
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[QuestionReport]) -> None:
        count = report_services.resolve_reports(reports=queryset, by=request.user, now=timezone.now())
        self.message_user(request, f"Marked {count} report(s) resolved.", messages.SUCCESS)
