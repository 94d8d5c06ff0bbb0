"""An offline Xero: identity, accounting API, web pages and webhooks, served under /xero-sandbox/.

Mounted only in sandbox mode. It keeps its own in-memory state (never the app's database) and
imports nothing from the app; the app reaches it only over HTTP, exactly as it would reach Xero.
"""
