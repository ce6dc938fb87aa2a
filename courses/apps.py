from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses and catalog"

    def ready(self) -> None:
        from .roles import ensure_role_groups

        # Like contrib.auth creating permissions: roles exist after every migrate.
        post_migrate.connect(ensure_role_groups, sender=self)
