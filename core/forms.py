from django import forms
from django.contrib.auth import get_user_model

from core.models import Membership, Practice


class PracticeForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = ("name", "email", "phone", "address")
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class MemberForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.STAFF)
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=True), min_length=10, help_text="At least 10 characters."
    )

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if get_user_model().objects.filter(username=email).exists():
            raise forms.ValidationError("Someone with this email address already has an account.")
        return email


class FirstErrorPerFieldMixin:
    """A ModelForm shows each field's form-level error only, not the model's clean() repeating it
    ("This field is required." followed by "Enter the company's name.")."""

    def add_error(self, field, error):
        error_dict = getattr(error, "error_dict", None)
        if field is None and error_dict is not None:
            kept = {name: errors for name, errors in error_dict.items() if name not in self.errors}
            if not kept:
                return
            error = forms.ValidationError(kept)
        super().add_error(field, error)
