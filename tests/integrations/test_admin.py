"""The Xero mirror and the activity log are Engager's records of what Xero said and what happened:
the admin shows them and never edits, adds or deletes them."""

import pytest
from django.test import Client

from integrations.models import XeroActivity, XeroContact, XeroReferenceItem, XeroSyncRun
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(practice):
    user = UserFactory(is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def records(practice):
    return {
        "xerocontact": XeroContact.objects.create(
            practice=practice, tenant_id="t", contact_id="c", name="Acme Ltd"
        ),
        "xeroreferenceitem": XeroReferenceItem.objects.create(
            practice=practice, tenant_id="t", kind="account", code="200", name="Sales"
        ),
        "xerosyncrun": XeroSyncRun.objects.create(practice=practice, status="succeeded"),
        "xeroactivity": XeroActivity.objects.create(
            practice=practice, action="connected", description="Connected to Acme"
        ),
    }


@pytest.mark.parametrize("model", ["xerocontact", "xeroreferenceitem", "xerosyncrun", "xeroactivity"])
def test_mirror_and_activity_admins_are_read_only(superuser_client, records, model):
    obj = records[model]
    base = f"/admin/integrations/{model}/"
    assert superuser_client.get(base).status_code == 200  # they can be looked at
    change = superuser_client.get(f"{base}{obj.pk}/change/")
    assert change.status_code == 200
    body = change.content.decode()
    assert 'name="_save"' not in body and "/delete/" not in body
    assert superuser_client.get(f"{base}add/").status_code == 403
    assert superuser_client.post(f"{base}add/", {}).status_code == 403
    assert superuser_client.get(f"{base}{obj.pk}/delete/").status_code == 403
    assert superuser_client.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    superuser_client.post(f"{base}{obj.pk}/change/", {"name": "Changed", "description": "Changed"})
    superuser_client.post(base, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    assert type(obj).objects.filter(pk=obj.pk).exists()
    obj_after = type(obj).objects.get(pk=obj.pk)
    assert getattr(obj_after, "name", getattr(obj_after, "description", "")) != "Changed"
