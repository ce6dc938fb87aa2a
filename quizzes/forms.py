from __future__ import annotations

from typing import Any

from django import forms

from courses.models import CertificationPath, ExamDomain

from .models import ExamMode
from .models.exams import PRACTICE_MAX_ITEMS, PRACTICE_MAX_MINUTES


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
