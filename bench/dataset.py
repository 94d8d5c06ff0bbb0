"""Deterministic practices for the benchmark: the measured one (10,000 clients) and a comparison one
(1,000 clients), in the same proportions: 70% companies, 50% of all clients linked to a Xero contact
(linked later, once the contacts are mirrored), three jobs per client."""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from clients.models import Client
from core.models import Membership, Practice
from jobs.models import Job, JobSequence

WORDS = ["Acme", "Widgets", "Northern", "Harbour", "Copper", "Granite", "Willow", "Kestrel", "Orchard",
         "Pennine", "Thistle", "Lantern", "Meadow", "Foxglove", "Ironbridge", "Juniper", "Stone", "River"]  # fmt: skip
TRADES = ["Plumbing", "Logistics", "Bakery", "Consulting", "Dental", "Builders", "Design", "Software", "Care"]
FIRST = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Leo",
    "Grace",
    "Arthur",
    "Freya",
    "Jack",
]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright"]
COMPANY_SHARE = 0.7
LINKED_SHARE = 0.5
JOBS_PER_CLIENT = 3
TODAY = dt.date(2026, 6, 1)  # fixed, so the dataset is the same whenever it is built


@dataclass
class BenchPractice:
    practice: Practice
    user: object
    clients: int
    companies: int
    jobs: int

    @property
    def linked_target(self) -> int:
        return int(self.clients * LINKED_SHARE)


def build(*, label: str, clients: int, seed: int) -> BenchPractice:
    """One practice with `clients` clients (70% companies) and three jobs each. Built from scratch:
    the benchmark runs against a database of its own that it recreates every run."""
    practice = Practice.objects.create(name=f"Benchmark Practice {label}")
    email = f"bench-{label}@example.com"
    user = get_user_model().objects.create_user(email, email, "bench-password-123")
    Membership.objects.create(user=user, practice=practice, role=Membership.Role.OWNER)
    companies = _fill(practice, user, clients, random.Random(seed))
    return BenchPractice(
        practice=practice, user=user, clients=clients, companies=companies, jobs=clients * JOBS_PER_CLIENT
    )


@transaction.atomic
def _fill(practice, user, count: int, rng: random.Random) -> int:
    company_count = int(count * COMPANY_SHARE)
    rows = []
    for n in range(count):
        if n < company_count:
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)} {n} Ltd"
            rows.append(Client(
                practice=practice, kind=Client.Kind.COMPANY, name=name, company_type=Client.CompanyType.LIMITED,
                company_number=f"{n:08d}", vat_number=f"GB{100000000 + n}", email=f"accounts{n}@bench.example",
            ))  # fmt: skip
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            rows.append(Client(
                practice=practice, kind=Client.Kind.INDIVIDUAL, first_name=first, last_name=f"{last} {n}",
                name=f"{first} {last} {n}", email=f"person{n}@bench.example",
            ))  # fmt: skip
    created = Client.objects.bulk_create(rows, batch_size=1000)
    sequence, _ = JobSequence.objects.get_or_create(practice=practice)
    number = sequence.last_number
    jobs = []
    statuses = Job.Status.values
    for client in created:
        for _ in range(JOBS_PER_CLIENT):
            number += 1
            jobs.append(Job(
                practice=practice, client=client, number=number, job_type=rng.choice(Job.JobType.values),
                deadline=TODAY + dt.timedelta(days=rng.randint(-60, 300)),
                status=rng.choice(statuses), assignee=user, fee=Decimal(rng.choice(["250.00", "480.00", "95.00"])),
            ))  # fmt: skip
    Job.objects.bulk_create(jobs, batch_size=2000)
    sequence.last_number = number
    sequence.save(update_fields=["last_number"])
    return company_count


def link_companies(bench: BenchPractice, tenant_id: str) -> int:
    """Link the first half of the clients (all companies) to mirrored contacts, straight in the ORM,
    and attach the contacts' invoices and credit notes to them, as linking through the UI would."""
    from django.db.models import OuterRef, Subquery

    from integrations.models import XeroContact, XeroContactLink
    from invoicing.models import CreditNote, Invoice

    practice = bench.practice
    contacts = list(
        XeroContact.objects.filter(practice=practice, tenant_id=tenant_id)
        .order_by("name", "pk")
        .values_list("pk", flat=True)[: bench.linked_target]
    )
    clients = list(
        Client.objects.filter(practice=practice, kind=Client.Kind.COMPANY)
        .order_by("pk")
        .values_list("pk", flat=True)[: len(contacts)]
    )
    XeroContactLink.objects.bulk_create(
        [
            XeroContactLink(
                practice=practice, client_id=client_id, contact_id=contact_id, linked_by=bench.user
            )
            for client_id, contact_id in zip(clients, contacts, strict=True)
        ],
        batch_size=1000,
    )
    client_of = XeroContactLink.objects.filter(contact_id=OuterRef("contact_id")).values("client_id")[:1]
    for model in (Invoice, CreditNote):  # what mirror_client_link_changed does per link, in one go
        model.objects.filter(practice=practice, contact_id__in=contacts).update(client_id=Subquery(client_of))
    return len(clients)
