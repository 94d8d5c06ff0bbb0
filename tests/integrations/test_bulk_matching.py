"""Item 9: Clients → Match clients to Xero, on the sandbox's demo organisation over HTTP."""

import pytest
from django_htmx.http import HTMX_STOP_POLLING

from core.models import Membership
from integrations.models import XeroActivity, XeroBulkRun, XeroContact, XeroContactLink
from integrations.selectors import xero_bulk_review
from integrations.services import xero_contact_link
from tests.factories import CompanyFactory, MembershipFactory
from tests.integrations.demo_data import create_demo_companies, rows_by_match

pytestmark = pytest.mark.django_db
PAGE = "/clients/xero-matching/"


@pytest.fixture
def demo(connect, practice):
    connect()
    return create_demo_companies(practice)


def start(owner_client, django_capture_on_commit_callbacks, data, htmx=None):
    with django_capture_on_commit_callbacks(execute=True):
        return owner_client.post(f"{PAGE}start/", data, **(htmx or {}))


def poll(owner_client, run):
    """What the page's progress poll shows once the run has ended (the whole review, polling stopped)."""
    response = owner_client.get(f"{PAGE}runs/{run.pk}/", HTTP_HX_REQUEST="true")
    assert response.status_code == HTMX_STOP_POLLING
    return response.content.decode()


def test_grouping_on_the_demo_data(demo, practice, owner_client):
    review = xero_bulk_review(practice=practice)
    full = {row.client.name: row for row in review.full}
    assert {row["name"] for row in rows_by_match("exact")} <= set(full)
    for row in rows_by_match("rough") + rows_by_match("company_number"):
        assert full[row["name"]].contact.name == row["xero"]["name"]
    assert full["Blue Anchor Marine Services Ltd"].reasons[0] == "Same company number"
    assert {row.client.name for row in review.none} == {row["name"] for row in rows_by_match("none")}
    page = owner_client.get(PAGE).content.decode()
    assert "Full match (36)" in page and "No match (4)" in page
    assert "Same company number" in page and "Blue Anchor Boatyard" in page


def test_partial_group_and_htmx_partial(demo, practice, owner_client, htmx):
    CompanyFactory(practice=practice, name="Brightwater Plumbers", company_number="", vat_number="", email="")
    review = xero_bulk_review(practice=practice)
    partial = {row.client.name: row for row in review.partial}
    assert partial["Brightwater Plumbers"].contact.name == "Brightwater Plumbing Ltd"
    assert partial["Brightwater Plumbers"].reasons[0].startswith("Similar name (")
    body = owner_client.get(PAGE, **htmx).content.decode()
    assert body.lstrip().startswith('<div id="bulk-review">')


def test_link_selected_links_many_and_a_clash_gets_its_own_message(
    demo, practice, owner, owner_client, django_capture_on_commit_callbacks, htmx
):
    contact = {c.name: c for c in XeroContact.objects.filter(practice=practice)}
    pairs = [(demo["Brightwater Plumbing Ltd"], contact["Brightwater Plumbing Ltd"]),
             (demo["Acme Widgets Ltd"], contact["Acme Widgets Limited"]),
             (demo["Blue Anchor Marine Services Ltd"], contact["Blue Anchor Boatyard"])]  # fmt: skip
    # Meanwhile someone links Blue Anchor Boatyard to another client.
    other = CompanyFactory(practice=practice, name="Another Boatyard Ltd")
    xero_contact_link(practice=practice, client=other, contact=contact["Blue Anchor Boatyard"], user=owner,
                      verify=False)  # fmt: skip
    data = {"action": "link", "link": [f"{c.pk}:{k.pk}" for c, k in pairs]}
    response = start(owner_client, django_capture_on_commit_callbacks, data, htmx)
    assert response.status_code == 200
    run = XeroBulkRun.objects.get()
    assert run.status == "succeeded" and (run.succeeded, run.failed) == (2, 1)
    assert XeroContactLink.objects.filter(
        client=demo["Acme Widgets Ltd"], contact=contact["Acme Widgets Limited"]
    ).exists()
    assert not XeroContactLink.objects.filter(client=demo["Blue Anchor Marine Services Ltd"]).exists()
    assert 'hx-get="/clients/xero-matching/runs/' in response.content.decode()  # progress, polled
    body = poll(owner_client, run)
    assert "already linked to Another Boatyard Ltd" in body
    assert "2 of 3 linked." in body
    assert XeroActivity.objects.filter(action="contact_link", outcome="success").count() == 3


def test_link_ignores_ids_of_another_practice(demo, practice, owner_client, other_practice,
                                              django_capture_on_commit_callbacks):  # fmt: skip
    stranger = CompanyFactory(practice=other_practice, name="Brightwater Plumbing Ltd")
    contact = XeroContact.objects.get(practice=practice, name="Brightwater Plumbing Ltd")
    start(
        owner_client,
        django_capture_on_commit_callbacks,
        {"action": "link", "link": [f"{stranger.pk}:{contact.pk}"]},
    )
    assert not XeroContactLink.objects.exists() and not XeroBulkRun.objects.exists()


