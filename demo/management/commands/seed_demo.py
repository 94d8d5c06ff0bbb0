"""Create the demo practice, its users, ~55 clients and ~120 jobs. Running it twice changes nothing."""

import datetime as dt
import json
import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clients.models import Client, Officer
from clients.services import client_create, officer_add
from core.models import Membership, Practice
from core.services import member_create
from jobs.models import Job
from jobs.services import job_create

DEMO_PRACTICE = "Engager Demo Practice"
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "engager-demo"  # the published demo login
OTHER_USERS = [
    ("priya.shah@example.com", "Priya", "Shah", Membership.Role.ADMIN),
    ("tom.evans@example.com", "Tom", "Evans", Membership.Role.STAFF),
]
JOB_FEES = {
    Job.JobType.ANNUAL_ACCOUNTS: "1200.00",
    Job.JobType.VAT_RETURN: "250.00",
    Job.JobType.CONFIRMATION_STATEMENT: "75.00",
    Job.JobType.CORPORATION_TAX: "450.00",
    Job.JobType.SELF_ASSESSMENT: "300.00",
    Job.JobType.PAYROLL: "150.00",
    Job.JobType.BOOKKEEPING: "200.00",
}


def _address(parts: dict) -> str:
    return "\n".join(p for p in (parts.get(k, "") for k in ("line1", "line2", "city", "postcode")) if p)


def _company_type(name: str) -> str:
    if name.endswith("LLP"):
        return Client.CompanyType.LLP
    return Client.CompanyType.LIMITED


def _last_year_end(day: int, month: int, today: dt.date) -> dt.date:
    year_end = dt.date(today.year, month, day)
    return year_end if year_end < today else dt.date(today.year - 1, month, day)


class Command(BaseCommand):
    help = "Seed the demo practice (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            practice, created = Practice.objects.get_or_create(
                name=DEMO_PRACTICE,
                defaults={"email": "hello@engager-demo.example", "phone": "0161 496 0000",
                          "address": "1 Deansgate\nManchester\nM3 1AZ"},
            )  # fmt: skip
            users = self._users(practice)
            data = json.loads((settings.BASE_DIR / "demo" / "clients.json").read_text())
            companies = self._companies(practice, data["companies"])
            self._individuals(practice, data["individuals"], companies)
            jobs = self._jobs(practice, list(companies.values()), users)
        verb = "Created" if created else "Checked"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {DEMO_PRACTICE}: {Client.objects.filter(practice=practice).count()} clients, "
                f"{jobs} jobs. Sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}"
            )
        )

    def _users(self, practice):
        User = get_user_model()
        users = []
        for email, first, last, role in [(DEMO_EMAIL, "Demo", "User", Membership.Role.OWNER), *OTHER_USERS]:
            user = User.objects.filter(username=email).first()
            if user is None:
                user = member_create(
                    practice=practice, email=email, first_name=first, last_name=last, role=role,
                    password=DEMO_PASSWORD,
                ).user  # fmt: skip
            users.append(user)
        return users

    def _companies(self, practice, rows) -> dict[str, Client]:
        today = timezone.localdate()
        existing = {c.name: c for c in Client.objects.filter(practice=practice, kind=Client.Kind.COMPANY)}
        for row in rows:
            if row["name"] in existing:
                continue
            year_end = row.get("year_end")
            existing[row["name"]] = client_create(
                practice=practice, kind=Client.Kind.COMPANY, name=row["name"],
                company_type=_company_type(row["name"]), company_number=row.get("company_number") or "",
                vat_number=row.get("vat_number") or "", email=row.get("email") or "", phone=row.get("phone") or "",
                registered_address=_address(row.get("registered_address", {})),
                year_end=_last_year_end(year_end["day"], year_end["month"], today) if year_end else None,
            )  # fmt: skip
        return existing

    def _individuals(self, practice, rows, companies):
        existing = {c.name: c for c in Client.objects.filter(practice=practice, kind=Client.Kind.INDIVIDUAL)}
        for row in rows:
            person = existing.get(row["name"])
            if person is None:
                person = client_create(
                    practice=practice, kind=Client.Kind.INDIVIDUAL, first_name=row["first_name"],
                    last_name=row["last_name"], email=row.get("email") or "", phone=row.get("phone") or "",
                )  # fmt: skip
            for company_name in row.get("director_of", []):
                company = companies.get(company_name)
                if company and not Officer.objects.filter(company=company, person=person).exists():
                    officer_add(company=company, person=person, role=Officer.Role.DIRECTOR)

    def _jobs(self, practice, companies, users) -> int:
        if Job.objects.filter(practice=practice).exists():
            return Job.objects.filter(practice=practice).count()
        rng = random.Random(20261125)
        today = timezone.localdate()
        types = list(JOB_FEES)
        for index in range(120):
            client = companies[index % len(companies)]
            job_type = rng.choice(types)
            deadline = today + dt.timedelta(days=rng.randint(-45, 120))
            status = rng.choices(
                [
                    Job.Status.NOT_STARTED,
                    Job.Status.IN_PROGRESS,
                    Job.Status.AWAITING_CLIENT,
                    Job.Status.COMPLETED,
                ],
                weights=[4, 3, 2, 2 if deadline >= today else 5],
            )[0]
            job_create(
                client=client, job_type=job_type, deadline=deadline, status=status,
                period_end=deadline - dt.timedelta(days=rng.choice([30, 90, 270])),
                assignee=rng.choice(users), fee=Decimal(JOB_FEES[job_type]),
            )  # fmt: skip
        return 120
