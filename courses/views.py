"""HTML pages of the courses app: thin views over selectors and services."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.api.throttling import password_reset_wait
from core.routing import replica_ok

from . import selectors, services
from .filters import PathFilter
from .forms import SignUpForm


@replica_ok()  # public pages: a standby copy a few seconds old is fine (never after a write)
def catalog(request: HttpRequest) -> HttpResponse:
    """List the certification paths that match the filters of the query string, grouped by provider."""
    found = PathFilter(request.GET, queryset=selectors.list_paths())
    paths = list(found.qs)
    context = {
        "filter": found,
        "filtered": any(request.GET.get(name) for name in found.filters),
        "count": len(paths),
        "providers": selectors.group_by_provider(paths),
    }
    return render(request, "courses/catalog.html", context)


@replica_ok()
def path_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show one path's exam facts and blueprint; a retired path points at its successors."""
    path = selectors.get_path(code=code)
    context = {"path": path, "courses": selectors.list_published_courses(path)}
    return render(request, "courses/path_detail.html", context)


def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A published course's modules and lessons, with the student's completed ones ticked."""
    course = selectors.get_published_course(slug=slug)
    student_id = request.user.pk if request.user.is_authenticated else None
    done = selectors.completed_lesson_ids(student_id=student_id, course=course)
    return render(request, "courses/course_detail.html", {"course": course, "done": done})


def lesson_detail(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    course = selectors.get_published_course(slug=slug)
    lesson = selectors.get_lesson(course=course, slug=lesson_slug)
    lessons = [item for module in course.modules.all() for item in module.lessons.all()]
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    student_id = request.user.pk if request.user.is_authenticated else None
    context = {
        "course": course,
        "lesson": lesson,
        "previous": lessons[index - 1] if index > 0 else None,
        "next": lessons[index + 1] if index + 1 < len(lessons) else None,
        "done": lesson.pk in selectors.completed_lesson_ids(student_id=student_id, course=course),
    }
    return render(request, "courses/lesson_detail.html", context)


@login_required
@require_POST
def lesson_complete(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    course = selectors.get_published_course(slug=slug)
    lesson = selectors.get_lesson(course=course, slug=lesson_slug)
    services.complete_lesson(student=request.user, lesson=lesson, now=timezone.now())
    messages.success(request, f"Marked '{lesson.title}' as completed.")
    return redirect("lesson-detail", slug=slug, lesson_slug=lesson_slug)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create a student account and sign it in."""
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.register_student(
            username=form.cleaned_data["username"],
            email=form.cleaned_data.get("email", ""),
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="core.auth.ModelBackend")
        return redirect("catalog")
    return render(request, "registration/signup.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password-reset page, throttled per client address and per e-mail address."""

    def form_valid(self, form: Any) -> HttpResponse:
        wait = password_reset_wait(self.request)
        if wait is None:
            return super().form_valid(form)
        minutes = max(1, math.ceil(wait / 60))
        form.add_error(
            None,
            f"Too many reset requests from here or for this address: try again in {minutes} "
            f"minute{'s' if minutes > 1 else ''}. A mail already sent stays valid.",
        )
        response = self.form_invalid(form)
        response.status_code = 429
        response["Retry-After"] = str(math.ceil(wait))
        return response
