from __future__ import annotations

from typing import Any, cast

from django import forms

from courses.models import CertificationPath, ExamDomain

from .models import ExamMode, ReportReason
from .models.exams import PRACTICE_MAX_ITEMS, PRACTICE_MAX_MINUTES
from .models.reports import REPORT_DETAILS_MAX_LENGTH
from .selectors import ReviewRow


class PracticeSetForm(forms.Form):
    """A student's own practice set: which domains, how many items, timed or not, which mode."""

    domains = forms.ModelMultipleChoiceField(
        queryset=ExamDomain.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unticked to draw from every domain by the exam's weights.",
    )
    item_count = forms.IntegerField(
        label="Number of items", min_value=1, max_value=PRACTICE_MAX_ITEMS, initial=10
    )
    minutes = forms.IntegerField(
        label="Time limit in minutes",
        min_value=1,
        max_value=PRACTICE_MAX_MINUTES,
        required=False,
        help_text="Empty: untimed.",
    )
    mode = forms.ChoiceField(
        choices=[
            (ExamMode.PRACTICE, "Practice: see the answer and explanation after each item"),
            (ExamMode.EXAM, "Exam: see results only after submitting"),
        ],
        initial=ExamMode.PRACTICE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, path: CertificationPath, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domains"].queryset = path.domains.all()  # type: ignore[attr-defined]


class ReviewFilterForm(forms.Form):
    """Which items of a graded attempt the result page lists: all, wrong or flagged, one domain."""

    SHOW_CHOICES = [("all", "All"), ("incorrect", "Incorrect or unanswered"), ("flagged", "Flagged")]

    show = forms.ChoiceField(choices=SHOW_CHOICES, required=False, widget=forms.RadioSelect, label="Show")
    domain = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Domain")

    def __init__(self, data: Any, *, rows: list[ReviewRow]) -> None:
        super().__init__(data)
        self.rows = rows
        domains = {row.item.domain_id: row.item.domain for row in rows}
        ordered = sorted(domains.values(), key=lambda d: d.position)
        cast(forms.ChoiceField, self.fields["domain"]).choices = [
            ("", "All domains"),
            *((d.pk, d.name) for d in ordered),
        ]
        counts = {
            "all": len(rows),
            "incorrect": sum(not row.correct for row in rows),
            "flagged": sum(row.item.flagged for row in rows),
        }
        cast(forms.ChoiceField, self.fields["show"]).choices = [
            (key, f"{label} ({counts[key]})") for key, label in self.SHOW_CHOICES
        ]

    def selected_rows(self) -> list[ReviewRow]:
        """Return the rows the filter keeps; a filter that does not validate keeps them all."""
        if not self.is_valid():
            return self.rows
        show = self.cleaned_data["show"] or "all"
        domain = self.cleaned_data["domain"]
        keep = {
            "all": lambda row: True,
            "incorrect": lambda row: not row.correct,
            "flagged": lambda row: row.item.flagged,
        }[show]
        return [row for row in self.rows if keep(row) and (domain is None or row.item.domain_id == domain)]


class ReportProblemForm(forms.Form):
    """A student's report of a problem with an item: what is wrong, and optionally how."""

    reason = forms.ChoiceField(
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        label="What is wrong?",
        error_messages={"required": "Choose what is wrong with this item."},
    )
    details = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=REPORT_DETAILS_MAX_LENGTH,
        label="Details (optional)",
        help_text="For example what the right answer is, with a link to the vendor's documentation.",
    )

    def __init__(self, *args: Any, position: int, **kwargs: Any) -> None:
        # Many of these forms share a page (one per item): ids carry the item's position.
        kwargs["auto_id"] = f"report-{position}-%s"
        super().__init__(*args, **kwargs)
