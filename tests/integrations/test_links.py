"""Link with Xero (issue 9): match, create new and unlink, through the sandbox over HTTP."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models.deletion import RestrictedError

from clients.models import Client
from integrations import services
from integrations.models import XeroActivity, XeroContact, XeroContactCreation, XeroContactLink
from integrations.xero.errors import XeroUnavailable
from tests.factories import CompanyFactory, IndividualFactory
from tests.integrations.demo_data import create_demo_companies

pytestmark = pytest.mark.django_db


def accounting_calls(sandbox, since=0):
    return sandbox.calls(area="accounting", since=since)


def contacts_named(sandbox, name):
    return [c for c in sandbox.contacts() if c["Name"] == name]


@pytest.fixture
def linked_setup(connect, practice):
    connection = connect()
    companies = create_demo_companies(practice)
    return connection, companies


def dialog_url(client, step=""):
    return f"/clients/{client.pk}/xero/{step}"


# --- Match → Confirm → Save -----------------------------------------------------------------------


def test_match_confirm_save(linked_setup, owner_client, xero_sandbox, htmx):
    _connection, companies = linked_setup
    acme = companies["Acme Widgets Ltd"]
    xero_sandbox.clear_calls()

    dialog = owner_client.get(dialog_url(acme), **htmx)
    assert dialog.status_code == 200
    html = dialog.content.decode()
    assert html.lstrip().startswith('<div id="xero-dialog"')  # only the partial
    assert "Acme Widgets Limited" in html  # the rough-name suggestion, straight away
    assert accounting_calls(xero_sandbox) == []  # opening the dialog never calls Xero

    contact = XeroContact.objects.get(name="Acme Widgets Limited")
    confirm = owner_client.get(dialog_url(acme, "match/"), {"contact": contact.pk}, **htmx)
    assert "Save" in confirm.content.decode()
    assert not XeroContactLink.objects.exists()

    saved = owner_client.post(dialog_url(acme, "match/"), {"contact": contact.pk}, **htmx)
    assert saved.status_code == 200 and saved["HX-Redirect"] == acme.get_absolute_url()
    link = XeroContactLink.objects.get()
    assert (link.client, link.contact, link.created_in_xero) == (acme, contact, False)
    assert XeroActivity.objects.filter(action="contact_link", xero_id=contact.contact_id).exists()

    page = owner_client.get(acme.get_absolute_url()).content.decode()
    assert "Linked to" in page and "Acme Widgets Limited" in page
    assert "organisationlogin/default.aspx?shortcode=" in page and 'target="_blank"' in page


def test_match_without_javascript(linked_setup, owner_client):
    _connection, companies = linked_setup
    brightwater = companies["Brightwater Plumbing Ltd"]
    page = owner_client.get(dialog_url(brightwater))
    assert "<!doctype html>" in page.content.decode()  # a whole page
    contact = XeroContact.objects.get(name="Brightwater Plumbing Ltd")
    saved = owner_client.post(dialog_url(brightwater, "match/"), {"contact": contact.pk})
    assert saved.status_code == 302 and saved["Location"] == brightwater.get_absolute_url()
    assert brightwater.xero_link.contact == contact


def test_deep_link_opens_the_contact_in_the_sandbox(linked_setup, owner_client, xero_sandbox):
    _connection, companies = linked_setup
    client = companies["Brightwater Plumbing Ltd"]
    contact = XeroContact.objects.get(name="Brightwater Plumbing Ltd")
    services.xero_contact_link(practice=client.practice, client=client, contact=contact, user=None)
    from integrations.selectors import xero_client_panel

    url = xero_client_panel(practice=client.practice, client=client).contact_url
    answer = xero_sandbox.http.get(url)
    assert answer.status_code == 200 and "Brightwater Plumbing Ltd" in answer.text


# --- search ---------------------------------------------------------------------------------------


def test_search_asks_xero_once_and_adds_new_contacts_to_the_mirror(
    linked_setup, owner_client, xero_sandbox, htmx
):
    _connection, companies = linked_setup
    xero_sandbox.create_contact({"Name": "Zebra Crossings Ltd"})  # made in Xero after the sync
    assert not XeroContact.objects.filter(name="Zebra Crossings Ltd").exists()
    xero_sandbox.clear_calls()

    answer = owner_client.get(
        dialog_url(companies["Acme Widgets Ltd"], "search/"), {"q": "Zebra", "target": "results"}, **htmx
    )
    html = answer.content.decode()
    assert html.lstrip().startswith('<div id="xero-search-results"')
    assert "Zebra Crossings Ltd" in html
    calls = accounting_calls(xero_sandbox)
    assert len(calls) == 1 and "searchTerm=Zebra" in calls[0]["query"]
    assert XeroContact.objects.filter(name="Zebra Crossings Ltd").exists()


def test_search_when_xero_is_down_shows_the_mirror(linked_setup, owner_client, xero_sandbox, htmx):
    _connection, companies = linked_setup
    xero_sandbox.inject_fault(status=503, path="/Contacts", count=None)
    answer = owner_client.get(
        dialog_url(companies["Acme Widgets Ltd"], "search/"), {"q": "Brightwater"}, **htmx
    )
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "Brightwater Plumbing Ltd" in html and "Xero is not answering" in html


def test_archived_hidden_unless_asked(linked_setup, owner_client, xero_sandbox, htmx):
    _connection, companies = linked_setup
    archived = XeroContact.objects.filter(status="ARCHIVED").first()
    assert archived is not None, "the demo organisation has an archived contact"
    url = dialog_url(companies["Acme Widgets Ltd"], "search/")
    hidden = owner_client.get(url, {"q": archived.name[:6], "target": "results"}, **htmx).content.decode()
    shown = owner_client.get(url, {"q": archived.name[:6], "archived": "1", "target": "results"}, **htmx)
    assert f'value="{archived.pk}"' not in hidden
    assert f'value="{archived.pk}"' in shown.content.decode()


def test_contact_linked_to_another_client_cannot_be_chosen(linked_setup, owner_client, htmx):
    _connection, companies = linked_setup
    contact = XeroContact.objects.get(name="Brightwater Plumbing Ltd")
    brightwater, acme = companies["Brightwater Plumbing Ltd"], companies["Acme Widgets Ltd"]
    services.xero_contact_link(practice=acme.practice, client=brightwater, contact=contact, user=None)
    html = owner_client.get(
        dialog_url(acme, "search/"), {"q": "Brightwater", "target": "results"}, **htmx
    ).content.decode()
    assert "linked to" in html and "Brightwater Plumbing Ltd" in html
    assert f'value="{contact.pk}"' not in html
    answer = owner_client.post(dialog_url(acme, "match/"), {"contact": contact.pk}, **htmx)
    assert answer.status_code == 200
    assert "already linked to Brightwater Plumbing Ltd" in answer.content.decode()
    assert XeroContactLink.objects.get().client == brightwater


# --- Create → Confirm → Save ----------------------------------------------------------------------


def test_create_confirm_save(linked_setup, owner_client, xero_sandbox, htmx):
    _connection, companies = linked_setup
    ashdown = companies["Ashdown Garden Centre Ltd"]  # not in Xero
    dialog = owner_client.get(dialog_url(ashdown), {"choice": "create"}, **htmx).content.decode()
    for shown in ("Ashdown Garden Centre Ltd", "05872640", f"CLI-{ashdown.pk:06d}", "Street address"):
        assert shown in dialog
    confirm = owner_client.get(dialog_url(ashdown, "create/"), **htmx).content.decode()
    assert "Save" in confirm
    assert contacts_named(xero_sandbox, "Ashdown Garden Centre Ltd") == []

    saved = owner_client.post(dialog_url(ashdown, "create/"), **htmx)
    assert saved["HX-Redirect"] == ashdown.get_absolute_url()
    [created] = contacts_named(xero_sandbox, "Ashdown Garden Centre Ltd")
    assert created["CompanyNumber"] == "05872640"
    assert created["AccountNumber"] == f"CLI-{ashdown.pk:06d}"
    assert created["TaxNumber"] == ashdown.vat_number
    street = [a for a in created["Addresses"] if a["AddressType"] == "STREET"][0]
    assert street["PostalCode"] and street["AddressLine1"]
    link = XeroContactLink.objects.get(client=ashdown)
    assert link.created_in_xero and link.contact.contact_id == created["ContactID"]
    assert XeroActivity.objects.filter(action="contact_create", outcome="success").exists()
    assert XeroContactCreation.objects.get().status == XeroContactCreation.Status.SUCCEEDED


def test_create_when_the_name_exists_offers_the_match(linked_setup, owner_client, xero_sandbox, htmx):
    _connection, companies = linked_setup
    brightwater = companies["Brightwater Plumbing Ltd"]  # exact name in Xero
    dialog = owner_client.get(dialog_url(brightwater), {"choice": "create"}, **htmx).content.decode()
    existing = XeroContact.objects.get(name="Brightwater Plumbing Ltd")
    assert "already has an active contact" in dialog
    assert f"match/?contact={existing.pk}" in dialog
    before = len(xero_sandbox.contacts())
    answer = owner_client.post(dialog_url(brightwater, "create/"), **htmx)
    assert "already has an active contact" in answer.content.decode()
    assert len(xero_sandbox.contacts()) == before
    assert not XeroContactLink.objects.exists()


def test_xero_validation_messages_are_shown_as_given(linked_setup, owner_client, xero_sandbox, htmx):
    _connection, companies = linked_setup
    client = companies["Ashdown Garden Centre Ltd"]
    Client.objects.filter(pk=client.pk).update(email="not-an-email")  # Xero checks email addresses
    answer = owner_client.post(dialog_url(client, "create/"), **htmx)
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "Xero did not create the contact" in html
    assert "Email address must be valid." in html
    assert not XeroContactLink.objects.exists()
    assert XeroContactCreation.objects.get().status == XeroContactCreation.Status.FAILED


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503},
        {"status": 429},
        {"timeout": True, "delay": 2.0},  # slower than our timeout: nothing is created
        {"status": 503, "after": True},  # created in Xero, the answer lost
        {"timeout": True, "delay": 2.0, "after": True},  # created in Xero, the answer never comes
    ],
    ids=["503", "rate-limited", "timeout", "lost-answer", "timeout-after-write"],
)
def test_fault_during_create_then_retry_makes_exactly_one(
    linked_setup, owner_client, xero_sandbox, htmx, settings, fault
):
    settings.XERO_HTTP_TIMEOUT = 0.5
    _connection, companies = linked_setup
    client = companies["Ashdown Garden Centre Ltd"]
    xero_sandbox.inject_fault(path="/Contacts$", method="PUT", **fault)

    failed = owner_client.post(dialog_url(client, "create/"), **htmx)
    assert failed.status_code == 200
    html = failed.content.decode()
    assert "nothing was linked" in html and "Save again to retry" in html
    assert not XeroContactLink.objects.exists()
    creation = XeroContactCreation.objects.get()
    assert creation.status == XeroContactCreation.Status.PENDING

    xero_sandbox.clear_faults()
    retried = owner_client.post(dialog_url(client, "create/"), **htmx)
    assert retried["HX-Redirect"] == client.get_absolute_url()
    assert len(contacts_named(xero_sandbox, "Ashdown Garden Centre Ltd")) == 1
    creation.refresh_from_db()
    assert creation.status == XeroContactCreation.Status.SUCCEEDED and creation.attempts == 2
    puts = [c for c in accounting_calls(xero_sandbox) if c["method"] == "PUT"]
    assert len(puts) == 2 and {c["idempotency_key"] for c in puts} == {creation.idempotency_key}
    assert puts[1]["replayed"] == bool(fault.get("after"))  # written the first time: Xero replays it
    assert XeroContactLink.objects.get().client == client


def test_double_submit_makes_one_contact(linked_setup, owner_client, xero_sandbox):
    _connection, companies = linked_setup
    client = companies["Ashdown Garden Centre Ltd"]
    first = owner_client.post(dialog_url(client, "create/"))
    second = owner_client.post(dialog_url(client, "create/"))
    assert first.status_code == second.status_code == 302
    assert len(contacts_named(xero_sandbox, "Ashdown Garden Centre Ltd")) == 1
    assert XeroContactLink.objects.count() == 1


def test_double_submit_while_the_first_answer_is_lost_reuses_the_key(linked_setup, xero_sandbox, owner):
    """Two clicks both reach Xero (the first answer lost): the stored key makes Xero replay."""
    _connection, companies = linked_setup
    client = companies["Ashdown Garden Centre Ltd"]
    xero_sandbox.inject_fault(path="/Contacts$", method="PUT", status=503, after=True)
    with pytest.raises(XeroUnavailable):
        services.xero_contact_create_for_client(practice=client.practice, client=client, user=owner)
    services.xero_contact_create_for_client(practice=client.practice, client=client, user=owner)
    assert len(contacts_named(xero_sandbox, "Ashdown Garden Centre Ltd")) == 1


# --- Unlink ---------------------------------------------------------------------------------------


def test_unlink_asks_then_removes_only_our_link(linked_setup, owner_client, xero_sandbox, htmx):
    _connection, companies = linked_setup
    client = companies["Brightwater Plumbing Ltd"]
    contact = XeroContact.objects.get(name="Brightwater Plumbing Ltd")
    services.xero_contact_link(practice=client.practice, client=client, contact=contact, user=None)
    dialog = owner_client.get(dialog_url(client), {"choice": "unlink"}, **htmx).content.decode()
    assert "Nothing is changed or deleted in Xero" in dialog
    ask = owner_client.get(dialog_url(client, "unlink/"), **htmx)
    assert XeroContactLink.objects.exists() and "Unlink" in ask.content.decode()
    xero_sandbox.clear_calls()
    done = owner_client.post(dialog_url(client, "unlink/"), **htmx)
    assert done["HX-Redirect"] == client.get_absolute_url()
    assert not XeroContactLink.objects.exists()
    assert XeroContact.objects.filter(pk=contact.pk).exists()
    assert contacts_named(xero_sandbox, "Brightwater Plumbing Ltd")
    assert accounting_calls(xero_sandbox) == []
    assert XeroActivity.objects.filter(action="contact_unlink").exists()


def test_unlink_choice_only_when_linked(linked_setup, owner_client, htmx):
    _connection, companies = linked_setup
    html = owner_client.get(dialog_url(companies["Acme Widgets Ltd"]), **htmx).content.decode()
    assert "?choice=unlink" not in html


# --- rules and failures ---------------------------------------------------------------------------


def test_an_individual_cannot_be_linked(linked_setup, practice, owner_client):
    person = IndividualFactory(practice=practice)
    company = CompanyFactory(practice=practice, name="Person's Company Ltd")
    from clients.models import Officer

    Officer.objects.create(practice=practice, company=company, person=person)
    contact = XeroContact.objects.first()
    with pytest.raises(services.LinkError, match="made on the company"):
        services.xero_contact_link(practice=practice, client=person, contact=contact, user=None)
    with pytest.raises(services.LinkError):
        services.xero_contact_create_for_client(practice=practice, client=person, user=None)
    answer = owner_client.post(dialog_url(person, "match/"), {"contact": contact.pk})
    assert answer.status_code == 200 and not XeroContactLink.objects.exists()
    page = owner_client.get(person.get_absolute_url()).content.decode()
    assert "Link with Xero</a>" not in page
    assert "Xero links are made on the company" in page and "Person&#x27;s Company Ltd" in page


def test_not_connected_button_leads_to_integrations(practice, owner_client):
    company = CompanyFactory(practice=practice)
    page = owner_client.get(company.get_absolute_url()).content.decode()
    assert 'href="/settings/integrations/"' in page and "Link with Xero" in page
    dialog = owner_client.get(dialog_url(company)).content.decode()
    assert "Xero is not connected" in dialog


def test_contact_deleted_in_xero_while_the_dialog_is_open(linked_setup, owner_client, htmx):
    _connection, companies = linked_setup
    acme = companies["Acme Widgets Ltd"]
    contact = XeroContact.objects.get(name="Acme Widgets Limited")
    # The mirror still has it; Xero no longer does (gone, as after a merge or a GDPR erasure).
    XeroContact.objects.filter(pk=contact.pk).update(contact_id="00000000-0000-0000-0000-00000000dead")
    answer = owner_client.post(dialog_url(acme, "match/"), {"contact": contact.pk}, **htmx)
    assert answer.status_code == 200
    assert "no longer exists in Xero" in answer.content.decode()
    assert not XeroContactLink.objects.exists()


def test_two_tabs_link_the_same_contact_one_wins(linked_setup, owner_client):
    _connection, companies = linked_setup
    contact = XeroContact.objects.get(name="Brightwater Plumbing Ltd")
    first, second = companies["Brightwater Plumbing Ltd"], companies["Acme Widgets Ltd"]
    a = owner_client.post(dialog_url(first, "match/"), {"contact": contact.pk})
    b = owner_client.post(dialog_url(second, "match/"), {"contact": contact.pk})
    assert a.status_code == 302
    assert b.status_code == 200 and "already linked to Brightwater Plumbing Ltd" in b.content.decode()
    assert XeroContactLink.objects.get().client == first


def test_database_refuses_a_second_client_for_a_contact(linked_setup, practice):
    """The constraint itself (the services check first; a race reaches the database)."""
    _connection, companies = linked_setup
    contact = XeroContact.objects.get(name="Brightwater Plumbing Ltd")
    XeroContactLink.objects.create(
        practice=practice, client=companies["Brightwater Plumbing Ltd"], contact=contact
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        XeroContactLink.objects.create(
            practice=practice, client=companies["Acme Widgets Ltd"], contact=contact
        )
    other = XeroContact.objects.get(name="Acme Widgets Limited")
    with pytest.raises(IntegrityError), transaction.atomic():
        XeroContactLink.objects.create(
            practice=practice, client=companies["Brightwater Plumbing Ltd"], contact=other
        )


def test_race_past_the_check_is_a_friendly_conflict(linked_setup, practice, monkeypatch):
    """Two tabs both pass the service's check; the database decides and the loser gets a message."""
    _connection, companies = linked_setup
    contact = XeroContact.objects.get(name="Brightwater Plumbing Ltd")
    XeroContactLink.objects.create(
        practice=practice, client=companies["Brightwater Plumbing Ltd"], contact=contact
    )
    real_filter = XeroContactLink.objects.filter

    class Blind:
        def __init__(self, qs):
            self.qs = qs

        def exclude(self, *args, **kwargs):
            return XeroContactLink.objects.none()

        def __getattr__(self, name):
            return getattr(self.qs, name)

    def filter_missing_the_other_tab(*args, **kwargs):
        qs = real_filter(*args, **kwargs)
        return Blind(qs) if "contact" in kwargs and "client" not in kwargs else qs

    monkeypatch.setattr(XeroContactLink.objects, "filter", filter_missing_the_other_tab)
    with pytest.raises(services.LinkConflict):
        services.xero_contact_link(
            practice=practice, client=companies["Acme Widgets Ltd"], contact=contact, user=None, verify=False
        )
    monkeypatch.undo()
    assert XeroContactLink.objects.get().client == companies["Brightwater Plumbing Ltd"]


