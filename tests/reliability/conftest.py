"""Fixtures for the fault matrix: the same connected practice the integration tests use."""

from tests.integrations.conftest import connect  # noqa: F401 - a fixture, shared with tests/integrations