def test_create_in_xero_gives_a_result_per_row(demo, practice, owner_client, xero_sandbox,
                                               django_capture_on_commit_callbacks, htmx):  # fmt: skip
    bad = CompanyFactory(practice=practice, name="Lonely Host Ltd", email="ops@localhost")  # Xero refuses
    names = [row["name"] for row in rows_by_match("none")]
    ids = [demo[name].pk for name in names] + [bad.pk]
    before = len(xero_sandbox.contacts())
    start(owner_client, django_capture_on_commit_callbacks, {"action": "create", "create": ids}, htmx)
    run = XeroBulkRun.objects.get()
    assert run.status == "succeeded" and (run.succeeded, run.failed) == (4, 1)
    assert len(xero_sandbox.contacts()) == before + 4
    body = poll(owner_client, run)
    assert "Email address must be valid." in body
    assert body.count("Created in Xero and linked") == 4
    for name in names:
        link = XeroContactLink.objects.get(client=demo[name])
        assert link.contact.name == name and link.created_in_xero
    puts = [c for c in xero_sandbox.calls(area="accounting") if c["method"] == "PUT"]
    assert (
        len(puts) == 1 and "summarizeerrors=false" in puts[0]["query"].lower() and puts[0]["idempotency_key"]
    )
    assert XeroActivity.objects.filter(action="contact_create", outcome="success").count() == 4
    assert XeroActivity.objects.filter(action="contact_create", outcome="failure").count() == 1


def test_create_skips_a_name_xero_already_has(
    demo, practice, owner_client, django_capture_on_commit_callbacks
):
    twin = CompanyFactory(practice=practice, name="Brightwater Plumbing Ltd", company_number="01234567")
    start(owner_client, django_capture_on_commit_callbacks, {"action": "create", "create": [twin.pk]})
    run = XeroBulkRun.objects.get()
    assert run.items[0]["status"] == "skipped" and "link the client to it instead" in run.items[0]["message"]


def test_xero_down_ends_failed_and_the_retry_creates_each_contact_once(
    demo, practice, owner_client, xero_sandbox, django_capture_on_commit_callbacks, htmx
):
    names = [row["name"] for row in rows_by_match("none")]
    before = len(xero_sandbox.contacts())
    # The write happens in Xero but the answer is lost.
    xero_sandbox.inject_fault(path="/Contacts$", method="PUT", status=503, after=True)
    start(owner_client, django_capture_on_commit_callbacks,
                     {"action": "create", "create": [demo[n].pk for n in names]}, htmx)  # fmt: skip
    run = XeroBulkRun.objects.get()
    assert run.status == "failed" and "Try again" in run.message
    assert "Try again" in poll(owner_client, run)
    assert not XeroContactLink.objects.exists()
    # A new "Create in Xero" for the same clients does not start a second, keyless attempt.
    start(
        owner_client, django_capture_on_commit_callbacks, {"action": "create", "create": [demo[names[0]].pk]}
    )
    assert XeroBulkRun.objects.order_by("-pk").first().items[0]["status"] == "skipped"
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"{PAGE}runs/{run.pk}/retry/", **htmx)
    run.refresh_from_db()
    assert run.status == "succeeded" and run.succeeded == 4
    assert len(xero_sandbox.contacts()) == before + 4  # one each, never two
    assert XeroContactLink.objects.count() == 4


def test_xero_down_run_is_visible_in_eager_mode(demo, practice, owner_client, xero_sandbox,
                                                 django_capture_on_commit_callbacks, htmx):  # fmt: skip
    xero_sandbox.inject_fault(status=503, path="/Contacts", count=None)
    name = rows_by_match("none")[0]["name"]
    start(owner_client, django_capture_on_commit_callbacks, {"action": "create", "create": [demo[name].pk]})
    run = XeroBulkRun.objects.get()
    assert run.is_finished and run.status == "failed" and run.message
    poll = owner_client.get(f"{PAGE}runs/{run.pk}/", **htmx)
    assert poll.status_code == HTMX_STOP_POLLING
    assert "Failed" in poll.content.decode() or "failed" in poll.content.decode()


def test_unexpected_error_still_ends_the_run(demo, practice, owner_client, django_capture_on_commit_callbacks,
                                             monkeypatch):  # fmt: skip
    from integrations.services import bulk

    monkeypatch.setattr(bulk, "_process_links", lambda run: 1 / 0)
    contact = XeroContact.objects.get(practice=practice, name="Brightwater Plumbing Ltd")
    response = start(owner_client, django_capture_on_commit_callbacks,
                     {"action": "link", "link": [f"{demo['Brightwater Plumbing Ltd'].pk}:{contact.pk}"]})  # fmt: skip
    assert response.status_code == 302
    run = XeroBulkRun.objects.get()
    assert run.status == "failed" and run.message == bulk.UNEXPECTED


def test_contact_names_with_html_are_escaped(demo, practice, owner_client):
    XeroContact.objects.filter(practice=practice, name="Blue Anchor Boatyard").update(
        name="<b>Blue</b> Anchor"
    )
    body = owner_client.get(PAGE).content.decode()
    assert "<b>Blue</b>" not in body and "&lt;b&gt;Blue&lt;/b&gt; Anchor" in body


def test_other_practice_gets_404_for_a_run(demo, practice, owner_client, client, other_practice,
                                           django_capture_on_commit_callbacks):  # fmt: skip
    contact = XeroContact.objects.get(practice=practice, name="Brightwater Plumbing Ltd")
    start(owner_client, django_capture_on_commit_callbacks,
          {"action": "link", "link": [f"{demo['Brightwater Plumbing Ltd'].pk}:{contact.pk}"]})  # fmt: skip
    run = XeroBulkRun.objects.get()
    intruder = MembershipFactory(practice=other_practice, role=Membership.Role.OWNER).user
    client.force_login(intruder)
    assert client.get(f"{PAGE}runs/{run.pk}/", HTTP_HX_REQUEST="true").status_code == 404
    assert client.post(f"{PAGE}runs/{run.pk}/retry/").status_code == 404


def test_not_connected(owner_client, practice):
    body = owner_client.get(PAGE).content.decode()
    assert "Xero is not connected" in body
