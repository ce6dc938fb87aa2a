from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api import errors as api_errors
from courses import views as course_views

from . import health

api_v1: list[URLPattern | URLResolver] = [
    path("", include("courses.api.urls")),
    path("", include("quizzes.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Keep last: any other /api/v1/ URL answers a JSON 404 in the API's error shape.
    re_path(r"^.*$", api_errors.not_found, name="api-not-found"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # Ahead of django.contrib.auth.urls' own: the reset page, throttled.
    path("accounts/password_reset/", course_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(api_v1)),
    path("", include("quizzes.urls")),
    path("", include("courses.urls")),
]

admin.site.site_header = "Certification LMS administration"
admin.site.site_title = "Certification LMS admin"