def test_a_linked_contact_cannot_be_deleted_from_the_mirror_but_the_practice_can(linked_setup, practice):
    _connection, companies = linked_setup
    contact = XeroContact.objects.get(name="Brightwater Plumbing Ltd")
    XeroContactLink.objects.create(
        practice=practice, client=companies["Brightwater Plumbing Ltd"], contact=contact
    )
    with pytest.raises(RestrictedError), transaction.atomic():
        contact.delete()
    practice.delete()
    assert not XeroContactLink.objects.exists()


def test_archived_contact_shows_a_warning_after_sync(linked_setup, owner_client, xero_sandbox,
                                                     django_capture_on_commit_callbacks):  # fmt: skip
    _connection, companies = linked_setup
    client = companies["Brightwater Plumbing Ltd"]
    contact = XeroContact.objects.get(name="Brightwater Plumbing Ltd")
    services.xero_contact_link(practice=client.practice, client=client, contact=contact, user=None)
    xero_sandbox.rename_contact(contact.contact_id, "Brightwater Heating Ltd")
    xero_sandbox.archive_contact(contact.contact_id)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/settings/integrations/xero/sync/")
    page = owner_client.get(client.get_absolute_url()).content.decode()
    assert "Brightwater Heating Ltd" in page
    assert "archived in Xero" in page


