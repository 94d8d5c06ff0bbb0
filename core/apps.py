from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Practice"

    def ready(self):
        from core import lookups  # noqa: F401 - registers the `any_of` lookup on every field
