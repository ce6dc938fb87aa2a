"""Question banks: questions tagged with an exam domain, their options and rationales."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.markdown import render_inline_markdown, render_markdown
from courses.models import CertificationPath, ExamDomain


class QuestionType(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple response (choose N)"
    TRUE_FALSE = "truefalse", "True/false"


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class QuestionBank(models.Model):
    """A pool of questions for one certification path, owned by its instructors."""

    path = models.ForeignKey(CertificationPath, on_delete=models.PROTECT, related_name="banks")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    owners = models.ManyToManyField("auth.User", related_name="owned_banks", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path", "name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CaseStudy(models.Model):
    """A scenario shared by several questions of one bank (a fictional company's situation).

    Each of its questions freezes the scenario in its rendering, so an edit students can see
    (REVISION_FIELDS) gives every one of its questions a new revision (docs/item-versions.md).
    """

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="case_studies")
    name = models.CharField(
        max_length=120, help_text="Identifier within the bank (the [case:...] of imported files)."
    )
    title = models.CharField(max_length=200, help_text="Shown on the exam page, e.g. the company's name.")
    scenario = models.TextField(help_text="Markdown: the company, its situation and its requirements.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What students see of a case study: an edit to these gives its questions a new revision.
    REVISION_FIELDS = ("title", "scenario")

    class Meta:
        ordering = ["bank", "name"]
        verbose_name_plural = "case studies"
        constraints = [
            models.UniqueConstraint(fields=["bank", "name"], name="case_study_name_unique_in_bank")
        ]

    def __str__(self) -> str:
        return self.title

    def render(self) -> dict[str, Any]:
        """Return the case study as its questions' renderings freeze it (Markdown sanitized)."""
        return {"name": self.name, "title": self.title, "scenario_html": render_markdown(self.scenario)}


class Question(models.Model):
    """One exam item. `revision` grows with every change students could see (see docs/item-versions.md)."""

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    name = models.CharField(max_length=120, help_text="Identifier within the bank (Moodle's idnumber/name).")
    domain = models.ForeignKey(ExamDomain, on_delete=models.PROTECT, related_name="questions")
    qtype = models.CharField("type", max_length=10, choices=QuestionType.choices, default=QuestionType.SINGLE)
    choose = models.PositiveSmallIntegerField(
        default=1, help_text="How many options a student must pick (1 unless multiple response)."
    )
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM)
    status = models.CharField(max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT)
    tags = models.ManyToManyField(Tag, related_name="questions", blank=True)
    stem = models.TextField(help_text="Markdown.")
    explanation = models.TextField(help_text="Markdown, shown after the answer is final.")
    source_url = models.URLField(max_length=500, blank=True)
    case_study = models.ForeignKey(
        CaseStudy,
        on_delete=models.PROTECT,
        related_name="questions",
        null=True,
        blank=True,
        help_text="The scenario shown with this question; a case study of the same bank.",
    )
    revision = models.PositiveIntegerField(default=1, editable=False)
    rendered = models.JSONField(
        default=dict,
        editable=False,
        help_text="What attempts freeze, rendered and sanitized once per revision.",
    )
    rendered_revision = models.PositiveIntegerField(
        default=0, editable=False, help_text="The revision `rendered` shows (0: not rendered yet)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What students see of a question (with Choice.REVISION_FIELDS): see makes_new_revision.
    REVISION_FIELDS = ("qtype", "choose", "stem", "explanation", "case_study")

    class Meta:
        ordering = ["bank", "domain__position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "name"], name="question_name_unique_in_bank"),
            models.CheckConstraint(condition=Q(choose__gte=1), name="question_choose_positive"),
        ]
        indexes = [models.Index(fields=["bank", "status", "domain"], name="question_draw_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def stem_html(self) -> str:
        return render_markdown(self.stem)

    @property
    def explanation_html(self) -> str:
        return render_markdown(self.explanation)

    def clean(self) -> None:
        if self.domain_id and self.bank_id and self.domain.path_id != self.bank.path_id:
            raise ValidationError({"domain": "The domain must belong to the bank's certification path."})
        if self.case_study is not None and self.bank_id and self.case_study.bank_id != self.bank_id:
            raise ValidationError({"case_study": "The case study must belong to the question's bank."})
        if self.qtype != QuestionType.MULTIPLE and self.choose != 1:
            raise ValidationError(
                {"choose": "Only multiple-response questions ask for more than one option."}
            )
        if self.qtype == QuestionType.MULTIPLE and self.choose < 2:
            raise ValidationError({"choose": "A multiple-response question asks for at least 2 options."})

    def render(self, choices: Sequence[Choice]) -> dict[str, Any]:
        """Return the question as attempts freeze it: Markdown rendered and sanitized, options in order.

        A question of a case study carries the scenario too (None otherwise): select_related it.
        """
        return {
            "name": self.name,
            "qtype": self.qtype,
            "choose": self.choose,
            "stem_html": render_markdown(self.stem),
            "explanation_html": render_markdown(self.explanation),
            "source_url": self.source_url,
            "options": [choice.render() for choice in choices],
            "case_study": self.case_study.render() if self.case_study is not None else None,
        }

    def check_options(self, options: Sequence[tuple[str, bool]]) -> None:
        """Raise ValidationError unless options (text, is_correct) fit this question's type."""
        validate_options(self.qtype, self.choose, options)


def validate_options(qtype: str, choose: int, options: Sequence[tuple[str, bool]]) -> None:
    """Raise ValidationError with a message fit for an author unless the options suit the type."""
    texts = [text.strip() for text, _ in options]
    correct = sum(1 for _, is_correct in options if is_correct)
    if any(not text for text in texts):
        raise ValidationError("Every option needs a text.")
    if len(set(texts)) != len(texts):  # case matters: SQL answers may differ only by case
        raise ValidationError("Two options have the same text.")
    if qtype == QuestionType.SINGLE:
        if len(options) < 2:
            raise ValidationError("A single-choice question needs at least 2 options.")
        if correct != 1:
            raise ValidationError(
                f"A single-choice question has exactly one correct option; this one has {correct}."
            )
    elif qtype == QuestionType.MULTIPLE:
        if correct != choose:
            raise ValidationError(
                f"This question asks students to choose {choose}, so exactly {choose} options "
                f"must be correct; {correct} are."
            )
        if len(options) < choose + 1:
            raise ValidationError(
                f"A choose-{choose} question needs at least {choose + 1} options; it has {len(options)}."
            )
    elif qtype == QuestionType.TRUE_FALSE:
        if sorted(t.casefold() for t in texts) != ["false", "true"]:
            raise ValidationError("A true/false question has exactly the two options True and False.")
        if correct != 1:
            raise ValidationError("Exactly one of True and False must be correct.")


class Choice(models.Model):
    """An option of a question, with the rationale shown after answering."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(help_text="Markdown.")
    is_correct = models.BooleanField(default=False)
    rationale = models.TextField(blank=True, help_text="Why this option is right or wrong (Markdown).")

    # What students see of an option. Not its position: options are shuffled in every attempt.
    REVISION_FIELDS = ("text", "is_correct", "rationale")

    class Meta:
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    def render(self) -> dict[str, Any]:
        """Return the option as attempts freeze it (each attempt adds its own opaque id)."""
        return {
            "choice_id": self.pk,
            "text_html": render_inline_markdown(self.text),
            "is_correct": self.is_correct,
            "rationale_html": render_markdown(self.rationale),
        }


def revise_case_study_questions(case_study_ids: Iterable[int]) -> int:
    """Give every question of the case studies a new revision; return how many were revised.

    Their renderings freeze the scenario, so an edit to a case study's REVISION_FIELDS is an edit
    to each of its questions: the next draw renders them again, started attempts keep theirs.
    """
    return Question.objects.filter(case_study_id__in=list(case_study_ids)).update(
        revision=models.F("revision") + 1, updated_at=timezone.now()
    )


def makes_new_revision(
    *,
    question_fields: Iterable[str],
    choice_fields: Iterable[Iterable[str]] = (),
    choices_added_or_removed: bool = False,
) -> bool:
    """Return whether an edit changes what students see, so the question gets a new revision.

    question_fields: the Question fields the edit changed; choice_fields: for each changed
    Choice, its changed fields. The admin and the importers both decide with this rule.
    """
    return bool(
        set(question_fields) & set(Question.REVISION_FIELDS)
        or choices_added_or_removed
        or any(set(fields) & set(Choice.REVISION_FIELDS) for fields in choice_fields)
    )
