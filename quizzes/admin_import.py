"""The admin page that imports a question file into a bank (wired in QuestionBankAdmin.get_urls)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from core.admin import owned_by

from .exceptions import DomainMapInvalid, ImportRejected, UnknownDomain
from .importers.report import ImportReport, detect_format
from .importing import import_questions, load_domain_map
from .models import QuestionBank

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
FORMAT_CHOICES = [
    ("auto", "Detect from the file"),
    ("gift", "GIFT"),
    ("moodle-xml", "Moodle XML"),
    ("csv", "CSV (see docs/importing.md)"),
]


def _text(upload: UploadedFile) -> str:
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
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

    def clean_file(self) -> tuple[str, str]:
        upload = self.cleaned_data["file"]
        return upload.name or "", _text(upload)

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
        filename, text = data["file"]
        fmt = detect_format(filename, text) if data["fmt"] == "auto" else data["fmt"]
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
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": QuestionBank._meta,
        "title": "Import questions",
        "form": form,
        "report": report,
        "has_banks": banks.exists(),
    }
    return TemplateResponse(request, "admin/quizzes/import_questions.html", context)
