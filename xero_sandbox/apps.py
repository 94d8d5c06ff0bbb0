from django.apps import AppConfig


class XeroSandboxConfig(AppConfig):
    name = "xero_sandbox"
    verbose_name = "Xero sandbox"

    def ready(self) -> None:
        # Registers the webhook sender as a listener for change events. State itself is loaded (or
        # the demo seeded) lazily on the first request, so management commands never pay for it.
        from . import webhooks  # noqa: F401
