from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q

from core.auth import normalise_email
from core.models import Membership, Practice


class FiniteDecimalField(forms.DecimalField):
    """A DecimalField that refuses NaN, sNaN and Infinity when it reads the input, not later: a
    formset compares every extra form's values with their initial ones first (has_changed), and
    comparing Decimal("sNaN") raises instead of answering."""

    def to_python(self, value):
        number = super().to_python(value)
        if number is not None and not number.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class PracticeForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = ("name", "email", "phone", "address")
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


def _username_max_length() -> int:
    return get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length


class MemberForm(forms.Form):
    """Add a person to the practice, with a password the owner sets and passes on to them."""

    # Users sign in with their email, stored as the username: it must fit that column (150).
    EMAIL_MAX_LENGTH = _username_max_length()
    ALREADY_MEMBER = "%(email)s is already a member of this practice."
    # Said of every other address that already has an account, whichever practice (if any) it
    # belongs to. Emails are unique across Engager, so such an address cannot be added here; but
    # saying that it "already has an account" would tell one practice who uses Engager at another.
    # This wording names no account, practice or reason, so an address at a rival practice reads
    # exactly like one held by a practice-less account (e.g. Engager's own support staff).
    NOT_AVAILABLE = (
        "This email address can't be used for a new user. Ask them for a different address, "
        "or contact support."
    )

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(
        max_length=EMAIL_MAX_LENGTH,
        error_messages={"max_length": f"An email address can be at most {EMAIL_MAX_LENGTH} characters."},
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.STAFF)
    password = forms.CharField(
        # Never echo a typed password back into the page (e.g. when another field is invalid).
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=(
            "At least 10 characters, not a common password, not all numbers and not close to "
            "their name or email."
        ),
    )

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        holders = get_user_model().objects.filter(Q(username__iexact=email) | Q(email__iexact=email))
        if holders.filter(membership__practice=self.practice).exists():
            raise forms.ValidationError(self.ALREADY_MEMBER, params={"email": email})
        if holders.exists():
            raise forms.ValidationError(self.NOT_AVAILABLE)
        return email

    def add_service_errors(self, error: forms.ValidationError) -> None:
        """Show what services.member_create refused, on the field it concerns (the username is the
        email), never as a 500 and never saying that the address is taken elsewhere."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            if name == "username":
                self.add_error("email", self.NOT_AVAILABLE)
            else:
                self.add_error(name if name in self.fields else None, messages)

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            # Django's validators (settings.AUTH_PASSWORD_VALIDATORS), with the new user's details
            # so that a password close to their name or email is refused too.
            email = cleaned.get("email") or ""
            user = get_user_model()(
                username=email,
                email=email,
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
            )
            try:
                validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


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
