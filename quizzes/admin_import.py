"""The admin pages that import a question file into a bank (wired in QuestionBankAdmin.get_urls).

A small file is imported in the request; a large one (IMPORT_INLINE_MAX_BYTES, or more than
IMPORT_INLINE_MAX_ITEMS questions) is stored as a QuestionImport and imported by a Celery task,
whose page shows its progress and then its report; above IMPORT_MAX_BYTES it is refused.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods

from core.admin import owned_by

from . import importing, tasks
from .exceptions import DomainMapInvalid, ImportRejected, UnknownDomain
from .importers.report import ImportReport, detect_format
from .importing import import_questions, load_domain_map
from .models import QuestionBank, QuestionImport

FORMAT_CHOICES = [
    ("auto", "Detect from the file"),
    ("gift", "GIFT"),
    ("moodle-xml", "Moodle XML"),
    ("csv", "CSV (see docs/importing.md)"),
]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def _text(upload: UploadedFile) -> str:
    limit = settings.IMPORT_MAX_BYTES
    if upload.size and upload.size > limit:
        raise forms.ValidationError(
            f"The file is {_megabytes(upload.size)}; the largest file this site imports is "
            f"{_megabytes(limit)}. Split it into smaller files (each is imported on its own)."
        )
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise forms.ValidationError(f"The file is not UTF-8 text (byte {error.start}).") from error


class ImportQuestionsForm(forms.Form):
    file = forms.FileField(
        label="Question file", help_text="GIFT (.gift, .txt), Moodle XML (.xml) or our CSV (.csv), UTF-8."
    )
    bank = forms.ModelChoiceField(queryset=QuestionBank.objects.none(), label="Into the bank")
    fmt = forms.ChoiceField(label="Format", choices=FORMAT_CHOICES, initial="auto")
    domain_map = forms.FileField(
        label="Domain map",
        required=False,
        help_text="Optional JSON or YAML file mapping category names (or paths) to exam domain names.",
    )
    default_domain = forms.CharField(
        label="Domain for uncategorised questions",
        required=False,
        max_length=200,
        help_text="Optional: the exam domain (its name) for questions that have no category.",
    )
    dry_run = forms.BooleanField(label="Dry run: check and report, write nothing", required=False)
    skip_invalid = forms.BooleanField(
        label="Skip invalid questions: import the valid ones and list the others", required=False
    )

    def __init__(self, *args: Any, banks: QuerySet[QuestionBank], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bank"]
        field.queryset = banks  # type: ignore[attr-defined]
        field.label_from_instance = lambda bank: f"{bank.name} ({bank.path.code})"  # type: ignore[attr-defined]

    def clean_file(self) -> tuple[str, str, int]:
        upload = self.cleaned_data["file"]
        return upload.name or "", _text(upload), upload.size or 0

    def clean_domain_map(self) -> dict[str, str] | None:
        upload = self.cleaned_data.get("domain_map")
        if not upload:
            return None
        try:
            return load_domain_map(_text(upload), upload.name or "")
        except DomainMapInvalid as error:
            raise forms.ValidationError(str(error)) from error


def banks_for(user: Any) -> QuerySet[QuestionBank]:
    """Return the banks user may import into: all for a superuser, else the ones they own."""
    return owned_by(user, QuestionBank.objects.select_related("path")).order_by("path__code", "name")


@require_http_methods(["GET", "POST"])
def import_questions_view(request: HttpRequest, *, model_admin: Any) -> HttpResponse:
    """Show the upload form; on POST import the file and show the report (rejections with lines)."""
    banks = banks_for(request.user)
    form = ImportQuestionsForm(request.POST or None, request.FILES or None, banks=banks)
    report: ImportReport | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        filename, text, size = data["file"]
        fmt = detect_format(filename, text) if data["fmt"] == "auto" else data["fmt"]
        if importing.runs_in_background(size=size, text=text, fmt=fmt):
            return _queue(request, form, filename=filename, text=text, fmt=fmt, model_admin=model_admin)
        try:
            report = import_questions(
                bank=data["bank"],
                text=text,
                fmt=fmt,
                domain_map=data["domain_map"],
                default_domain=data["default_domain"] or None,
                dry_run=data["dry_run"],
                skip_invalid=data["skip_invalid"],
            )
        except ImportRejected as error:
            report = error.report
            messages.error(
                request,
                f"Nothing was imported: {len(report.rejected)} item(s) of {filename} were rejected. "
                "Correct them, or tick “Skip invalid questions”.",
            )
        except DomainMapInvalid as error:
            form.add_error("domain_map", str(error))
        except UnknownDomain as error:
            form.add_error("default_domain", str(error))
        else:
            done = "Checked" if report.dry_run else "Imported"
            messages.success(request, f"{done} {filename} ({fmt}) into {data['bank']}: {report}.")
    return _form_page(request, form, report, model_admin=model_admin)


def _form_page(
    request: HttpRequest, form: ImportQuestionsForm, report: ImportReport | None, *, model_admin: Any
) -> HttpResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": QuestionBank._meta,
        "title": "Import questions",
        "form": form,
        "report": report,
        "has_banks": form.fields["bank"].queryset.exists(),  # type: ignore[attr-defined]
        "recent_jobs": jobs_for(request.user).select_related("bank")[:10],
        "inline_max": _megabytes(settings.IMPORT_INLINE_MAX_BYTES),
        "inline_items": settings.IMPORT_INLINE_MAX_ITEMS,
        "hard_max": _megabytes(settings.IMPORT_MAX_BYTES),
    }
    return TemplateResponse(request, "admin/quizzes/import_questions.html", context)


def _queue(
    request: HttpRequest, form: ImportQuestionsForm, *, filename: str, text: str, fmt: str, model_admin: Any
) -> HttpResponse:
    """Store the upload as a background import, queue it after commit, and open its progress page."""
    data = form.cleaned_data
    try:
        importing.check_domain_map(
            bank=data["bank"], domain_map=data["domain_map"], default_domain=data["default_domain"] or None
        )
    except DomainMapInvalid as error:
        form.add_error("domain_map", str(error))
        return _form_page(request, form, None, model_admin=model_admin)
    except UnknownDomain as error:
        form.add_error("default_domain", str(error))
        return _form_page(request, form, None, model_admin=model_admin)
    job = importing.create_import_job(
        bank=data["bank"],
        requested_by=request.user,
        filename=filename,
        text=text,
        fmt=fmt,
        domain_map=data["domain_map"],
        default_domain=data["default_domain"] or None,
        dry_run=data["dry_run"],
        skip_invalid=data["skip_invalid"],
    )
    tasks.queue_import_on_commit(job.pk)
    messages.info(request, f"{filename} is large: it is being imported in the background.")
    return redirect(job.get_absolute_url())


def jobs_for(user: Any) -> QuerySet[QuestionImport]:
    """Return the background imports user may follow: into banks they own, or started by them."""
    jobs = QuestionImport.objects.defer("text")
    if user.is_superuser:
        return jobs
    owned = QuestionBank.objects.filter(owners=user).values("pk")
    return jobs.filter(Q(bank__in=owned) | Q(requested_by=user))


def _status(job: QuestionImport) -> dict[str, Any]:
    done, total = importing.job_progress(job)
    return {
        "status": job.status,
        "label": job.get_status_display(),
        "finished": job.is_finished,
        "done": done,
        "total": total,
        "message": job.message,
    }


@require_GET
def import_job_view(request: HttpRequest, pk: int, *, model_admin: Any) -> HttpResponse:
    """A background import: its progress while it runs (static/js/import_job.js polls), then its report."""
    job = get_object_or_404(jobs_for(request.user).select_related("bank__path"), pk=pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": QuestionBank._meta,
        "title": f"Import of {job.filename}",
        "job": job,
        "state": _status(job),
        "report": job.report,
    }
    return TemplateResponse(request, "admin/quizzes/import_job.html", context)


@require_GET
def import_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The job's status and progress as JSON, for its page to poll."""
    job = get_object_or_404(jobs_for(request.user), pk=pk)
    return JsonResponse(_status(job))
