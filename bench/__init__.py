"""Load, data-volume and failure drills run against a real stack (see each module's docstring)."""
