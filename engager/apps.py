from django.apps import AppConfig


class EngagerConfig(AppConfig):
    """The project package as an app, only so its system checks are registered at startup."""

    name = "engager"
    verbose_name = "Engager"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the checks
