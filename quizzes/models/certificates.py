"""Certificates of completion: issued when a student passes a full-length exam, publicly verifiable."""

from __future__ import annotations

import secrets

from django.db import models
from django.urls import reverse

from .attempts import Attempt

CODE_BYTES = 18  # 144 random bits: 24 URL-safe characters, not guessable


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def score_band(*, percent: float, scaled: int | None, scale_max: int | None) -> str:
    """Return the score as a band of ten (scaled: "800-899 of 1000"; percent: "80-89%"), not the score."""
    if scaled is not None and scale_max:
        step = scale_max // 10
        low = min(scaled // step * step, scale_max - step)
        high = scale_max if low + step >= scale_max else low + step - 1
        return f"{low}-{high} of {scale_max}"
    low = min(int(percent) // 10 * 10, 90)
    return f"{low}-{low + 9 if low < 90 else 100}%"


class Certificate(models.Model):
    """Proof that a student passed a full-length exam: what /verify/<code> confirms, and nothing more.

    The holder's name, the exam and the band are copied at issue, so the page states what was
    certified. A regrade that turns the pass into a fail revokes it.
    """

    attempt = models.OneToOneField(Attempt, on_delete=models.CASCADE, related_name="certificate")
    code = models.CharField(max_length=40, unique=True, default=new_code, editable=False)
    holder_name = models.CharField(max_length=300)
    exam_title = models.CharField(max_length=300)
    path_code = models.CharField(max_length=40)
    score_band = models.CharField(max_length=40)
    passed_on = models.DateField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.holder_name}: {self.exam_title} ({self.passed_on})"

    def get_absolute_url(self) -> str:
        return reverse("certificate-verify", kwargs={"code": self.code})

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
