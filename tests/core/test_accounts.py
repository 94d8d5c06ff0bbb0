"""Accounts: sign-in throttling (django-axes), adding users safely (issue 7, items 11, 16, 17, 18)."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from core import services
from core.forms import MemberForm
from core.models import Membership
from tests.factories import PASSWORD, MembershipFactory, UserFactory

LIMIT = settings.AXES_FAILURE_LIMIT
LOCKED = "Too many failed sign-in attempts"
WRONG = "Please enter a correct"


def sign_in(client, email, password, *, path="/login/", ip="203.0.113.7", **extra):
    response = client.post(path, {"username": email, "password": password}, REMOTE_ADDR=ip, **extra)
    return response, response.content.decode()


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- 16. Sign-in throttling ---------------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused_too(client, owner):
    assert LIMIT <= 10  # "40 wrong passwords in 11 s" must not be possible
    for attempt in range(LIMIT - 1):
        response, body = sign_in(client, owner.email, f"wrong-{attempt}")
        assert response.status_code == 200
        assert WRONG in body

    response, body = sign_in(client, owner.email, "wrong-again")
    assert response.status_code == 429
    assert LOCKED in body
    assert "paused for 15 minutes, even with the right password" in body

    response, body = sign_in(client, owner.email, PASSWORD)
    assert response.status_code == 429
    assert LOCKED in body
    assert not signed_in(client)


@pytest.mark.django_db
def test_the_account_lock_holds_from_other_addresses_and_other_spellings_of_the_email(client, owner):
    variants = [owner.email, owner.email.upper(), f"  {owner.email.title()} "]
    for attempt in range(LIMIT):
        sign_in(client, variants[attempt % len(variants)], "wrong", ip=f"198.51.100.{attempt + 1}")

    response, body = sign_in(client, owner.email, PASSWORD, ip="192.0.2.200")
    assert response.status_code == 429
    assert LOCKED in body
    assert not signed_in(client)


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_locked_out(client, practice, owner):
    others = [MembershipFactory(practice=practice).user for _ in range(LIMIT)]
    for user in others:  # one wrong guess per account: no account reaches the limit
        response, _ = sign_in(client, user.email, "wrong", ip="203.0.113.50")
        assert response.status_code in (200, 429)

    response, body = sign_in(client, owner.email, PASSWORD, ip="203.0.113.50")
    assert response.status_code == 429
    assert LOCKED in body
    assert not signed_in(client)

    # The accounts themselves are not locked: from another address the owner signs in.
    response, _ = sign_in(client, owner.email, PASSWORD, ip="203.0.113.51")
    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_the_admin_sign_in_is_throttled_too(client):
    superuser = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    for _ in range(LIMIT):
        sign_in(client, superuser.email, "wrong", path="/admin/login/")

    response, body = sign_in(client, superuser.email, PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert LOCKED in body
    assert not signed_in(client)


@pytest.mark.django_db
def test_a_right_password_before_the_limit_signs_in_and_clears_the_count(client, owner):
    for _ in range(LIMIT - 1):
        sign_in(client, owner.email, "wrong")
    response, _ = sign_in(client, owner.email, PASSWORD)
    assert response.status_code == 302
    client.post("/logout/")
    response, body = sign_in(client, owner.email, "wrong")
    assert response.status_code == 200  # counting starts again after a successful sign-in
    assert WRONG in body


@pytest.mark.django_db
def test_behind_a_proxy_the_client_cannot_forge_its_address(client, owner, settings):
    settings.BEHIND_PROXY = True
    for attempt in range(LIMIT):
        # The client controls everything left of the address our proxy appends.
        sign_in(client, f"nobody{attempt}@example.com", "wrong", ip="10.0.0.2",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 203.0.113.9")  # fmt: skip

    response, _ = sign_in(client, owner.email, PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 429
    # Another client behind the same proxy is a different address, so it is not locked out.
    response, _ = sign_in(client, owner.email, PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert response.status_code == 302


# --- 11, 17, 18. Adding a user ------------------------------------------------------------------

ADD = "/settings/users/new/"


def add_user(django_client, **fields):
    data = {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "role": "staff",
            "password": "Quiet-harbour-lantern-42"} | fields  # fmt: skip
    response = django_client.post(ADD, data)
    return response, response.content.decode()


def email_of_length(length: int) -> str:
    """A valid address (64-character local part, labels of at most 63) of exactly `length` characters."""
    local = "a" * 64
    labels, remaining = [], length - len(local) - 1 - len(".example")
    while remaining > 0:
        size = min(60, remaining - 1 if remaining > 61 else remaining)
        labels.append("b" * size)
        remaining -= size + 1
    email = f"{local}@{'.'.join(labels)}.example"
    assert len(email) == length, (len(email), length)
    return email


@pytest.mark.django_db
def test_an_email_longer_than_the_username_column_is_a_form_error(owner_client):
    too_long = email_of_length(MemberForm.EMAIL_MAX_LENGTH + 48)

    response, body = add_user(owner_client, email=too_long)

    assert response.status_code == 200
    assert f"An email address can be at most {MemberForm.EMAIL_MAX_LENGTH} characters." in body
    assert not get_user_model().objects.filter(email=too_long).exists()


@pytest.mark.django_db
def test_an_email_exactly_as_long_as_the_column_is_accepted(owner_client):
    longest = email_of_length(MemberForm.EMAIL_MAX_LENGTH)
    assert get_user_model()._meta.get_field("username").max_length == MemberForm.EMAIL_MAX_LENGTH

    response, _ = add_user(owner_client, email=longest)

    assert response.status_code == 302
    assert get_user_model().objects.get(username=longest).membership.role == Membership.Role.STAFF


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "password123"}, "This password is too common."),
        ({"password": "4815162342108"}, "This password is entirely numeric."),
        ({"password": "Short-1"}, "This password is too short. It must contain at least 10 characters."),
        ({"first_name": "Rosalind", "email": "rosalind.franklin@example.com", "password": "rosalind.franklin"},
         "The password is too similar to the"),
    ],
    ids=["common", "numeric", "short", "like-their-email"],
)  # fmt: skip
def test_passwords_owners_set_go_through_djangos_validators(owner_client, fields, message):
    response, body = add_user(owner_client, **fields)

    assert response.status_code == 200
    assert message in body
    assert not get_user_model().objects.filter(email=fields.get("email", "ann@example.com")).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("htmx_request", [False, True], ids=["page", "htmx"])
def test_a_rerendered_form_never_echoes_the_typed_password(owner_client, htmx_request):
    typed = "Unusual-Passphrase-4821"
    headers = {"HTTP_HX_REQUEST": "true"} if htmx_request else {}

    response = owner_client.post(ADD, {"first_name": "Ann", "last_name": "", "email": "ann@example.com",
                                       "role": "staff", "password": typed}, **headers)  # fmt: skip

    body = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in body
    assert typed not in body
    assert re.search(r'<input type="password" name="password"(?![^>]*value=)[^>]*>', body)


@pytest.mark.django_db
def test_the_demo_and_test_passwords_pass_the_validators():
    from django.contrib.auth.password_validation import validate_password

    demo = get_user_model()(username="demo@example.com", email="demo@example.com", first_name="Demo")
    validate_password("engager-demo", demo)
    validate_password(PASSWORD, UserFactory.build())


def _neutral(body: str, email: str) -> str:
    """The page with what legitimately differs between two requests taken out."""
    body = body.replace(email, "EMAIL")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", body)


@pytest.mark.django_db
def test_adding_an_email_used_at_another_practice_reveals_nothing(owner_client, other_practice):
    rival = MembershipFactory(practice=other_practice, user__email="sam@rival.example").user
    practice_less = UserFactory(email="helpdesk@engager.example")  # e.g. support staff, no practice

    response, at_rival = add_user(owner_client, email=rival.email.upper())
    _, practiceless_body = add_user(owner_client, email=practice_less.email)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {"email": [MemberForm.NOT_AVAILABLE]}
    for tell in ["already", "exists", "account", other_practice.name, "member", "practice"]:
        assert tell not in MemberForm.NOT_AVAILABLE
    assert other_practice.name not in at_rival
    # Word for word the same answer as for an address that belongs to no practice.
    assert _neutral(at_rival, rival.email.upper()) == _neutral(practiceless_body, practice_less.email)
    rival.membership.refresh_from_db()
    assert rival.membership.practice == other_practice
    assert get_user_model().objects.filter(email__iexact=rival.email).count() == 1


@pytest.mark.django_db
def test_only_the_same_practice_is_told_the_person_is_already_a_member(owner_client, staff_user):
    response, body = add_user(owner_client, email=f"  {staff_user.email.upper()}")

    assert response.status_code == 200
    assert f"{staff_user.email} is already a member of this practice." in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "refusal",
    [IntegrityError("UNIQUE constraint failed: auth_user.username"),
     ValidationError({"username": ["A user with that username already exists."]})],
    ids=["race", "service-check"],
)  # fmt: skip
def test_an_address_taken_after_the_form_checked_is_a_form_error_too(owner_client, monkeypatch, refusal):
    """Two owners adding the same address at once: the loser gets the neutral form error, not a 500."""

    def member_create(**kwargs):
        raise refusal

    monkeypatch.setattr(services, "member_create", member_create)
    response, body = add_user(owner_client)

    assert response.status_code == 200
    assert response.context["form"].errors == {"email": [MemberForm.NOT_AVAILABLE]}
    assert "already exists" not in body
