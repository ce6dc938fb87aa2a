"""HTML pages of the courses app: thin views over selectors and services."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms import SignUpForm


def catalog(request: HttpRequest) -> HttpResponse:
    """List every certification path, grouped by provider."""
    return render(request, "courses/catalog.html", {"providers": selectors.list_paths_by_provider()})


def path_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show one path's exam facts and blueprint; a retired path points at its successors."""
    return render(request, "courses/path_detail.html", {"path": selectors.get_path(code=code)})


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
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("catalog")
    return render(request, "registration/signup.html", {"form": form})
