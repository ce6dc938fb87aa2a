"""The production SECRET_KEY is refused at start-up when it is short or a known placeholder."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5
# Words that only placeholders and Django's generated development keys contain.
PLACEHOLDER_WORDS = ("insecure", "change-me", "changeme")


def checked_secret_key(value: str) -> str:
    """Return `value` when it is fit to sign production sessions; raise ImproperlyConfigured if not."""
    how = "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    lowered = value.lower()
    for word in PLACEHOLDER_WORDS:
        if word in lowered:
            raise ImproperlyConfigured(
                f"SECRET_KEY contains {word!r}: it is a placeholder, not a secret. {how}"
            )
    if len(value) < MIN_LENGTH:
        raise ImproperlyConfigured(
            f"SECRET_KEY is {len(value)} characters long; production needs at least {MIN_LENGTH}. {how}"
        )
    if len(set(value)) < MIN_UNIQUE_CHARACTERS:
        raise ImproperlyConfigured(
            f"SECRET_KEY uses fewer than {MIN_UNIQUE_CHARACTERS} different characters. {how}"
        )
    return value
