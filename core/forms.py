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
