"""Exam pages: thin views over selectors and services; domain errors become messages or JSON 4xx."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from courses.selectors import get_path, lessons_for_domains

from . import charts, selectors, services
from .exceptions import AttemptNotFound, QuizzesError, ReviewNotFound
from .forms import PracticeSetForm, ReportProblemForm, ReviewFilterForm
from .models import AttemptState, Exam, ExamMode
from .selectors import certificates, history, progress, reports, reviews
from .services import reports as report_services
from .services import retakes
from .services.reviews import answer_is_correct
from .services.reviews import review_card as review_service
from .spacing import RATING_NAMES, ReviewRating, rating_from_answer


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk)  # type: ignore[arg-type]


@require_GET
def exam_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Describe an exam and let a signed-in student start or resume it."""
    exam = get_object_or_404(Exam.objects.available_to(request.user).select_related("path"), pk=pk)
    user_id = _user_id(request) if request.user.is_authenticated else None
    domains = selectors.exam_domains(exam)
    plan = selectors.blueprint_for(exam, domains)
    context: dict[str, Any] = {
        "exam": exam,
        "blueprint": [(d, plan.get(d.pk, 0)) for d in domains],
        "shortfalls": selectors.shortfalls(exam, domains=domains),
        "open_attempt": selectors.open_attempt(exam=exam, student_id=user_id) if user_id else None,
        "attempts": selectors.list_attempts_for_student(user_id).filter(exam=exam) if user_id else [],
    }
    return render(request, "quizzes/exam_detail.html", context)


@login_required
@require_POST
def exam_start(request: HttpRequest, pk: int) -> HttpResponse:
    exam = get_object_or_404(Exam.objects.select_related("path", "owner"), pk=pk)
    try:
        attempt = services.start_attempt(exam=exam, student=request.user, now=timezone.now())
    except QuizzesError as error:
        messages.error(request, str(error))
        return redirect(exam.get_absolute_url())
    return redirect(attempt.get_absolute_url())


