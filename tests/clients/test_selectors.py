import pytest

from clients.selectors import client_list, client_officers
from clients.services import officer_add
from tests.factories import CompanyFactory, IndividualFactory


@pytest.fixture
def clients(practice):
    return {
        "acme": CompanyFactory(practice=practice, name="Acme Widgets Ltd", company_number="08412735",
                               email="accounts@acme.example"),
        "bright": CompanyFactory(practice=practice, name="Brightwater Plumbing Ltd", company_number="SC123456",
                                 email="hello@bright.example"),
        "ada": IndividualFactory(practice=practice, first_name="Ada", last_name="Lovelace", name="Ada Lovelace",
                                 email="ada@home.example"),
    }  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("acme", {"acme"}),
        ("SC123", {"bright"}),
        ("sc 123", {"bright"}),
        ("@home", {"ada"}),
        ("", {"acme", "bright", "ada"}),
    ],
)
def test_search_by_name_number_or_email(practice, clients, query, expected):
    found = {c.pk for c in client_list(practice=practice, query=query)}
    assert found == {clients[k].pk for k in expected}


@pytest.mark.django_db
def test_filter_by_kind_and_sort(practice, clients):
    companies = list(client_list(practice=practice, kind="company", sort="-name"))
    assert [c.name for c in companies] == ["Brightwater Plumbing Ltd", "Acme Widgets Ltd"]
    assert list(client_list(practice=practice, kind="individual")) == [clients["ada"]]


@pytest.mark.django_db
def test_only_own_practice(practice, other_practice, clients):
    CompanyFactory(practice=other_practice, name="Acme Rival Ltd")
    assert {c.name for c in client_list(practice=practice, query="acme")} == {"Acme Widgets Ltd"}


@pytest.mark.django_db
def test_officers_both_ways(practice, clients, django_assert_num_queries):
    officer_add(company=clients["acme"], person=clients["ada"])
    officer_add(company=clients["bright"], person=clients["ada"])
    with django_assert_num_queries(1):
        names = [o.company.name for o in client_officers(client=clients["ada"])]
    assert names == ["Acme Widgets Ltd", "Brightwater Plumbing Ltd"]
    assert [o.person for o in client_officers(client=clients["acme"])] == [clients["ada"]]
