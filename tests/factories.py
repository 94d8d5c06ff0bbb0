import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from clients.models import Client
from core.models import Membership, Practice
from jobs.models import Job

PASSWORD = "correct-horse-battery"  # test-only


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Practice {n} LLP")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.SelfAttribute("email")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    practice = factory.SubFactory(PracticeFactory)
    role = Membership.Role.OWNER


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    practice = factory.SubFactory(PracticeFactory)
    kind = Client.Kind.COMPANY
    name = factory.Sequence(lambda n: f"Company {n} Ltd")
    company_type = Client.CompanyType.LIMITED
    company_number = factory.Sequence(lambda n: f"{n:08d}")
    email = factory.Sequence(lambda n: f"accounts{n}@company.example")


class IndividualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    practice = factory.SubFactory(PracticeFactory)
    kind = Client.Kind.INDIVIDUAL
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    name = factory.LazyAttribute(lambda o: f"{o.first_name} {o.last_name}")


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    client = factory.SubFactory(CompanyFactory)
    practice = factory.SelfAttribute("client.practice")
    number = factory.Sequence(lambda n: n + 1)
    job_type = Job.JobType.ANNUAL_ACCOUNTS
    deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))
    fee = Decimal("500.00")
