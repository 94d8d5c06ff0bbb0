"""Matching clients to Xero contacts: normalisation, scoring with reasons, and suggestions from the
mirror of the sandbox's demo organisation (reached over HTTP by the first sync)."""

import pytest

from integrations import matching
from integrations.matching import MatchInput, best_matches, normalise_name, score
from integrations.models import XeroContact
from integrations.selectors import contact_name_index, xero_contact_suggestions
from tests.factories import CompanyFactory
from tests.integrations.demo_data import create_demo_companies


# --- Normalisation ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ACME Widgets Ltd", "acme widgets"),
        ("Acme Widgets Limited", "acme widgets"),
        ("Acme Widgets Ltd.", "acme widgets"),
        ("Hartley & Sons Joinery Ltd", "hartley and sons joinery"),
        ("Hartley and Sons Joinery Limited", "hartley and sons joinery"),
        ("Smith & Jones LLP", "smith and jones"),
        ("Smith and Jones Limited Liability Partnership", "smith and jones"),
        ("Big Foods PLC", "big foods"),
        ("Big Foods Public Limited Company", "big foods"),
        ("The O'Brien Co.", "obrien"),
        ("Café Nero (UK) Ltd", "cafe nero"),
        ("  REDBRICK   BAKERY  LTD ", "redbrick bakery"),
        ("Mersey Print + Design", "mersey print and design"),
        ("Ltd", "ltd"),  # a name that is only a suffix is kept, not emptied
        ("", ""),
    ],
)
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected


def test_company_and_vat_numbers_are_normalised():
    assert matching.normalise_company_number("1234567") == "01234567"
    assert matching.normalise_company_number("sc 612954") == "SC612954"
    assert matching.normalise_tax_number("GB 753 7032 37") == "753703237"
    assert matching.normalise_tax_number("753703237") == "753703237"


def test_reasons_in_plain_words():
    client = MatchInput.build(
        name="ACME Widgets Ltd", email="Accounts@AcmeWidgets.co.uk", company_number="8412735",
        tax_number="GB753703237",
    )  # fmt: skip
    contact = MatchInput.build(
        name="Acme Widgets Limited", email="accounts@acmewidgets.co.uk", company_number="08412735",
        tax_number="GB 753 7032 37",
    )  # fmt: skip
    match = score(client, contact)
    assert match.score == 100 and match.full
    assert match.reasons[0] == "Same company number"  # strongest evidence first
    assert {"Same VAT number", "Same email"} <= set(match.reasons)
    assert any(r.startswith("Same name") for r in match.reasons)


def test_similar_name_scored_with_percentage_and_below_an_exact_name():
    near = score(MatchInput.build(name="Acme Widgets Ltd"), MatchInput.build(name="Acme Widget Ltd"))
    exact = score(MatchInput.build(name="Acme Widgets Ltd"), MatchInput.build(name="ACME WIDGETS LIMITED"))
    assert near.reasons == ["Similar name (96%)"]
    assert not near.full and exact.full
    assert near.score < exact.score


def test_email_domain_counts_but_free_mail_domains_are_ignored():
    same_domain = score(
        MatchInput.build(name="Alpha Ltd", email="jo@harbourlights.co.uk"),
        MatchInput.build(name="Omega Ltd", email="accounts@harbourlights.co.uk"),
    )
    assert same_domain.reasons == ["Same email domain (harbourlights.co.uk)"]
    for domain in ("gmail.com", "googlemail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "icloud.com",
                   "btinternet.com", "protonmail.com", "live.co.uk", "aol.com"):  # fmt: skip
        free = score(
            MatchInput.build(name="Alpha Ltd", email=f"jo@{domain}"),
            MatchInput.build(name="Omega Ltd", email=f"sam@{domain}"),
        )
        assert free.score == 0 and free.reasons == [], domain


def test_different_company_numbers_count_against_a_name_match():
    match = score(
        MatchInput.build(name="Acme Widgets Ltd", company_number="08412735"),
        MatchInput.build(name="Acme Widgets Ltd", company_number="01111111"),
    )
    assert "Different company number" in match.reasons
    assert match.score < matching.SCORE_SAME_NAME


def test_best_matches_groups_full_partial_and_none():
    contacts = [
        MatchInput.build(name="Blue Anchor Boatyard", company_number="06620983", key="c1"),
        MatchInput.build(name="Acme Widgets Limited", key="c2"),
        MatchInput.build(name="Quayside Fitnes Studio", key="c3"),
        MatchInput.build(name="Unrelated Trading", key="c4"),
    ]
    clients = [
        MatchInput.build(name="Blue Anchor Marine Services Ltd", company_number="6620983", key=1),
        MatchInput.build(name="ACME Widgets Ltd", key=2),
        MatchInput.build(name="Quayside Fitness Studios Ltd", key=3),
        MatchInput.build(name="Lantern Events Ltd", key=4),
    ]
    results = best_matches(clients, contacts)
    assert [(r.client.key, r.contact.key if r.contact else None, r.group) for r in results] == [
        (1, "c1", "full"),
        (2, "c2", "full"),
        (3, "c3", "partial"),
        (4, None, "none"),
    ]
    assert results[2].match.reasons[0].startswith("Similar name (")


