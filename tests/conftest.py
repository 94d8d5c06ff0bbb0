"""Shared fixtures: practice, users, logged-in clients, the Xero sandbox server."""

pytest_plugins = ["tests.fixtures.xero_sandbox"]
