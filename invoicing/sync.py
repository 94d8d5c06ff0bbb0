"""Registers invoicing's Xero sync steps and webhook handlers (filled in below)."""
