from django import forms
from django.core.validators import MaxLengthValidator

from clients.models import Client, Officer
from clients.services import COMPANY_FIELDS, INDIVIDUAL_FIELDS, NAME_MAX_LENGTH, individual_name
from core.forms import FirstErrorPerFieldMixin
from core.validators import normalise_compact, normalise_company_number, normalise_vat_number

IDENTIFIER_FIELDS = ("company_number", "vat_number", "utr", "ni_number")


def _allow_spaced_identifiers(form: forms.ModelForm) -> None:
    """People type "GB 123 4567 89"; the length limit applies after normalising, in the model."""
    for name in IDENTIFIER_FIELDS:
        field = form.fields.get(name)
        if field is not None:
            field.max_length = 30
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.widget.attrs["maxlength"] = "30"


class CompanyForm(FirstErrorPerFieldMixin, forms.ModelForm):
    class Meta:
        model = Client
        fields = COMPANY_FIELDS
        labels = {"name": "Company name", "company_type": "Type of business"}
        error_messages = {
            "name": {"required": "Enter the company's name."},
            "company_type": {"required": "Choose the type of business."},
        }
        widgets = {
            "year_end": forms.DateInput(attrs={"type": "date"}),
            "registered_address": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = Client.Kind.COMPANY
        _allow_spaced_identifiers(self)
        self.fields["company_type"].required = True
        self.fields["name"].required = True

    def clean_company_number(self):
        return normalise_company_number(self.cleaned_data["company_number"])

    def clean_vat_number(self):
        return normalise_vat_number(self.cleaned_data["vat_number"])

    def clean_utr(self):
        return normalise_compact(self.cleaned_data["utr"])


class IndividualForm(FirstErrorPerFieldMixin, forms.ModelForm):
    class Meta:
        model = Client
        fields = INDIVIDUAL_FIELDS
        error_messages = {
            "first_name": {"required": "Enter a first name."},
            "last_name": {"required": "Enter a last name."},
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = Client.Kind.INDIVIDUAL
        _allow_spaced_identifiers(self)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True

    def clean_ni_number(self):
        return normalise_compact(self.cleaned_data["ni_number"])

    def clean(self):
        cleaned = super().clean()
        first_name, last_name = cleaned.get("first_name"), cleaned.get("last_name")
        if first_name and last_name:
            name = individual_name(first_name=first_name, last_name=last_name)
            if len(name) > NAME_MAX_LENGTH:
                self.add_error(
                    "last_name",
                    f"First and last names together can have at most {NAME_MAX_LENGTH - 1} characters "
                    f"(they have {len(name) - 1}).",
                )
        return cleaned

    def clean_utr(self):
        return normalise_compact(self.cleaned_data["utr"])


def client_form_class(kind: str) -> type[forms.ModelForm]:
    return CompanyForm if kind == Client.Kind.COMPANY else IndividualForm


class OfficerForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Client.objects.none(), label="Person")
    role = forms.ChoiceField(choices=Officer.Role.choices, initial=Officer.Role.DIRECTOR)

    def __init__(self, *args, individuals=None, **kwargs):
        super().__init__(*args, **kwargs)
        if individuals is not None:
            self.fields["person"].queryset = individuals


class ClientFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", widget=forms.SearchInput(
        attrs={"placeholder": "Name, company number or email"}
    ))  # fmt: skip
    kind = forms.ChoiceField(required=False, choices=[("", "All clients"), *Client.Kind.choices])
    xero = forms.ChoiceField(
        required=False,
        label="Xero",
        choices=[("", "Linked or not"), ("linked", "Linked to Xero"), ("unlinked", "Not linked to Xero")],
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
