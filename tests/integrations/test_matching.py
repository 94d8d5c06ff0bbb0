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
