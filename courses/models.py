"""The certification catalog: paths (one per exam), their exam domains, sources and successors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.access import is_staff
from core.markdown import render_markdown
from core.sql import Condition

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Provider(models.TextChoices):
    AWS = "aws", "AWS"
    AZURE = "azure", "Azure"
    GCP = "gcp", "Google Cloud"
    DATA = "data", "SQL & data"


class PathStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"
    CLOSED = "closed", "Closed"


class ScoreScale(models.TextChoices):
    SCALED = "scaled", "Scaled score"
    PERCENT = "percent", "Percent correct"
    PASS_FAIL = "pass_fail", "Pass/fail (standard not published)"
    NONE = "none", "No single scored exam"


class PathQuerySet(models.QuerySet["CertificationPath"]):
    def taking_new_work(self) -> PathQuerySet:
        """Return the paths that take new work (CertificationPath.is_active)."""
        return self.filter(status=PathStatus.ACTIVE)


class CertificationPath(models.Model):
    """One certification exam and the facts a blueprint-true practice exam needs."""

    code = models.CharField(max_length=40, unique=True, help_text="Exam code, e.g. CLF-C02.")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    vendor = models.CharField(max_length=120, help_text="Who issues the certification.")
    name = models.CharField(max_length=200)
    exam_title = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=80, blank=True, help_text="Exam or exam-guide version.")
    level = models.CharField(max_length=80)
    item_count = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Items on the exam.")
    item_count_min = models.PositiveSmallIntegerField(null=True, blank=True)
    item_count_max = models.PositiveSmallIntegerField(null=True, blank=True)
    scored_item_count = models.PositiveSmallIntegerField(null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    pass_mark = models.PositiveSmallIntegerField(null=True, blank=True)
    score_scale = models.CharField(max_length=10, choices=ScoreScale.choices)
    score_min = models.PositiveSmallIntegerField(null=True, blank=True)
    score_max = models.PositiveSmallIntegerField(null=True, blank=True)
    score_note = models.CharField(max_length=200, blank=True)
    formats = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=PathStatus.choices, default=PathStatus.ACTIVE)
    retired_on = models.DateField(null=True, blank=True)
    status_note = models.TextField(blank=True)
    caveats = models.JSONField(default=list, blank=True, help_text="Figures that rest on weak sources.")
    instructors = models.ManyToManyField(
        "auth.User",
        related_name="assigned_paths",
        blank=True,
        help_text="Instructors an administrator put in charge of the path: they see every student of it.",
    )

    objects = PathQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active") | Q(retired_on__isnull=False),
                name="path_retired_has_date",
                violation_error_message="A retired or closed path needs the date it ended.",
            ),
            models.CheckConstraint(
                condition=Q(item_count_min__isnull=True)
                | Q(item_count_max__isnull=True)
                | Q(item_count_min__lte=models.F("item_count_max")),
                name="path_item_range_ordered",
                violation_error_message="The lowest item count cannot exceed the highest.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("path-detail", kwargs={"code": self.code})

    @property
    def is_active(self) -> bool:
        """Return whether the path takes new work: enrollments, exams, attempts, courses and banks.

        A retired or closed path keeps everything it has (courses stay open for study, attempts
        and results stay), but nothing new starts on it.
        """
        return self.status == PathStatus.ACTIVE

    @property
    def has_single_exam(self) -> bool:
        """Return whether the certification is earned by sitting one exam of a known length.

        A course-based certificate (graded quizzes inside each course, no proctored exam) states
        no item count: it gets practice sets, never a full-length form.
        """
        return any(n is not None for n in (self.item_count, self.item_count_min, self.item_count_max))

    def refuses_new_work(self, consequence: str) -> str:
        """Return the message that this inactive path refuses new work, ending with consequence."""
        return f"{self.code} is {self.get_status_display().lower()}: {consequence}."

    def clean(self) -> None:
        if self.status == PathStatus.ACTIVE and self.retired_on:
            raise ValidationError({"retired_on": "An active path has no retirement date."})
        if self.score_scale in (ScoreScale.SCALED, ScoreScale.PERCENT) and self.pass_mark is not None:
            low, high = self.score_min or 0, self.score_max or 0
            if not low <= self.pass_mark <= high:
                raise ValidationError({"pass_mark": f"The pass mark must lie on the scale {low}-{high}."})


class ExamDomain(models.Model):
    """A section of an exam's blueprint, with its published weight (exact, a range, or none)."""

    path = models.ForeignKey(CertificationPath, on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()
    weight_percent = models.PositiveSmallIntegerField(null=True, blank=True, validators=PERCENT)
    weight_min_percent = models.PositiveSmallIntegerField(null=True, blank=True, validators=PERCENT)
    weight_max_percent = models.PositiveSmallIntegerField(null=True, blank=True, validators=PERCENT)

    class Meta:
        ordering = ["path", "position"]
        constraints = [
            models.UniqueConstraint(fields=["path", "name"], name="domain_name_unique_in_path"),
            models.CheckConstraint(
                condition=Q(weight_percent__isnull=True)
                | (Q(weight_min_percent__isnull=True) & Q(weight_max_percent__isnull=True)),
                name="domain_weight_exact_or_range",
                violation_error_message="Give an exact weight or a range, not both.",
            ),
            models.CheckConstraint(
                condition=(Q(weight_min_percent__isnull=True) & Q(weight_max_percent__isnull=True))
                | Q(weight_min_percent__lte=models.F("weight_max_percent")),
                name="domain_weight_range_ordered",
                violation_error_message="A weight range needs both ends, lowest first.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path.code} / {self.name}"

    @property
    def weight_label(self) -> str:
        if self.weight_percent is not None:
            return f"{self.weight_percent}%"
        if self.weight_min_percent is not None:
            return f"{self.weight_min_percent}-{self.weight_max_percent}%"
        return "not published"

    @property
    def blueprint_weight(self) -> float | None:
        """Return the weight used to draw items: the exact figure, or a range's midpoint."""
        if self.weight_percent is not None:
            return float(self.weight_percent)
        if self.weight_min_percent is not None and self.weight_max_percent is not None:
            return (self.weight_min_percent + self.weight_max_percent) / 2
        return None


class SourceKind(models.TextChoices):
    OFFICIAL = "official", "Official"
    OFFICIAL_MIRROR = "official-mirror", "Copy of an official page"
    THIRD_PARTY = "third-party", "Third party"


class PathSource(models.Model):
    """A public page the path's facts were taken from."""

    path = models.ForeignKey(CertificationPath, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(max_length=500)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["path", "id"]
        constraints = [models.UniqueConstraint(fields=["path", "url"], name="source_url_unique_in_path")]

    def __str__(self) -> str:
        return self.url


class Successor(models.Model):
    """An exam that replaces a retired one; linked to its path when the catalog has it."""

    path = models.ForeignKey(CertificationPath, on_delete=models.CASCADE, related_name="successors")
    code = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    successor_path = models.ForeignKey(
        CertificationPath, on_delete=models.SET_NULL, null=True, blank=True, related_name="predecessors"
    )

    class Meta:
        ordering = ["path", "id"]
        constraints = [models.UniqueConstraint(fields=["path", "name"], name="successor_unique_in_path")]

    def __str__(self) -> str:
        return f"{self.path.code} -> {self.code or self.name}"


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Course(models.Model):
    """A study course for one certification path, authored by its owners."""

    path = models.ForeignKey(CertificationPath, on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.TextField(blank=True)
    owners = models.ManyToManyField("auth.User", related_name="owned_courses", blank=True)
    status = models.CharField(
        max_length=10, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("course-detail", kwargs={"slug": self.slug})


class Module(models.Model):
    """An ordered section of a course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=1)
    domains = models.ManyToManyField(
        ExamDomain,
        blank=True,
        related_name="modules",
        help_text="Exam domains this module teaches: the dashboard's Study next links to it.",
    )

    class Meta:
        ordering = ["course", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    """A Markdown lesson; body_html is the sanitized rendering shown to students."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120)
    position = models.PositiveSmallIntegerField(default=1)
    body_markdown = models.TextField()
    body_html = models.TextField(editable=False, blank=True)
    minutes = models.PositiveSmallIntegerField(default=10, help_text="Estimated study time.")

    class Meta:
        ordering = ["module", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["module", "slug"], name="lesson_slug_unique_in_module")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The rendering is derived data: keep it in step with the source on every save.
        self.body_html = render_markdown(self.body_markdown)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("lesson-detail", kwargs={"slug": self.module.course.slug, "lesson_slug": self.slug})


class EnrollmentQuerySet(models.QuerySet["Enrollment"]):
    def visible_to(self, user: Any) -> EnrollmentQuerySet:
        """Return the enrollments whose student's progress user may read (the one home of the rule).

        Staff: every one. Anyone else: the students who studied one of their courses (completed a
        lesson of a course they own in that path), and every student of a path an administrator
        assigned to them (CertificationPath.instructors). Enrolling in a path alone shows a student
        to no course owner of it: an enrollment is per path, not per course. (In SQL, at the end
        of this module.)
        """
        if is_staff(user):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        seen = Condition(_VISIBLE_ENROLLMENT_SQL, [user.pk] * 2, path="path_id", student="student_id")
        return self.filter(seen)


class Enrollment(models.Model):
    """A student studying a certification path."""

    student = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="enrollments")
    path = models.ForeignKey(CertificationPath, on_delete=models.PROTECT, related_name="enrollments")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["student", "path"], name="one_enrollment_per_path")]

    def __str__(self) -> str:
        return f"{self.student} in {self.path.code}"


class LessonProgress(models.Model):
    """A lesson a student has completed."""

    student = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "lesson"], name="lesson_completed_once")]

    def __str__(self) -> str:
        return f"{self.student} completed {self.lesson}"


