"""core.lookups.AnyOf: `field__any_of=[...]` selects exactly what `field__in=[...]` does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Membership, Practice
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_any_of_selects_what_in_selects():
    practices = [Practice.objects.create(name=f"P{n}") for n in range(5)]
    wanted = [practices[1].pk, practices[3].pk, 999_999]
    assert set(Practice.objects.filter(pk__any_of=wanted)) == set(Practice.objects.filter(pk__in=wanted))
    assert set(
        Practice.objects.filter(name__any_of=["P0", "P4", "nobody"]).values_list("name", flat=True)
    ) == {
        "P0",
        "P4",
    }
    assert not Practice.objects.filter(pk__any_of=[]).exists()
    assert Practice.objects.exclude(pk__any_of=wanted).count() == 3
    users = [MembershipFactory(practice=practices[n]).user for n in (1, 2)]
    assert list(Membership.objects.filter(practice__any_of=wanted).values_list("user", flat=True)) == [
        users[0].pk
    ]
    assert Membership.objects.filter(practice_id__any_of=[practices[2].pk]).get().user == users[1]


def test_any_of_is_one_array_parameter_on_postgresql():
    with CaptureQueriesContext(connection) as captured:
        list(Practice.objects.filter(pk__any_of=list(range(1, 1001))))
    sql = captured[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY('{1,2,3," in sql and "::bigint[])" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql


def test_any_of_takes_any_text():
    names = ['Quote " Ltd', "Back\\slash & Co", "Comma, Brace {} Ltd", "NULL", "", "Émile's"]
    for name in names:
        Practice.objects.create(name=name or "unnamed")
    wanted = [*names[:-1], "Émile's", "nobody"]
    found = set(Practice.objects.filter(name__any_of=wanted).values_list("name", flat=True))
    assert found == {n for n in names if n}
