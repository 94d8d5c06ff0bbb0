"""Shared fixtures: practice, users, logged-in clients, the Xero sandbox server."""

import pytest

from core.models import Membership
from tests.factories import MembershipFactory, PracticeFactory

pytest_plugins = ["tests.fixtures.xero_sandbox"]


@pytest.fixture(autouse=True)
def _forget_xero_rate_limits():
    """The pacer remembers Xero's rate-limit headers per tenant; tests start from a clean slate."""
    from integrations.xero.pacing import pacer

    pacer.reset()
    yield
    pacer.reset()


@pytest.fixture
def practice(db):
    return PracticeFactory(name="Smith & Co Accountants")


@pytest.fixture
def owner(practice):
    return MembershipFactory(practice=practice, role=Membership.Role.OWNER).user


@pytest.fixture
def staff_user(practice):
    return MembershipFactory(practice=practice, role=Membership.Role.STAFF).user


@pytest.fixture
def other_practice(db):
    return PracticeFactory(name="Rival Accountants Ltd")


@pytest.fixture
def owner_client(client, owner):
    """Django's test client, signed in as an owner of `practice`."""
    client.force_login(owner)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def htmx():
    """Headers that make a request look like it came from htmx."""
    return {"HTTP_HX_REQUEST": "true"}
