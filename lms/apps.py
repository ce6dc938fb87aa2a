from django.apps import AppConfig


class LmsConfig(AppConfig):
    """The project wiring as an app: database failover handling, management commands (db_status)."""

    name = "lms"
    verbose_name = "Project wiring"

    def ready(self) -> None:
        from core import auth

        from .middleware import connect_signals

        connect_signals()
        auth.connect_signals()
