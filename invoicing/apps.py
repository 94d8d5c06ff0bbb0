from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"

    def ready(self):
        from invoicing import sync  # noqa: F401  registers the invoice and credit-note sync steps
