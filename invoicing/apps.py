from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core.navigation import NavEntry, client_menu, dashboard_widgets, job_tabs, jobs_menu
        from invoicing import sync  # noqa: F401  registers the invoice and credit-note sync steps
        from invoicing.mirror_version import job_or_link_saved_or_deleted
        from invoicing.models import JobInvoiceLink
        from invoicing.selectors import client_is_linked
        from jobs.models import Job

        # Invoice History shows on the client's menu only once the client is linked to Xero.
        client_menu.register(
            NavEntry("invoices", "Invoice History", "invoicing:history", order=40, visible=client_is_linked)
        )
        # Every job page: its Invoice tab (the job's invoices, Raise, Link existing).
        job_tabs.register(NavEntry("invoice", "Invoice", "job_invoices:tab", order=30))
        # Jobs ▾ → Xero: the firm's Xero invoices; the dashboard's Debtors widget (loaded lazily).
        jobs_menu.register(NavEntry("xero", "Xero", "xero_invoices:list", order=20, takes_pk=False))
        dashboard_widgets.register(
            NavEntry("debtors", "Debtors", "xero_invoices:debtors_widget", order=20, takes_pk=False)
        )
        # Unbilled completed work is cached under the practice's work version: any job or job link
        # saved or deleted bumps it (invoicing.mirror_version).
        for model in (Job, JobInvoiceLink):
            for signal in (post_save, post_delete):
                signal.connect(
                    job_or_link_saved_or_deleted,
                    sender=model,
                    dispatch_uid=f"invoicing-work-{model.__name__}",
                )
