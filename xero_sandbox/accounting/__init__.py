"""Xero's Accounting API (api.xro/2.0): the endpoints the app uses, in Xero's wire format."""
