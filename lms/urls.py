from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.api import errors as api_errors
from courses import views as course_views

from . import health

SWAGGER_CSP = csp_update({"style-src": [UNSAFE_INLINE], "img-src": ["data:"]})

api_v1: list[URLPattern | URLResolver] = [
    path("", include("courses.api.urls")),
    path("", include("quizzes.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI loads its start-up script from this URL (no inline script), but it styles itself
    # with an inline <style> and inline SVG images: its page alone allows those (docs/security.md).
    path("docs/", SWAGGER_CSP(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
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

# Errors outside DRF: JSON in the API's shape under /api/, the site's pages elsewhere.
handler400 = api_errors.bad_request
handler403 = api_errors.permission_denied
handler404 = api_errors.page_not_found
handler500 = api_errors.server_error

admin.site.site_header = "Certification LMS administration"
admin.site.site_title = "Certification LMS admin"
