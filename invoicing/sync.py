"""Invoicing's part in the Xero sync and webhooks, registered with integrations at start-up.

- Sync steps "invoices" and "credit_notes" run after contacts in every sync run (beat every 15
  minutes, Sync now, the first sync after connecting): paged, pageSize=1000, incremental from their
  own high-water marks.
- Webhook handlers for INVOICE and CREDITNOTE events fetch the resource by id and upsert it.
- A contact linked to (or unlinked from) a client carries its invoices and credit notes with it.
"""

from django.db.models.signals import post_delete, post_save

from integrations.services import SyncStep, WebhookHandler, register_sync_step, register_webhook_handler
from invoicing.models import CreditNote, Invoice
from invoicing.services.mirror import (
    allocations_link,
    credit_notes_upsert,
    invoices_upsert,
    mirror_client_link_changed,
    mirror_contacts_relink,
)

LINK_MODEL = "integrations.XeroContactLink"


def _invoices_finish(*, practice, tenant_id: str) -> None:
    mirror_contacts_relink(practice=practice, tenant_id=tenant_id)


def _credit_notes_finish(*, practice, tenant_id: str) -> None:
    mirror_contacts_relink(practice=practice, tenant_id=tenant_id)
    allocations_link(practice=practice, tenant_id=tenant_id)


register_sync_step(
    SyncStep(
        kind="invoices",
        label="invoices",
        fetch_page=lambda client, **kwargs: client.invoices_page(**kwargs),
        upsert=lambda *, practice, tenant_id, items: invoices_upsert(
            practice=practice, tenant_id=tenant_id, invoices=items
        ),
        count=lambda *, practice, tenant_id: Invoice.objects.filter(
            practice=practice, tenant_id=tenant_id
        ).count(),
        finish=_invoices_finish,
        order=10,
    )
)
register_sync_step(
    SyncStep(
        kind="credit_notes",
        label="credit notes",
        fetch_page=lambda client, **kwargs: client.credit_notes_page(**kwargs),
        upsert=lambda *, practice, tenant_id, items: credit_notes_upsert(
            practice=practice, tenant_id=tenant_id, credit_notes=items
        ),
        count=lambda *, practice, tenant_id: CreditNote.objects.filter(
            practice=practice, tenant_id=tenant_id
        ).count(),
        finish=_credit_notes_finish,
        order=20,
    )
)
register_webhook_handler(
    WebhookHandler(
        category="INVOICE",
        fetch=lambda client, resource_id: client.invoice_get(resource_id),
        upsert=lambda *, practice, tenant_id, items: invoices_upsert(
            practice=practice, tenant_id=tenant_id, invoices=items
        ),
    )
)
register_webhook_handler(
    WebhookHandler(
        category="CREDITNOTE",
        fetch=lambda client, resource_id: client.credit_note_get(resource_id),
        upsert=lambda *, practice, tenant_id, items: credit_notes_upsert(
            practice=practice, tenant_id=tenant_id, credit_notes=items
        ),
    )
)


def _link_saved(sender, instance, **kwargs) -> None:
    mirror_client_link_changed(
        practice_id=instance.practice_id, contact_pk=instance.contact_id, client_pk=instance.client_id
    )


def _link_deleted(sender, instance, **kwargs) -> None:
    mirror_client_link_changed(
        practice_id=instance.practice_id, contact_pk=instance.contact_id, client_pk=None
    )


post_save.connect(_link_saved, sender=LINK_MODEL, dispatch_uid="invoicing-link-saved")
post_delete.connect(_link_deleted, sender=LINK_MODEL, dispatch_uid="invoicing-link-deleted")
