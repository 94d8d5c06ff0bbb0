"""Writes for invoicing (the invoice and credit-note mirror, raising invoices)."""