# --- escaping, list icon and filter, partials -----------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> Ltd'


def test_contact_names_with_html_are_escaped(linked_setup, owner_client, xero_sandbox, htmx):
    _connection, companies = linked_setup
    client = companies["Ashdown Garden Centre Ltd"]
    xero_sandbox.create_contact({"Name": HOSTILE, "CompanyNumber": client.company_number})
    pages = [
        owner_client.get(dialog_url(client, "search/"), {"q": "script"}, **htmx)
    ]  # adds it to the mirror
    contact = XeroContact.objects.get(name=HOSTILE)
    pages.append(owner_client.get(dialog_url(client), **htmx))  # a suggestion (same company number)
    pages.append(owner_client.get(dialog_url(client, "match/"), {"contact": contact.pk}, **htmx))
    owner_client.post(dialog_url(client, "match/"), {"contact": contact.pk})
    pages.append(owner_client.get(client.get_absolute_url()))
    pages.append(owner_client.get(dialog_url(client), {"choice": "unlink"}, **htmx))
    for page in pages:
        html = page.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_client_list_shows_the_xero_icon_and_filters(linked_setup, owner_client, practice,
                                                     django_assert_max_num_queries):  # fmt: skip
    _connection, companies = linked_setup
    for name in ("Brightwater Plumbing Ltd", "Pennine Haulage Ltd", "Thistle Digital Ltd"):
        services.xero_contact_link(
            practice=practice, client=companies[name], contact=XeroContact.objects.get(name=name), user=None,
            verify=False,
        )  # fmt: skip
    owner_client.get("/clients/")  # warm the session and caches
    with django_assert_max_num_queries(8):
        page = owner_client.get("/clients/").content.decode()
    assert page.count('<span class="visually-hidden">Linked to Xero</span>') == 3
    linked = owner_client.get("/clients/", {"xero": "linked"}).content.decode()
    assert "Brightwater Plumbing Ltd" in linked and "Acme Widgets Ltd" not in linked
    unlinked = owner_client.get("/clients/", {"xero": "unlinked"}).content.decode()
    assert "Acme Widgets Ltd" in unlinked and "Brightwater Plumbing Ltd" not in unlinked


