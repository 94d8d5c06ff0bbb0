"""Xero's bookkeeping rules: contacts, invoices, totals, payments.

Shared by the Accounting API, the control API and the sandbox's own web pages, so a change made
"in Xero" follows the same rules (and raises the same webhooks) as one made through the API.
Callers hold `store.lock`.
"""

from .contacts import plan_contact
from .invoices import invoice_pay, plan_invoice
from .plans import Batch, Plan

__all__ = ["Batch", "Plan", "invoice_pay", "plan_contact", "plan_invoice"]
