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
    ORDERING = "ordering", "Ordering (put the steps in order)"
    MATCHING = "matching", "Matching (pair each prompt with an answer)"


# The types whose key is where each option goes (a position, an answer), not which options are right.
PLACEMENT_TYPES = frozenset({QuestionType.ORDERING, QuestionType.MATCHING})


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


class QuestionQuerySet(models.QuerySet["Question"]):
    def render(self) -> dict[int, dict[str, Any]]:
        """Render these questions as attempts freeze them and store each rendering with its revision.

        Markdown is rendered and sanitized once per question revision, when the revision is
        written (an import, the admin's save), never once per attempt; a draw renders any
        question still without its rendering (one changed from a shell, say). Three statements
        whatever the count. Return {question id: rendering}.
        """
        choices = Choice.objects.order_by("position", "id")
        questions = list(
            self.select_related("case_study").prefetch_related(models.Prefetch("choices", queryset=choices))
        )
        for question in questions:
            question.rendered = question.render(list(question.choices.all()))
            question.rendered_revision = question.revision
        Question.objects.bulk_update(questions, ["rendered", "rendered_revision"])
        return {question.pk: question.rendered for question in questions}


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

    objects = QuestionQuerySet.as_manager()

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

        Ordering and matching: the options are in the authored order (the key of an ordering
        question), a matching option carries its answer (`match_html`; a distractor has no text),
        and `choose` counts the placements the student makes. A question of a case study carries
        the scenario too (None otherwise): select_related it.
        """
        options = [choice.render() for choice in choices]
        choose = self.choose
        if self.qtype == QuestionType.MATCHING:
            for option, choice in zip(options, choices, strict=True):
                option["match_html"] = render_inline_markdown(choice.match)
            choose = sum(1 for choice in choices if choice.text.strip())
        elif self.qtype == QuestionType.ORDERING:
            choose = len(options)
        return {
            "name": self.name,
            "qtype": self.qtype,
            "choose": choose,
            "stem_html": render_markdown(self.stem),
            "explanation_html": render_markdown(self.explanation),
            "source_url": self.source_url,
            "options": options,
            "case_study": self.case_study.render() if self.case_study is not None else None,
        }

    def check_options(self, options: Sequence[tuple[str, bool]], *, matches: Sequence[str] = ()) -> None:
        """Raise ValidationError unless options (text, is_correct) fit this question's type."""
        validate_options(self.qtype, self.choose, options, matches=matches)


def validate_options(
    qtype: str, choose: int, options: Sequence[tuple[str, bool]], *, matches: Sequence[str] = ()
) -> None:
    """Raise ValidationError with a message fit for an author unless the options suit the type.

    matches: a matching question's answer text for each option, in the same order.
    """
    if qtype == QuestionType.MATCHING:
        _validate_matching(options, matches)
        return
    texts = [text.strip() for text, _ in options]
    correct = sum(1 for _, is_correct in options if is_correct)
    if any(not text for text in texts):
        raise ValidationError("Every option needs a text.")
    if len(set(texts)) != len(texts):  # case matters: SQL answers may differ only by case
        raise ValidationError("Two options have the same text.")
    if qtype == QuestionType.ORDERING:
        if len(options) < 3:
            raise ValidationError(f"An ordering question needs at least 3 steps; it has {len(options)}.")
        if correct:
            raise ValidationError(
                "An ordering question marks no option correct: the steps' positions are the right "
                'order. Untick "correct".'
            )
    elif qtype == QuestionType.SINGLE:
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


def _validate_matching(options: Sequence[tuple[str, bool]], matches: Sequence[str]) -> None:
    answers = [answer.strip() for answer in matches] + [""] * (len(options) - len(matches))
    prompts = [text.strip() for text, _ in options]
    if any(not prompt and not answer for prompt, answer in zip(prompts, answers, strict=True)):
        raise ValidationError(
            "Every option needs a prompt and its answer, or an answer alone (a distractor)."
        )
    if any(prompt and not answer for prompt, answer in zip(prompts, answers, strict=True)):
        raise ValidationError('Every prompt of a matching question needs its answer (the "match" text).')
    given = [prompt for prompt in prompts if prompt]
    if len(given) < 2:
        raise ValidationError(
            f"A matching question needs at least 2 prompts, each with its answer; it has {len(given)}."
        )
    if len(set(given)) != len(given):
        raise ValidationError("Two prompts have the same text.")
    if any(is_correct for _, is_correct in options):
        raise ValidationError(
            'A matching question marks no option correct: each prompt\'s answer is its key. Untick "correct".'
        )


class Choice(models.Model):
    """An option of a question, with the rationale shown after answering."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(
        blank=True,  # only a matching question's distractor has none (validate_options)
        help_text="Markdown. Ordering: a step; matching: a prompt (blank for a distractor answer).",
    )
    is_correct = models.BooleanField(default=False)
    rationale = models.TextField(blank=True, help_text="Why this option is right or wrong (Markdown).")
    match = models.TextField(
        "match",
        blank=True,
        help_text=(
            "Matching questions only: the answer that pairs with this prompt (Markdown). "
            "An answer with no prompt text is an extra wrong answer (a distractor)."
        ),
    )

    # What students see of an option. Its position only for ordering (the key): options are shuffled.
    REVISION_FIELDS = ("text", "is_correct", "rationale", "match")

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
    to each of its questions: they are rendered again now, started attempts keep theirs.
    """
    questions = Question.objects.filter(case_study_id__in=list(case_study_ids))
    revised = questions.update(revision=models.F("revision") + 1, updated_at=timezone.now())
    questions.render()  # the new scenario, rendered now as every revision is (not at a draw)
    return revised


def makes_new_revision(
    *,
    question_fields: Iterable[str],
    choice_fields: Iterable[Iterable[str]] = (),
    choices_added_or_removed: bool = False,
    order_matters: bool = False,
) -> bool:
    """Return whether an edit changes what students see, so the question gets a new revision.

    question_fields: the Question fields the edit changed; choice_fields: for each changed
    Choice, its changed fields; order_matters: an ordering question, whose positions are its key.
    The admin and the importers both decide with this rule.
    """
    seen = {*Choice.REVISION_FIELDS, "position"} if order_matters else set(Choice.REVISION_FIELDS)
    return bool(
        set(question_fields) & set(Question.REVISION_FIELDS)
        or choices_added_or_removed
        or any(set(fields) & seen for fields in choice_fields)
    )
