import pytest
from django.contrib.auth import get_user_model

from core.models import Membership
from core.services import add_on_end, add_on_start
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_sign_in_with_email_and_sign_out(client, owner):
    response = client.post("/login/", {"username": owner.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    response = client.get("/")
    assert response.status_code == 200
    assert "Dashboard" in response.content.decode()
    client.post("/logout/")
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_wrong_password_keeps_email_and_says_so(client, owner):
    response = client.post("/login/", {"username": owner.email, "password": "nope"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please enter a correct" in body
    assert owner.email in body


@pytest.mark.django_db
def test_dashboard_loads_widgets_lazily(owner_client):
    body = owner_client.get("/").content.decode()
    assert 'id="widget-deadlines"' in body
    assert 'hx-get="/jobs/widgets/deadlines/"' in body
    assert 'hx-trigger="load"' in body


@pytest.mark.django_db
def test_top_menu_has_the_main_sections(owner_client):
    body = owner_client.get("/").content.decode()
    for label in ["Dashboard", "Clients", "Jobs", "All jobs", "Settings"]:
        assert label in body


@pytest.mark.django_db
def test_owner_edits_practice_profile_with_htmx(owner_client, practice, htmx):
    response = owner_client.post("/settings/", {"name": ""}, **htmx)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<form")
    assert "This field is required" in body
    response = owner_client.post("/settings/", {"name": "Smith Partners"})
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.name == "Smith Partners"


@pytest.mark.django_db
def test_staff_cannot_change_profile_or_add_users(staff_client, practice):
    response = staff_client.post("/settings/", {"name": "Hijacked"})
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.name != "Hijacked"
    assert staff_client.get("/settings/users/new/").status_code == 403


@pytest.mark.django_db
def test_owner_adds_a_user_who_can_sign_in(owner_client, practice, client):
    response = owner_client.post(
        "/settings/users/new/",
        {"first_name": "Ann", "last_name": "Lee", "email": "Ann@Example.com", "role": "staff",
         "password": "long-enough-pw"},
    )  # fmt: skip
    assert response.status_code == 302
    user = get_user_model().objects.get(email="ann@example.com")
    assert user.membership.practice == practice
    assert user.membership.role == Membership.Role.STAFF
    assert "Ann Lee" in owner_client.get("/settings/users/").content.decode()


@pytest.mark.django_db
def test_billing_shows_active_add_ons_and_total(owner_client, practice):
    add_on_start(practice=practice, code="xero", description="Xero integration", monthly_price="4.00")
    add_on_start(practice=practice, code="xero", description="Xero integration", monthly_price="4.00")
    body = owner_client.get("/settings/billing/").content.decode()
    assert body.count("Xero integration") == 1
    assert "£4.00" in body
    add_on_end(practice=practice, code="xero")
    body = owner_client.get("/settings/billing/").content.decode()
    assert "No paid add-ons" in body
    assert "£0.00" in body


@pytest.mark.django_db
def test_banners_are_read_for_whole_pages_only(owner_client, practice):
    """The reconnect banner shows on pages; htmx partials (widgets, dialogs) skip its query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.integrations.factories import XeroConnectionFactory

    XeroConnectionFactory(practice=practice, status="needs_reconnect", tenant_name="Harbour Books")
    assert "Engager can no longer reach Harbour Books" in owner_client.get("/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        body = owner_client.get("/jobs/widgets/deadlines/", HTTP_HX_REQUEST="true").content.decode()
    assert "Harbour Books" not in body
    assert not any("integrations_xeroconnection" in q["sql"] for q in queries.captured_queries)
