"""Certificates: finding one by its code or attempt, and its PDF."""

from __future__ import annotations

from django.template.loader import render_to_string

from ..models import Certificate


def get_certificate(*, code: str) -> Certificate | None:
    """Return the certificate with this verification code (None: no such code)."""
    return Certificate.objects.filter(code=code).first()


def valid_certificate_for(*, attempt_id: int, student_id: int) -> Certificate | None:
    """Return the student's unrevoked certificate for this attempt, if it earned one."""
    return Certificate.objects.filter(
        attempt_id=attempt_id, attempt__student_id=student_id, revoked_at__isnull=True
    ).first()


def certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """Return the certificate as a one-page A4 PDF (WeasyPrint) naming its verification address."""
    from weasyprint import HTML  # imported here: it loads Pango, which only this needs

    html = render_to_string(
        "quizzes/certificate_pdf.html", {"certificate": certificate, "verify_url": verify_url}
    )
    return bytes(HTML(string=html).write_pdf())
