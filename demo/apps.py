from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo practice: `manage.py seed_demo` and the client list it shares with the Xero sandbox
    (clients.json). It sits above the domain apps, so `core` imports none of them."""

    name = "demo"
    verbose_name = "Demo practice"
