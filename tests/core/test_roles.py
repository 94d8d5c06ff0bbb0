"""Roles: owners and admins manage the practice, staff do not (issue 7, section E).

A matrix of owner, admin and staff against every manager-only view, GET and POST. Staff are
refused with 403 (core.permissions.manager_required raises PermissionDenied), except where a view
says so itself (noted per row). The last test walks the URL configuration so that a new
manager-only view cannot be added without joining the matrix.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import Membership
from integrations.models import PendingXeroGrant, XeroConnection
from integrations.views import GRANT_SESSION_KEY, OAUTH_SESSION_KEY
from tests.integrations.factories import XeroConnectionFactory

pytestmark = pytest.mark.django_db

MANAGERS = ["owner", "practice_admin"]

# Every view only owners and admins may use (by URL name), and what staff get for GET and POST.
# 403: refused by manager_required. 405: the view takes POST only (refused before any role check).
# settings_practice: everyone may read the profile; a staff POST is turned away with a message.
MATRIX = {
    "core:settings_practice": {"GET": 200, "POST": 302},
    "core:settings_user_add": {"GET": 403, "POST": 403},
    "integrations:xero_authorise": {"GET": 405, "POST": 403},
    "integrations:xero_callback": {"GET": 403, "POST": 403},
    "integrations:xero_organisation": {"GET": 403, "POST": 403},
    "integrations:xero_disconnect": {"GET": 403, "POST": 403},
}


def _post_data(name: str, sandbox_tenant: str) -> dict:
    return {
        "core:settings_practice": {"name": "Taken Over Ltd"},
        "core:settings_user_add": {"first_name": "Eve", "last_name": "Intruder", "email": "eve@example.com",
                                   "role": "owner", "password": "Quiet-harbour-lantern-42"},
        "integrations:xero_organisation": {"tenant_id": sandbox_tenant, "confirm_switch": "yes"},
    }.get(name, {})  # fmt: skip


@pytest.fixture
def member_client(request, client):
    """The test client signed in as the member named by the test's `role` parameter."""

    def _sign_in(role: str):
        user = request.getfixturevalue(role)
        client.force_login(user)
        return client, user

    return _sign_in


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_staff_are_refused_every_manager_only_view(staff_client, staff_user, practice, name):
    assert staff_user.membership.role == Membership.Role.STAFF
    # Everything a manager would need is in place, so only the role can be the reason for a refusal.
    connection = XeroConnectionFactory(practice=practice)
    grant = PendingXeroGrant.objects.create(
        practice=practice, user=staff_user, access_token_encrypted="x", refresh_token_encrypted="x",
        expires_at=connection.expires_at, tenants=[{"tenant_id": "t-2", "tenant_name": "Other Org"}],
    )  # fmt: skip
    session = staff_client.session
    session[GRANT_SESSION_KEY] = grant.pk
    session[OAUTH_SESSION_KEY] = {"state": "s", "code_verifier": "v", "redirect_uri": "http://testserver/"}
    session.save()
    url = reverse(name)

    for method, expected in MATRIX[name].items():
        if method == "GET":
            response = staff_client.get(url, {"state": "s", "code": "c"} if "callback" in name else {})
        else:
            response = staff_client.post(url, _post_data(name, "t-2"))
        assert response.status_code == expected, (method, name, response.status_code)

    # Nothing changed.
    practice.refresh_from_db()
    assert practice.name == "Smith & Co Accountants"
    assert not Membership.objects.filter(user__email="eve@example.com").exists()
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.ACTIVE
    assert connection.tenant_id != "t-2"
    assert PendingXeroGrant.objects.filter(pk=grant.pk).exists()


def test_a_staff_profile_post_is_turned_away_with_a_reason(staff_client, practice):
    response = staff_client.post(reverse("core:settings_practice"), {"name": "Taken Over Ltd"}, follow=True)
    assert "Only owners and admins can change the practice profile." in response.content.decode()
    practice.refresh_from_db()
    assert practice.name == "Smith & Co Accountants"


@pytest.mark.parametrize("role", MANAGERS)
def test_owners_and_admins_manage_the_practice_and_its_users(member_client, practice, role):
    client, user = member_client(role)
    assert user.membership.role in (Membership.Role.OWNER, Membership.Role.ADMIN)
    settings_url, add_url = reverse("core:settings_practice"), reverse("core:settings_user_add")

    assert client.get(settings_url).status_code == 200
    assert client.post(settings_url, {"name": f"Renamed by {role}"}).status_code == 302
    practice.refresh_from_db()
    assert practice.name == f"Renamed by {role}"

    assert client.get(add_url).status_code == 200
    assert client.post(add_url, _post_data("core:settings_user_add", "")).status_code == 302
    assert Membership.objects.get(user__email="eve@example.com").practice == practice


@pytest.mark.parametrize("role", MANAGERS)
def test_owners_and_admins_authorise_choose_the_organisation_and_disconnect(
    member_client, practice, role, xero_sandbox, django_capture_on_commit_callbacks
):
    client, user = member_client(role)
    tenants = [xero_sandbox.demo_tenant_id, xero_sandbox.second_tenant_id]

    assert client.get(reverse("integrations:xero_authorise")).status_code == 405
    start = client.post(reverse("integrations:xero_authorise"))
    assert start.status_code == 302
    assert start["Location"].startswith(xero_sandbox.login_base)
    callback = urlsplit(xero_sandbox.decide(xero_sandbox.consent_page(start["Location"]), tenants=tenants))
    response = client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:xero_organisation")

    page = client.get(reverse("integrations:xero_organisation"))
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        chosen = client.post(
            reverse("integrations:xero_organisation"), {"tenant_id": xero_sandbox.second_tenant_id}
        )
    assert chosen.status_code == 302
    connection = XeroConnection.objects.get(practice=practice)
    assert connection.tenant_id == xero_sandbox.second_tenant_id
    assert connection.status == XeroConnection.Status.ACTIVE

    assert client.get(reverse("integrations:xero_disconnect")).status_code == 200
    assert client.post(reverse("integrations:xero_disconnect")).status_code == 302
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.DISCONNECTED


def _url_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _url_patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry.callback


def test_the_matrix_covers_every_manager_only_view():
    manager_only = {name for name, view in _url_patterns() if getattr(view, "manager_only", False)}

    assert manager_only, "no view is marked manager-only: has core.permissions.manager_required changed?"
    missing = manager_only - set(MATRIX)
    assert not missing, f"manager-only views missing from the roles matrix: {sorted(missing)}"
    # And every row still is what it claims: refused to staff by manager_required (or its own check).
    assert manager_only | {"core:settings_practice"} == set(MATRIX)
