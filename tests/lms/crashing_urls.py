"""The project's URLs and error handlers, plus views that crash (tests/lms/test_error_handlers.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from lms.urls import handler400, handler403, handler404, handler500
from lms.urls import urlpatterns as project_urlpatterns


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail")


urlpatterns = [path("api/v1/crash/", crash), path("crash/", crash), *project_urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