@login_required
def practice_set(request: HttpRequest, code: str) -> HttpResponse:
    """Build and start a custom practice set for a path (posts throttled per user: PRACTICE_PAGE_RATE)."""
    path = get_path(code=code)
    form = PracticeSetForm(request.POST or None, path=path)
    if request.method == "POST" and is_ratelimited(
        request, group="practice-set-page", key="user", rate=settings.PRACTICE_PAGE_RATE, increment=True
    ):
        form.add_error(None, "You are building practice sets too quickly: wait a little and try again.")
        return render(request, "quizzes/practice_set.html", {"path": path, "form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            exam = services.create_practice_set(
                path=path,
                owner=request.user,
                domains=list(form.cleaned_data["domains"]),
                item_count=form.cleaned_data["item_count"],
                minutes=form.cleaned_data["minutes"],
                mode=form.cleaned_data["mode"],
            )
            attempt = services.start_attempt(exam=exam, student=request.user, now=timezone.now())
        except QuizzesError as error:
            form.add_error(None, str(error))
        else:
            return redirect(attempt.get_absolute_url())
    return render(request, "quizzes/practice_set.html", {"path": path, "form": form})


@login_required
@require_GET
def attempt_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The exam page: every item of the attempt, one shown at a time (two queries in all)."""
    try:
        attempt = selectors.get_attempt_with_items(attempt_id=pk, student_id=_user_id(request))
    except AttemptNotFound:
        raise Http404 from None
    now = timezone.now()
    if not attempt.accepts_saves(now, grace=services.grace()):
        return redirect("attempt-result", pk=attempt.pk)
    items = list(attempt.items.all())
    state = []
    for item in items:
        answer = getattr(item, "answer", None)
        state.append(
            {
                "position": item.position,
                "choose": item.choose,
                "qtype": item.snapshot["qtype"],
                "selected": answer.selected if answer else [],
                "seq": answer.client_seq if answer else 0,
                "flagged": item.flagged,
                "checked": item.checked,
                "feedback": services.feedback_for(item) if item.checked else None,
            }
        )
    data = {
        "attemptId": attempt.pk,
        "saveUrl": f"/api/v1/attempts/{attempt.pk}/answers/",
        "submitUrl": f"/api/v1/attempts/{attempt.pk}/submit/",
        "resultUrl": f"/attempts/{attempt.pk}/result",
        "remaining": attempt.remaining_seconds(now),
        "current": attempt.current_position,  # type: ignore[attr-defined]  # annotated by the selector
        "practice": attempt.exam.mode == ExamMode.PRACTICE,
        "items": state,
    }
    context = {
        "attempt": attempt,
        "items": items,
        "data": data,
        "has_case_studies": any(item.case_study for item in items),
    }
    return render(request, "quizzes/attempt.html", context)


@login_required
@require_POST
def attempt_submit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.submit_attempt(attempt_id=pk, student=request.user, now=timezone.now())
    except AttemptNotFound:
        raise Http404 from None
    return redirect("attempt-result", pk=pk)


@login_required
@require_GET
def attempt_result(request: HttpRequest, pk: int) -> HttpResponse:
    """Grading status, then the score, domain breakdown and review the exam's policy allows."""
    try:
        attempt = selectors.get_attempt_with_items(attempt_id=pk, student_id=_user_id(request))
    except AttemptNotFound:
        raise Http404 from None
    if attempt.is_open and attempt.accepts_saves(timezone.now(), grace=services.grace()):
        return redirect(attempt.get_absolute_url())
    graded = attempt.state == AttemptState.GRADED
    rows = selectors.review_rows(attempt) if graded else []
    review_filter = ReviewFilterForm(request.GET or {"show": "all"}, rows=rows)
    reported = (
        reports.reports_by_position(attempt_id=attempt.pk, student_id=attempt.student_id) if rows else {}
    )
    review = [(row, reported.get(row.item.position)) for row in review_filter.selected_rows()]
    context = {
        "attempt": attempt,
        "graded": graded,
        "domain_results": attempt.domain_results.select_related("domain") if graded else [],
        "rows": rows,
        "review_filter": review_filter,
        "review": review,
        "retake_count": len(selectors.missed_items(attempt)) if selectors.may_retake_missed(attempt) else 0,
        "counts": {
            "correct": sum(row.correct for row in rows),
            "incorrect": sum(row.answered and not row.correct for row in rows),
            "unanswered": sum(not row.answered for row in rows),
            "flagged": sum(row.item.flagged for row in rows),
        },
        "time_used": (attempt.finished_at - attempt.started_at) if attempt.finished_at else None,
        "certificate": certificates.valid_certificate_for(
            attempt_id=attempt.pk, student_id=attempt.student_id
        )
        if graded and attempt.passed
        else None,
    }
    return render(request, "quizzes/result.html", context)


@login_required
@require_POST
def attempt_retake(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a practice attempt of the items the student's graded attempt missed."""
    try:
        retake = retakes.retake_missed(attempt_id=pk, student=request.user, now=timezone.now())
    except AttemptNotFound:
        raise Http404 from None
    except QuizzesError as error:
        messages.error(request, str(error))
        return redirect("attempt-result", pk=pk)
    if retake.left_out:
        count = retake.attempt.item_count
        messages.info(
            request,
            f"{retake.left_out} of the questions you missed have been retired since and are left out: "
            f"this retake has {count} item{'s' if count != 1 else ''}.",
        )
    return redirect(retake.attempt.get_absolute_url())


@login_required
@require_POST
def item_report(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """Report a problem with an item the student has seen the answer of (posts throttled per user).

    Bad input, a throttled post or a refused report shows the form again with the error and what
    was typed; a report sent goes back to the page it came from with a confirmation.
    """
    try:
        attempt = selectors.get_attempt_for_student(attempt_id=pk, student_id=_user_id(request))
    except AttemptNotFound:
        raise Http404 from None
    item = attempt.items.filter(position=position).first()
    if item is None:
        raise Http404
    result = reverse("attempt-result", kwargs={"pk": pk})
    back = attempt.get_absolute_url() if attempt.is_open else f"{result}#review-item-{position}"
    form = ReportProblemForm(request.POST, position=position)
    context = {"attempt": attempt, "item": item, "form": form, "back": back}
    if is_ratelimited(request, group="item-report", key="user", rate=settings.REPORT_RATE, increment=True):
        form.add_error(None, "You are sending reports too quickly: wait a minute and try again.")
        return render(request, "quizzes/report_problem.html", context, status=429)
    if not form.is_valid():
        return render(request, "quizzes/report_problem.html", context, status=400)
    try:
        report_services.report_problem(
            attempt_id=pk,
            position=position,
            student=request.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
            now=timezone.now(),
        )
    except AttemptNotFound:
        raise Http404 from None
    except QuizzesError as error:
        form.add_error(None, str(error))
        return render(request, "quizzes/report_problem.html", context, status=error.status)
    messages.success(
        request, f"Thank you: your report on item {position} has been sent to the question's instructors."
    )
    return redirect(back)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The student's paths with progress and readiness, attempts in progress, and history."""
    user_id = _user_id(request)
    attempts = list(selectors.list_attempts_for_student(user_id)[:100])
    paths = progress.student_progress(student_id=user_id)
    # Study next: the two weakest domains by the estimate (those under the floor first).
    weakest = {
        p.code: sorted(p.estimate.domains, key=lambda d: (not d.below_floor, d.mean))[:2] for p in paths
    }
    lessons = lessons_for_domains([d.domain_id for ds in weakest.values() for d in ds])
    rows = [(p, [(d, lessons.get(d.domain_id, [])[:3]) for d in weakest[p.code]]) for p in paths]
    context = {
        "rows": rows,
        "due_reviews": reviews.due_count(student_id=user_id, now=timezone.now()),
        "in_progress": [a for a in attempts if a.is_open],
        "history": [a for a in attempts if not a.is_open],
    }
    return render(request, "quizzes/dashboard.html", context)


@login_required
@require_GET
def attempt_history(request: HttpRequest) -> HttpResponse:
    """The student's graded attempts per path, with a score-trend chart and its data table."""
    paths = history.attempt_history(student_id=_user_id(request))
    rows = [
        (
            p,
            charts.score_trend(
                [a.score_percent for a in p.attempts],
                [a.passed for a in p.attempts],
                pass_percent=p.pass_percent,
            ),
        )
        for p in paths
    ]
    return render(request, "quizzes/history.html", {"rows": rows})


# --- Spaced review --------------------------------------------------------------------------------


@login_required
@require_GET
def review_session(request: HttpRequest) -> HttpResponse:
    """Today's review session: the first due card, as a question to answer."""
    user_id = _user_id(request)
    now = timezone.now()
    due = list(reviews.list_due_cards(student_id=user_id, now=now)[:1])
    context = {
        "card": due[0] if due else None,
        "due_count": reviews.due_count(student_id=user_id, now=now),
        "next_due": None if due else reviews.next_due(student_id=user_id, now=now),
    }
    return render(request, "quizzes/review_session.html", context)


@login_required
@require_POST
def review_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Show whether the answer was right, the key and the explanation, and ask for a rating."""
    try:
        card = reviews.get_card(card_id=pk, student_id=_user_id(request))
    except ReviewNotFound:
        raise Http404 from None
    selected = [s for s in request.POST.getlist("selected") if s]  # an unset placement sends ""
    try:
        correct = answer_is_correct(card, selected)
    except QuizzesError as error:
        messages.error(request, str(error))
        return redirect("review-session")
    context = {
        "card": card,
        "selected": selected,
        "correct": correct,
        "placements": card.item.placement_rows(frozenset(selected), key_order=True)
        if card.item.is_placement
        else [],
        "suggested": rating_from_answer(correct=correct),
        "ratings": list(ReviewRating),
        "due_count": reviews.due_count(student_id=card.student_id, now=timezone.now()),
    }
    return render(request, "quizzes/review_reveal.html", context)


@login_required
@require_POST
def review_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the review with the student's rating, then go on to the next due card."""
    rating = RATING_NAMES.get(request.POST.get("rating", ""))
    if rating is None:
        messages.error(request, "Choose how well you remembered it: Again, Hard, Good or Easy.")
        return redirect("review-session")
    try:
        outcome = review_service(
            card_id=pk,
            student=request.user,
            now=timezone.now(),
            selected=[s for s in request.POST.getlist("selected") if s],
            rating=rating,
        )
    except ReviewNotFound:
        raise Http404 from None
    except QuizzesError as error:
        messages.error(request, str(error))
        return redirect("review-session")
    messages.success(request, f"Rated {rating.label}. This item comes back on {outcome.card.due:%d %b %Y}.")
    return redirect("review-session")


# --- Certificates -----------------------------------------------------------------------------------


@login_required
@require_GET
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF certificate of the student's passed full-length attempt."""
    certificate = certificates.valid_certificate_for(attempt_id=pk, student_id=_user_id(request))
    if certificate is None:
        raise Http404
    verify_url = request.build_absolute_uri(certificate.get_absolute_url())
    response = HttpResponse(
        certificates.certificate_pdf(certificate, verify_url=verify_url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.path_code}.pdf"'
    return response


@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: confirm a certificate's holder, exam, date and score band (404 for an unknown code)."""
    certificate = certificates.get_certificate(code=code)
    if certificate is None:
        raise Http404
    return render(request, "quizzes/certificate_verify.html", {"certificate": certificate})
