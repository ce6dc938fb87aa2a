"""Admin of question banks and questions, each instructor on their own."""

from __future__ import annotations

from functools import partial
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from core.admin import (
    LabelledInlineFormSet,
    LabelledTabularInline,
    OwnedContentAdmin,
    OwnerScopedAdmin,
    owned_by,
)
from courses.admin import PathContentForm
from courses.models import ExamDomain

from ..admin_import import import_job_status, import_job_view, import_questions_view
from ..models import (
    CaseStudy,
    Choice,
    Question,
    QuestionBank,
    QuestionStatus,
    QuestionType,
)
from ..models.banks import makes_new_revision, validate_options
from ..selectors.item_stats import filter_by_analysis, with_current_stats
from ..selectors.reports import with_open_report_counts, with_open_reports_only
from ..services import questions as question_services
from ..services import regrading

# --- Question banks ----------------------------------------------------------------------------------


@admin.register(QuestionBank)
class QuestionBankAdmin(OwnedContentAdmin):
    form = PathContentForm
    list_display = ["name", "path", "draft_count", "active_count", "retired_count", "questions_link"]
    list_filter = [("path", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["path"]
    search_fields = ["name", "slug", "path__code"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["path", "name", "slug", "owners"]

    def get_urls(self) -> list[URLPattern]:
        import_view = self.admin_site.admin_view(partial(import_questions_view, model_admin=self))
        job_view = self.admin_site.admin_view(partial(import_job_view, model_admin=self))
        status_view = self.admin_site.admin_view(import_job_status)
        # Before the defaults: their "<object_id>/" pattern would swallow "import/".
        return [
            path("import/", import_view, name="quizzes_questionbank_import"),
            path("import/<int:pk>/", job_view, name="quizzes_questionbank_import_job"),
            path("import/<int:pk>/status.json", status_view, name="quizzes_questionbank_import_job_status"),
            *super().get_urls(),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[QuestionBank]:
        def count(status: str) -> Count:
            return Count("questions", filter=Q(questions__status=status))

        return (
            super()
            .get_queryset(request)
            .annotate(
                draft_count=count(QuestionStatus.DRAFT),
                active_count=count(QuestionStatus.ACTIVE),
                retired_count=count(QuestionStatus.RETIRED),
                question_count=Count("questions"),
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Questions are tagged with the path's domains: a bank with questions keeps its path.
        if obj is not None and obj.questions.exists():
            return ["path"]
        return []

    @admin.display(description="Draft", ordering="draft_count")
    def draft_count(self, obj: QuestionBank) -> int:
        return getattr(obj, "draft_count", 0)

    @admin.display(description="Active", ordering="active_count")
    def active_count(self, obj: QuestionBank) -> int:
        return getattr(obj, "active_count", 0)

    @admin.display(description="Retired", ordering="retired_count")
    def retired_count(self, obj: QuestionBank) -> int:
        return getattr(obj, "retired_count", 0)

    @admin.display(description="Questions", ordering="question_count")
    def questions_link(self, obj: QuestionBank) -> str:
        url = reverse("admin:quizzes_question_changelist")
        return format_html(
            '<a href="{}?bank__id__exact={}">{}</a>', url, obj.pk, getattr(obj, "question_count", 0)
        )


# --- Questions ---------------------------------------------------------------------------------------


class ChoiceInlineFormSet(LabelledInlineFormSet):
    """Options of one question: they must suit its type (see validate_options)."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        question = self.instance  # already carries the type and "choose" posted with it
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if question.qtype == QuestionType.ORDERING:  # the steps' positions are the key
            kept.sort(key=lambda form: form.cleaned_data.get("position") or 0)
        options = [(form.cleaned_data["text"], form.cleaned_data["is_correct"]) for form in kept]
        matches = [form.cleaned_data.get("match", "") for form in kept]
        validate_options(question.qtype, question.choose, options, matches=matches)


class ChoiceInline(LabelledTabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    # Ordering: the positions are the right order. Matching: "text" is a prompt and "match" its
    # answer; a match with no text is a distractor.
    fields = ["position", "text", "match", "is_correct", "rationale"]
    ordering = ["position", "id"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return 4 if obj is None else 1


class QuestionForm(forms.ModelForm):
    """Question form: once the bank is known, only the domains of its path are offered."""

    class Meta:
        model = Question
        fields = [
            "bank", "name", "domain", "qtype", "choose", "difficulty", "status", "tags",
            "case_study", "stem", "explanation", "source_url",
        ]  # fmt: skip
        widgets = {
            "stem": forms.Textarea(attrs={"rows": 8, "cols": 80}),
            "explanation": forms.Textarea(attrs={"rows": 5, "cols": 80}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bank = self._known_bank()
        if bank is not None and "domain" in self.fields:
            domain_field = cast(forms.ModelChoiceField, self.fields["domain"])
            domain_field.queryset = ExamDomain.objects.filter(path_id=bank.path_id).select_related("path")
        if bank is not None and "case_study" in self.fields:
            case_field = cast(forms.ModelChoiceField, self.fields["case_study"])
            case_field.queryset = CaseStudy.objects.filter(bank=bank)

    def _known_bank(self) -> QuestionBank | None:
        if "bank" not in self.fields:
            return self.instance.bank if self.instance.bank_id else None
        raw = self.data.get(self.add_prefix("bank")) if self.is_bound else self.initial.get("bank")
        try:
            return cast(forms.ModelChoiceField, self.fields["bank"]).to_python(raw)
        except ValidationError:
            return None  # the bank field reports it


class MoveToDomainForm(forms.Form):
    domain = forms.ModelChoiceField(queryset=ExamDomain.objects.none(), label="Move to the domain")

    def __init__(self, *args: Any, path_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        domain_field = cast(forms.ModelChoiceField, self.fields["domain"])
        domain_field.queryset = ExamDomain.objects.filter(path_id=path_id).select_related("path")


class ItemAnalysisFilter(admin.SimpleListFilter):
    """Questions by what item analysis says of their current revision."""

    title = "item analysis"
    parameter_name = "analysis"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("dubious", "Dubious"), ("sound", "Sound"), ("none", "No data yet")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Question]) -> QuerySet[Question]:
        return filter_by_analysis(queryset, self.value() or "")


class OpenReportsFilter(admin.SimpleListFilter):
    """Questions students have reported a problem with that nobody has resolved yet."""

    title = "problem reports"
    parameter_name = "reports"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "With open reports")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Question]) -> QuerySet[Question]:
        return with_open_reports_only(queryset) if self.value() == "open" else queryset


class DomainListFilter(admin.RelatedOnlyFieldListFilter):
    """Domains used by the listed questions, labelled with their path in one query."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        used = model_admin.get_queryset(request).order_by().values("domain_id")
        domains = ExamDomain.objects.filter(pk__in=used).select_related("path")
        return [(str(domain.pk), str(domain)) for domain in domains]


@admin.register(Question)
class QuestionAdmin(OwnerScopedAdmin):
    owner_lookup = "bank__owners"
    form = QuestionForm
    inlines = [ChoiceInline]
    list_display = [
        "name",
        "bank",
        "domain",
        "qtype",
        "difficulty",
        "status",
        "revision",
        "responses",
        "p_value",
        "discrimination",
        "median_time",
        "analysis",
        "open_reports",
        "preview_link",
    ]
    list_filter = [
        ItemAnalysisFilter,
        OpenReportsFilter,
        ("bank__path", admin.RelatedOnlyFieldListFilter),
        ("bank", admin.RelatedOnlyFieldListFilter),
        ("domain", DomainListFilter),
        "qtype",
        "status",
        "difficulty",
        ("tags", admin.RelatedOnlyFieldListFilter),
        ("case_study", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["bank", "domain__path"]
    search_fields = ["name", "stem"]
    autocomplete_fields = ["tags"]
    readonly_fields = ["revision"]
    fieldsets = [
        (None, {"fields": ["bank", "name", "domain", ("qtype", "choose"), ("difficulty", "status"), "tags"]}),
        ("Content (Markdown)", {"fields": ["case_study", "stem", "explanation", "source_url"]}),
        ("History", {"fields": ["revision"]}),
    ]
    actions = ["activate", "retire", "move_to_domain", "regrade_attempts"]

    def get_urls(self) -> list[URLPattern]:
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<path:object_id>/preview/", preview, name="quizzes_question_preview"),
            *super().get_urls(),
        ]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "bank":
            kwargs["queryset"] = owned_by(request.user, QuestionBank.objects.select_related("path"))
        elif db_field.name == "domain":
            domains = ExamDomain.objects.select_related("path")
            if not request.user.is_superuser:
                domains = domains.filter(path__banks__owners=request.user.pk).distinct()
            kwargs["queryset"] = domains
        elif db_field.name == "case_study":
            # QuestionForm narrows these to the question's bank once it is known.
            kwargs["queryset"] = owned_by(request.user, CaseStudy.objects.all(), lookup="bank__owners")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        question = form.instance
        choice_sets = [fs for fs in formsets if isinstance(fs, ChoiceInlineFormSet)]
        if change and makes_new_revision(
            question_fields=form.changed_data,
            choice_fields=[fields for fs in choice_sets for _, fields in fs.changed_objects],
            choices_added_or_removed=any(fs.new_objects or fs.deleted_objects for fs in choice_sets),
            order_matters=question.qtype == QuestionType.ORDERING,
        ):
            question_services.record_new_revision(question=question)
        Question.objects.filter(pk=question.pk).render()  # what the next attempts will freeze

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        return with_open_report_counts(with_current_stats(super().get_queryset(request)))

    @admin.display(description="Open reports", ordering="open_reports")
    def open_reports(self, obj: Question) -> str:
        count = getattr(obj, "open_reports", 0)
        if not count:
            return "0"
        url = reverse("admin:quizzes_questionreport_changelist")
        return format_html('<a href="{}?question__id__exact={}">{}</a>', url, obj.pk, count)

    @admin.display(description="Responses", ordering="stats_responses")
    def responses(self, obj: Question) -> int | None:
        return getattr(obj, "stats_responses", None)

    @admin.display(description="p", ordering="stats_difficulty")
    def p_value(self, obj: Question) -> str:
        value = getattr(obj, "stats_difficulty", None)
        return "-" if value is None else f"{value:.2f}"

    @admin.display(description="Discrimination", ordering="stats_discrimination")
    def discrimination(self, obj: Question) -> str:
        value = getattr(obj, "stats_discrimination", None)
        return "-" if value is None else f"{value:+.2f}"

    @admin.display(description="Median time", ordering="stats_median_time_ms")
    def median_time(self, obj: Question) -> str:
        value = getattr(obj, "stats_median_time_ms", None)
        return "-" if value is None else f"{value / 1000:.0f} s"

    @admin.display(description="Item analysis")
    def analysis(self, obj: Question) -> str:
        if getattr(obj, "stats_responses", None) is None:
            return "-"
        return getattr(obj, "stats_dubious_reason", "") or "sound"

    @admin.display(description="Preview")
    def preview_link(self, obj: Question) -> str:
        url = reverse("admin:quizzes_question_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview</a>', url)

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Show the question as a student sees it; ?key=1 adds the key, rationales and explanation."""
        question = self.get_object(request, unquote(object_id))
        if question is None:
            raise Http404("No such question.")
        if not self.has_view_permission(request, question):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Preview: {question.name}",
            "original": question,
            "question": question,
            "options": [
                {**option, "id": option["choice_id"]}
                for option in question.render(list(question.choices.all()))["options"]
            ],
            "case_study": question.case_study.render() if question.case_study else None,
            "show_key": request.GET.get("key") == "1",
            "has_change_permission": self.has_change_permission(request, question),
        }
        return TemplateResponse(request, "admin/quizzes/question/preview.html", context)

    @admin.action(description="Activate the selected questions", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        count, broken = question_services.activate_questions(questions=queryset)
        self.message_user(request, f"Activated {count} question(s).", messages.SUCCESS)
        if broken:
            self.message_user(
                request, "Not activated, fix them first: " + "; ".join(broken), messages.WARNING
            )

    @admin.action(
        description="Regrade every attempt that saw the selected questions (after correcting a key)",
        permissions=["change"],
    )
    def regrade_attempts(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        count = regrading.queue_regrades(questions=queryset, by=request.user)
        self.message_user(
            request,
            f"Queued a regrade for {count} question(s); changed grades appear on each attempt.",
            messages.SUCCESS,
        )

    @admin.action(description="Retire the selected questions", permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        count = question_services.retire_questions(questions=queryset)
        self.message_user(request, f"Retired {count} question(s).", messages.SUCCESS)

    @admin.action(description="Move the selected questions to another domain", permissions=["change"])
    def move_to_domain(self, request: HttpRequest, queryset: QuerySet[Question]) -> HttpResponse | None:
        path_ids = set(queryset.order_by().values_list("bank__path_id", flat=True).distinct())
        if len(path_ids) != 1:
            self.message_user(
                request,
                "The selected questions belong to different certification paths; "
                "move the questions of one path at a time.",
                messages.ERROR,
            )
            return None
        path_id = path_ids.pop()
        form = MoveToDomainForm(request.POST if "apply" in request.POST else None, path_id=path_id)
        if form.is_valid():
            domain = form.cleaned_data["domain"]
            count = question_services.move_questions_to_domain(questions=queryset, domain=domain)
            self.message_user(request, f"Moved {count} question(s) to {domain}.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Move questions to another domain",
            "questions": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/quizzes/question/move_to_domain.html", context)


# --- Case studies ------------------------------------------------------------------------------------


@admin.register(CaseStudy)
class CaseStudyAdmin(OwnerScopedAdmin):
    """Scenarios shared by several questions of a bank; editing one revises its questions."""

    owner_lookup = "bank__owners"
    list_display = ["title", "name", "bank", "questions_link"]
    list_filter = [("bank", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["bank"]
    search_fields = ["name", "title", "scenario"]
    fields = ["bank", "name", "title", "scenario", "question_list"]
    readonly_fields = ["question_list"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 14, "cols": 80})}}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Its questions belong to its bank: a case study keeps the bank it was made in.
        return ["bank", "question_list"] if obj is not None else ["question_list"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseStudy]:
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "bank":
            kwargs["queryset"] = owned_by(request.user, QuestionBank.objects.select_related("path"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: CaseStudy, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and set(form.changed_data) & set(CaseStudy.REVISION_FIELDS):
            count = question_services.record_case_study_revision(case_study=obj)
            self.message_user(
                request,
                f"{count} question(s) of this case study got a new revision: new attempts show the "
                "new text, attempts already started keep the one they showed.",
                messages.INFO,
            )

    @admin.display(description="Questions", ordering="question_count")
    def questions_link(self, obj: CaseStudy) -> str:
        url = reverse("admin:quizzes_question_changelist")
        return format_html(
            '<a href="{}?case_study__id__exact={}">{}</a>', url, obj.pk, getattr(obj, "question_count", 0)
        )

    @admin.display(description="Its questions")
    def question_list(self, obj: CaseStudy) -> str:
        if obj.pk is None:
            return "None yet: pick this case study on a question of its bank."
        questions = list(obj.questions.select_related("domain").order_by("name"))
        if not questions:
            return "None yet: pick this case study on a question of its bank."
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> <span class="help">({}, {})</span></li>',
            (
                (
                    reverse("admin:quizzes_question_change", args=[q.pk]),
                    q.name,
                    q.domain.name,
                    q.get_status_display(),
                )
                for q in questions
            ),
        )
        return format_html("<ul>{}</ul>", rows)
