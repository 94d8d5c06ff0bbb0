import pytest

from clients.models import Client
from tests.factories import CompanyFactory, IndividualFactory

VALID_COMPANY = {
    "kind": "company", "name": "Kestrel Logistics Ltd", "company_type": "limited",
    "company_number": "1234567", "vat_number": "gb 123 4567 89", "email": "ops@kestrel.example",
}  # fmt: skip


@pytest.mark.django_db
def test_create_company_normalises_identifiers(owner_client, practice):
    response = owner_client.post("/clients/new/?kind=company", VALID_COMPANY)
    client = Client.objects.get(practice=practice, name="Kestrel Logistics Ltd")
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{client.pk}/"
    assert client.company_number == "01234567"
    assert client.vat_number == "GB123456789"


@pytest.mark.django_db
def test_bad_company_number_and_vat_keep_what_was_typed(owner_client, practice, htmx):
    data = VALID_COMPANY | {"company_number": "ABC", "vat_number": "FR123", "email": "not-an-email"}
    response = owner_client.post("/clients/new/?kind=company", data, **htmx)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="client-form"')  # only the partial
    assert "<html" not in body
    assert "Enter a UK company number" in body
    assert "Enter a GB VAT number" in body
    assert "Enter a valid email address" in body
    assert 'value="Kestrel Logistics Ltd"' in body
    assert 'value="ABC"' in body
    assert not Client.objects.filter(practice=practice).exists()


@pytest.mark.django_db
def test_missing_fields_are_named(owner_client, practice):
    response = owner_client.post("/clients/new/?kind=company", {"kind": "company"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body  # a plain form post gets the whole page back
    assert "Enter the company&#x27;s name." in body and "Choose the type of business." in body


@pytest.mark.django_db
def test_create_individual(owner_client, practice):
    response = owner_client.post(
        "/clients/new/?kind=individual",
        {"kind": "individual", "first_name": "Ada", "last_name": "Lovelace", "ni_number": "ab 12 34 56 c"},
    )
    person = Client.objects.get(practice=practice, kind="individual")
    assert response.status_code == 302
    assert person.name == "Ada Lovelace" and person.ni_number == "AB123456C"


@pytest.mark.django_db
def test_edit_company(owner_client, practice):
    company = CompanyFactory(practice=practice, name="Old Name Ltd")
    response = owner_client.post(f"/clients/{company.pk}/edit/", VALID_COMPANY | {"name": "New Name Ltd"})
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.name == "New Name Ltd"


@pytest.mark.django_db
def test_list_search_returns_only_the_table_for_htmx(owner_client, practice, htmx):
    CompanyFactory(practice=practice, name="Acme Widgets Ltd")
    CompanyFactory(practice=practice, name="Brightwater Plumbing Ltd")
    response = owner_client.get("/clients/?q=acme", **htmx)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="client-table">')
    assert "Acme Widgets Ltd" in body and "Brightwater" not in body
    full = owner_client.get("/clients/?q=acme").content.decode()
    assert "<html" in full and 'id="client-table"' in full


@pytest.mark.django_db
def test_list_paginates_by_50_without_per_row_queries(owner_client, practice, django_assert_max_num_queries):
    CompanyFactory.create_batch(120, practice=practice)
    with django_assert_max_num_queries(10):
        response = owner_client.get("/clients/?page=2")
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 50
    assert "Page 2 of 3" in response.content.decode()


@pytest.mark.django_db
def test_client_page_has_left_menu(owner_client, practice):
    company = CompanyFactory(practice=practice)
    body = owner_client.get(f"/clients/{company.pk}/").content.decode()
    assert 'aria-label="Client"' in body
    for label in ["Overview", "People", "Jobs"]:
        assert f">{label}</a>" in body


@pytest.mark.django_db
def test_attach_and_remove_a_director(owner_client, practice):
    company = CompanyFactory(practice=practice)
    person = IndividualFactory(practice=practice, first_name="Ada", last_name="Lovelace", name="Ada Lovelace")
    response = owner_client.post(f"/clients/{company.pk}/people/", {"person": person.pk, "role": "director"})
    assert response.status_code == 302
    body = owner_client.get(f"/clients/{company.pk}/people/").content.decode()
    assert person.name in body and "Director" in body
    assert company.name in owner_client.get(f"/clients/{person.pk}/people/").content.decode()
    officer = company.officers.get()
    owner_client.post(f"/clients/{company.pk}/people/{officer.pk}/remove/")
    assert not company.officers.exists()


@pytest.mark.django_db
def test_cannot_attach_another_practices_person(owner_client, practice, other_practice):
    company = CompanyFactory(practice=practice)
    stranger = IndividualFactory(practice=other_practice)
    response = owner_client.post(
        f"/clients/{company.pk}/people/", {"person": stranger.pk, "role": "director"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not company.officers.exists()


@pytest.mark.django_db
def test_htmx_save_redirects_the_whole_page(owner_client, practice, htmx):
    response = owner_client.post("/clients/new/?kind=company", VALID_COMPANY, **htmx)
    client = Client.objects.get(practice=practice)
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/clients/{client.pk}/"
    assert response.content == b""


@pytest.mark.django_db
def test_each_missing_field_is_named_once(owner_client):
    body = owner_client.post("/clients/new/?kind=company", {"kind": "company"}).content.decode()
    assert body.count("Enter the company&#x27;s name.") == 1
    assert body.count("Choose the type of business.") == 1
    assert "This field is required" not in body
