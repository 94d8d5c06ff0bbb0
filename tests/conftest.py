"""Shared fixtures: practice, users, logged-in clients, the Xero sandbox server."""

import pytest

from core.models import Membership
from tests.factories import MembershipFactory, PracticeFactory

# require_all_tests: under ENGAGER_REQUIRE_ALL_TESTS=1 (CI) a skip without an allowed reason fails.
pytest_plugins = ["tests.fixtures.xero_sandbox", "tests.fixtures.require_all_tests"]


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
def practice_admin(practice):
    """A member of `practice` with the admin role (named so as not to shadow pytest-django's
    `admin_user`, which is a Django superuser)."""
    return MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user


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
def practice_admin_client(client, practice_admin):
    client.force_login(practice_admin)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def htmx():
    """Headers that make a request look like it came from htmx."""
    return {"HTTP_HX_REQUEST": "true"}