# An administrator assigned the path {path} to the user %s (CertificationPath.instructors): a
# condition of both visible_to below and courses.selectors.managed_courses.
PATH_ASSIGNED_SQL = f"""
EXISTS (SELECT 1 FROM {CertificationPath.instructors.through._meta.db_table} AS a
        WHERE a.certificationpath_id = {{path}} AND a.user_id = %s)
"""  # noqa: S608  # nosec B608: table names only

# EnrollmentQuerySet.visible_to in SQL ({path}, {student}: the enrollment's columns): an instructor
# the path is assigned to, or the owner of a course of the path in which the student completed a
# lesson. Composed from lookups, the two EXISTS cost each cohort page about a millisecond of CPU.
_VISIBLE_ENROLLMENT_SQL = f"""
{PATH_ASSIGNED_SQL}
OR EXISTS (SELECT 1 FROM {LessonProgress._meta.db_table} AS p
           JOIN {Lesson._meta.db_table} AS l ON l.id = p.lesson_id
           JOIN {Module._meta.db_table} AS m ON m.id = l.module_id
           JOIN {Course._meta.db_table} AS c ON c.id = m.course_id
           JOIN {Course.owners.through._meta.db_table} AS o ON o.course_id = c.id
           WHERE p.student_id = {{student}} AND c.path_id = {{path}} AND o.user_id = %s)
"""  # noqa: S608  # nosec B608: table names only