def test_client_list_queries_do_not_grow_with_links(linked_setup, owner_client, practice,
                                                    django_assert_num_queries):  # fmt: skip
    """The same number of queries for 0 and 10 linked rows: no query per row for the icon."""
    _connection, companies = linked_setup
    owner_client.get("/clients/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        owner_client.get("/clients/")
    names = [n for n in companies if XeroContact.objects.filter(name=n).exists()][:10]
    for name in names:
        services.xero_contact_link(
            practice=practice, client=companies[name], contact=XeroContact.objects.get(name=name), user=None,
            verify=False,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as after:
        page = owner_client.get("/clients/").content.decode()
    assert page.count("Linked to Xero</span>") == len(names) == 10
    assert len(after) == len(before)


def test_client_page_button_opens_the_dialog_with_htmx(linked_setup, owner_client):
    _connection, companies = linked_setup
    client = companies["Acme Widgets Ltd"]
    page = owner_client.get(client.get_absolute_url()).content.decode()
    assert f'hx-get="/clients/{client.pk}/xero/"' in page and 'hx-target="#xero-dialog"' in page
    assert '<div id="xero-dialog"></div>' in page
    assert ">Link with Xero</a>" in page


def test_another_practices_staff_get_404_on_every_link_url(linked_setup, client, other_practice):
    from core.models import Membership
    from tests.factories import MembershipFactory

    _connection, companies = linked_setup
    target = companies["Brightwater Plumbing Ltd"]
    contact = XeroContact.objects.get(name="Brightwater Plumbing Ltd")
    outsider = MembershipFactory(practice=other_practice, role=Membership.Role.STAFF).user
    client.force_login(outsider)
    for step in ("", "search/?q=Bright", f"match/?contact={contact.pk}", "create/", "unlink/"):
        assert client.get(dialog_url(target, step)).status_code == 404, step
        assert client.post(dialog_url(target, step), {"contact": contact.pk}).status_code in (404, 405), step
    assert not XeroContactLink.objects.exists()
    assert not XeroContactCreation.objects.exists()


def test_another_practices_contact_cannot_be_chosen(linked_setup, owner_client, other_practice):
    _connection, companies = linked_setup
    theirs = XeroContact.objects.create(
        practice=other_practice, tenant_id="t", contact_id="c", name="Theirs Ltd"
    )
    answer = owner_client.post(dialog_url(companies["Acme Widgets Ltd"], "match/"), {"contact": theirs.pk})
    assert answer.status_code == 200 and "Choose a Xero contact" in answer.content.decode()
    assert not XeroContactLink.objects.exists()


def test_opening_the_dialog_reads_the_connection_once_and_no_whole_mirror(linked_setup, owner_client, htmx):
    """The dialog's cost does not grow with the mirror: the suggestions reuse the panel's connection,
    and (once the name index is warm) read contacts by index and id only."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    _connection, companies = linked_setup
    url = dialog_url(companies["Acme Widgets Ltd"])
    owner_client.get(url, **htmx)  # warms the name index
    with CaptureQueriesContext(db) as queries:
        body = owner_client.get(url, **htmx).content.decode()
    assert "Acme Widgets Limited" in body  # the suggestion
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "integrations_xeroconnection"' in s for s in sql) == 1
    contact_reads = [s for s in sql if 'FROM "integrations_xerocontact"' in s]
    assert contact_reads and all("LIMIT" in s or " IN (" in s for s in contact_reads)
