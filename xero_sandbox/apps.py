from django.apps import AppConfig


class XeroSandboxConfig(AppConfig):
    name = "xero_sandbox"
    verbose_name = "Xero sandbox"
    # State is loaded (or the demo seeded) lazily on the first request, so management commands
    # such as migrate never pay for it.