# --- Suggestions from the mirror (sandbox demo organisation, over HTTP) -------------------------
pytestmark_db = pytest.mark.django_db


@pytest.fixture
def demo(connect, practice):
    connect()
    contact_name_index.clear()
    assert XeroContact.objects.filter(practice=practice).count() > 50
    return create_demo_companies(practice)


@pytest.mark.django_db
def test_suggestion_exact_name(demo, practice):
    client = demo["Brightwater Plumbing Ltd"]
    best = xero_contact_suggestions(practice=practice, client=client)[0]
    assert best.contact.name == "Brightwater Plumbing Ltd"
    assert best.score == 100
    assert "Same name" in best.reasons and "Same VAT number" in best.reasons
    assert best.linked_client is None


@pytest.mark.django_db
def test_suggestion_rough_name(demo, practice):
    client = CompanyFactory(practice=practice, name="ACME Widgets Ltd", company_number="", vat_number="",
                            email="")  # fmt: skip
    best = xero_contact_suggestions(practice=practice, client=client)[0]
    assert best.contact.name == "Acme Widgets Limited"
    assert best.full
    assert best.reasons == ["Same name (ignoring case, punctuation, & and Ltd/Limited)"]


@pytest.mark.django_db
def test_suggestion_similar_name_only(demo, practice):
    client = CompanyFactory(practice=practice, name="Brightwater Plumbers", company_number="", vat_number="",
                            email="")  # fmt: skip
    best = xero_contact_suggestions(practice=practice, client=client)[0]
    assert best.contact.name == "Brightwater Plumbing Ltd"
    assert best.reasons[0].startswith("Similar name (") and best.reasons[0].endswith("%)")
    assert not best.full


@pytest.mark.django_db
def test_suggestion_same_company_number_under_another_name(demo, practice):
    client = demo["Blue Anchor Marine Services Ltd"]
    best = xero_contact_suggestions(practice=practice, client=client)[0]
    assert best.contact.name == "Blue Anchor Boatyard"
    assert best.reasons[0] == "Same company number"
    assert best.full


@pytest.mark.django_db
def test_suggestion_by_company_number_alone(demo, practice):
    client = CompanyFactory(practice=practice, name="Something Else Entirely Ltd", company_number="SC612954",
                            vat_number="", email="")  # fmt: skip
    best = xero_contact_suggestions(practice=practice, client=client)[0]
    assert best.contact.name == "Glen Corran Distillery"
    assert best.reasons == ["Same company number"]


@pytest.mark.django_db
def test_no_match(demo, practice):
    assert xero_contact_suggestions(practice=practice, client=demo["Lantern Events Ltd"]) == []


@pytest.mark.django_db
def test_free_mail_domain_is_not_a_suggestion(demo, practice):
    gmail = XeroContact.objects.filter(practice=practice).first()
    XeroContact.objects.filter(pk=gmail.pk).update(email="someone@gmail.com", email_domain="")
    client = CompanyFactory(practice=practice, name="Zzyzx Quartz Ltd", company_number="", vat_number="",
                            email="other@gmail.com")  # fmt: skip
    assert xero_contact_suggestions(practice=practice, client=client) == []


@pytest.mark.django_db
def test_archived_contacts_hidden_unless_asked(demo, practice):
    client = demo["Brightwater Plumbing Ltd"]
    XeroContact.objects.filter(practice=practice, name="Brightwater Plumbing Ltd").update(status="ARCHIVED")
    names = [s.contact.name for s in xero_contact_suggestions(practice=practice, client=client)]
    assert "Brightwater Plumbing Ltd" not in names
    names = [
        s.contact.name
        for s in xero_contact_suggestions(practice=practice, client=client, include_archived=True)
    ]
    assert names[0] == "Brightwater Plumbing Ltd"


@pytest.mark.django_db
def test_new_and_renamed_contacts_reach_the_name_index(demo, practice):
    client = CompanyFactory(practice=practice, name="Zephyr Kite Works Ltd", company_number="", vat_number="",
                            email="")  # fmt: skip
    assert xero_contact_suggestions(practice=practice, client=client) == []  # index cached now
    contact = XeroContact.objects.filter(practice=practice).first()
    contact.name = "Zephyr Kite Workshop"
    contact.normalised_name = normalise_name(contact.name)
    contact.save()
    best = xero_contact_suggestions(practice=practice, client=client)[0]
    assert best.contact.pk == contact.pk


