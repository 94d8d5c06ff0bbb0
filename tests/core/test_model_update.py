import pytest
from django.core.exceptions import ValidationError

from clients.models import Client
from core.services import model_update
from tests.factories import CompanyFactory


@pytest.mark.django_db
def test_model_update_sets_validates_and_saves_only_the_named_fields(practice):
    company = CompanyFactory(practice=practice, name="Old Ltd", email="old@example.com")
    before = company.updated_at
    model_update(instance=company, fields=("name",), data={"name": "New Ltd", "email": "ignored@example.com"})
    company.refresh_from_db()
    assert company.name == "New Ltd"
    assert company.email == "old@example.com"  # not in `fields`
    assert company.updated_at > before  # auto_now fields are saved too


@pytest.mark.django_db
def test_model_update_saves_values_a_form_already_copied_onto_the_instance(practice):
    company = CompanyFactory(practice=practice, name="Old Ltd")
    company.name = "New Ltd"  # what a bound ModelForm's is_valid() does
    model_update(instance=company, fields=("name",), data={"name": "New Ltd"})
    assert Client.objects.get(pk=company.pk).name == "New Ltd"


@pytest.mark.django_db
def test_model_update_validates_before_saving(practice):
    company = CompanyFactory(practice=practice, company_number="01234567")
    with pytest.raises(ValidationError):
        model_update(instance=company, fields=("company_number",), data={"company_number": "nope"})
    assert Client.objects.get(pk=company.pk).company_number == "01234567"
