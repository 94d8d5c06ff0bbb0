"""Xero's identity service: the consent page, the token endpoint, revocation and connections."""
