"""Invoicing fixtures: a practice connected to the sandbox's demo organisation, with a company
linked to its Xero contact (the first sync has filled the mirror)."""

import pytest

from integrations import services
from integrations.models import XeroContact
from tests.integrations.conftest import connect  # noqa: F401 - the fixture, shared
from tests.integrations.demo_data import create_demo_companies

LINKED_CLIENT = "Brightwater Plumbing Ltd"  # matched to the Xero contact of the same name


@pytest.fixture
def linked(connect, practice):  # noqa: F811 - the imported fixture
    """(connection, client, contact): Brightwater Plumbing Ltd linked to its Xero contact."""
    connection = connect()
    companies = create_demo_companies(practice)
    client = companies[LINKED_CLIENT]
    contact = XeroContact.objects.get(practice=practice, name=LINKED_CLIENT)
    services.xero_contact_link(practice=practice, client=client, contact=contact, user=None, verify=False)
    return connection, client, contact


@pytest.fixture
def companies(linked, practice):
    from clients.models import Client

    return {c.name: c for c in Client.objects.filter(practice=practice)}
