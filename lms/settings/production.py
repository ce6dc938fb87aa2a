"""Production: every secret from the environment, static files from whitenoise, HTTPS only.

`manage.py check --deploy --fail-level WARNING` passes with these settings and nothing silenced
(tests/lms/test_production_settings.py); docs/security.md lists each measure.
"""

from .base import *
from .secret_key import checked_secret_key

DEBUG = False
SECRET_KEY = checked_secret_key(env.str("SECRET_KEY"))
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# HTTPS. The proxy in front of gunicorn terminates TLS and must set (overwrite) X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Plain-HTTP requests are redirected to HTTPS. Set SECURE_SSL_REDIRECT=false only when the proxy
# itself redirects or refuses plain HTTP (check --deploy then reports security.W008, as it should).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The container's own health probes call gunicorn directly over HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# HSTS: browsers use HTTPS only, for a year by default. Start lower (e.g. 3600) on a new domain.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Cookies: sent over HTTPS only; the session cookie is out of JavaScript's reach.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Headers (Django's defaults, stated so that no upgrade or override loosens them unnoticed).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