@pytest.mark.django_db
def test_suggestions_only_from_the_practices_own_mirror(demo, practice, other_practice):
    XeroContact.objects.create(
        practice=other_practice, tenant_id=XeroContact.objects.first().tenant_id, contact_id="x-1",
        name="Brightwater Plumbing Ltd", normalised_name="brightwater plumbing",
    )  # fmt: skip
    suggestions = xero_contact_suggestions(practice=practice, client=demo["Brightwater Plumbing Ltd"])
    assert all(s.contact.practice_id == practice.pk for s in suggestions)


# --- The fuzzy-name index: cached per process, fresh after every write ---------------------------
@pytest.fixture
def mirror(practice):
    """A connected practice with 30 mirrored contacts (no sandbox: nothing here reaches Xero)."""
    from tests.integrations.factories import XeroConnectionFactory

    connection = XeroConnectionFactory(practice=practice)
    contact_name_index.clear()
    for n, name in enumerate(["Harbour Lights Bakery Ltd", "Copper Kettle Cafe Ltd"]
                             + [f"Unrelated Trading {n} Ltd" for n in range(28)]):  # fmt: skip
        XeroContact.objects.create(
            practice=practice, tenant_id=connection.tenant_id, contact_id=f"c-{n}", name=name,
            normalised_name=normalise_name(name),
        )  # fmt: skip
    return connection


def _similar(practice, name):
    client = CompanyFactory(practice=practice, name=name, company_number="", vat_number="", email="")
    return client, [s.contact.name for s in xero_contact_suggestions(practice=practice, client=client)]


def _reads_every_contact(queries) -> bool:
    """A read of the tenant's contacts with neither a LIMIT nor an id list: the index being built."""
    return any(
        'FROM "integrations_xerocontact"' in q["sql"] and "LIMIT" not in q["sql"] and " IN (" not in q["sql"]
        for q in queries
    )


@pytest.mark.django_db
def test_name_index_is_built_once_then_reused(mirror, practice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, names = _similar(practice, "Harbour Light Bakery")
    assert names == ["Harbour Lights Bakery Ltd"]
    with CaptureQueriesContext(connection) as second:
        assert [s.contact.name for s in xero_contact_suggestions(practice=practice, client=client)] == names
    assert not _reads_every_contact(second.captured_queries)  # fails if the cache goes
    contact_name_index.clear()
    with CaptureQueriesContext(connection) as cold:
        xero_contact_suggestions(practice=practice, client=client)
    assert _reads_every_contact(cold.captured_queries)  # …and the check above can tell


@pytest.mark.django_db
def test_name_index_sees_new_renamed_and_deleted_contacts(mirror, practice):
    _client, names = _similar(practice, "Kestrel Joinery")
    assert names == []  # index cached now
    XeroContact.objects.create(
        practice=practice, tenant_id=mirror.tenant_id, contact_id="new", name="Kestrel Joinery Ltd",
        normalised_name="kestrel joinery",
    )  # fmt: skip
    assert _similar(practice, "Kestrel Joinery")[1] == ["Kestrel Joinery Ltd"]

    renamed = XeroContact.objects.get(name="Unrelated Trading 3 Ltd")
    renamed.name, renamed.normalised_name = "Pennine Print Works Ltd", "pennine print works"
    renamed.save()
    assert _similar(practice, "Pennine Print Work")[1] == ["Pennine Print Works Ltd"]

    _similar(practice, "Copper Kettle Cafes")  # cached with "Copper Kettle Cafe Ltd" in it
    XeroContact.objects.filter(name="Copper Kettle Cafe Ltd").delete()  # changes no fingerprint
    # Nor does a contact committed out of order (stamped before the newest row already seen)…
    late = XeroContact.objects.create(
        practice=practice, tenant_id=mirror.tenant_id, contact_id="late", name="Copper Kettle Coffee Ltd",
        normalised_name="copper kettle coffee",
    )  # fmt: skip
    oldest = XeroContact.objects.order_by("synced_at").values_list("synced_at", flat=True).first()
    XeroContact.objects.filter(pk=late.pk).update(synced_at=oldest)
    # …but the deleted contact's id, missing from the rows read, discards the entry: rebuilt, it has both.
    assert _similar(practice, "Copper Kettle Cafes")[1] == ["Copper Kettle Coffee Ltd"]


def test_sorted_words_ratio_is_token_sort_ratio():
    """The index stores names with their words sorted and scores with fuzz.ratio: the same numbers
    token_sort_ratio gives (it sorts the words itself), which matching.score reports."""
    from rapidfuzz import fuzz

    from integrations.selectors import sorted_words

    pairs = [("acme widgets", "widgets acme"), ("harbour lights bakery", "harbour light bakery"),
             ("a b c", "c b a d"), ("smith and jones", "jones smith"), ("x", "")]  # fmt: skip
    for a, b in pairs:
        assert fuzz.ratio(sorted_words(a), sorted_words(b)) == fuzz.token_sort_ratio(a, b)
