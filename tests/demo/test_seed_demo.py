import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands

from clients.models import Client
from core.models import Membership
from jobs.models import Job


def test_seed_demo_lives_in_the_demo_app_not_core():
    """core sits at the bottom of the layers: it imports no app above it (see pyproject.toml)."""
    assert get_commands()["seed_demo"] == "demo"


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", verbosity=0)
    counts = (Client.objects.count(), Job.objects.count(), get_user_model().objects.count())
    assert counts[0] >= 40
    assert counts[1] >= 100
    assert counts[2] == 3
    call_command("seed_demo", verbosity=0)
    assert (Client.objects.count(), Job.objects.count(), get_user_model().objects.count()) == counts
    demo = get_user_model().objects.get(email="demo@example.com")
    assert demo.check_password("engager-demo")
    assert demo.membership.role == Membership.Role.OWNER
    individual = Client.objects.filter(kind=Client.Kind.INDIVIDUAL).first()
    assert individual.name == f"{individual.first_name} {individual.last_name}"  # derived by the service
