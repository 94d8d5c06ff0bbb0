"""Matching benchmark: `python -m bench.matching`.

Builds (once) a practice with 10,000 mirrored Xero contacts and 10,000 company clients in its own
SQLite file (var/bench_matching.sqlite3, or BENCH_DATABASE_URL), then times
  - suggestions for one client (`integrations.selectors.xero_contact_suggestions`): p50/p95 over
    200 different clients, index warm (the first, cold call is reported separately);
  - bulk scoring of every client against every contact (`integrations.matching.best_matches`).
"""

import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":  # standalone: a database of its own; `make bench` imports measure()
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_matching.sqlite3'}"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engager.settings")
    import django

    django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.report import percentile  # noqa: E402
from clients.models import Client  # noqa: E402
from core.models import Practice  # noqa: E402
from integrations import matching  # noqa: E402
from integrations.models import XeroConnection, XeroContact  # noqa: E402
from integrations.selectors import contact_name_index, xero_contact_suggestions  # noqa: E402

N = int(os.environ.get("BENCH_MATCH_N", "10000"))
WORDS = ["Acme", "Widgets", "Northern", "Harbour", "Copper", "Granite", "Willow", "Kestrel", "Orchard",
         "Pennine", "Thistle", "Lantern", "Meadow", "Foxglove", "Ironbridge", "Juniper", "Stone", "River",
         "Aldgate", "Brook", "Cedar", "Dale", "Elm", "Fern", "Glen", "Heath", "Ivy", "Jasper", "Kings", "Lark"]  # fmt: skip
TRADES = ["Plumbing", "Logistics", "Bakery", "Consulting", "Dental", "Builders", "Design", "Software", "Care",
          "Joinery", "Print", "Fitness", "Hotel", "Motors", "Catering", "Electrical", "Roofing", "Florist"]  # fmt: skip


def _name(rng: random.Random, n: int) -> str:
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)} {n}"


@transaction.atomic
def build() -> tuple[Practice, XeroConnection]:
    practice, _ = Practice.objects.get_or_create(name="Matching Benchmark Practice")
    conn = XeroConnection.objects.filter(practice=practice).first() or XeroConnection.objects.create(
        practice=practice, tenant_id=str(uuid.uuid4()), tenant_name="Bench org"
    )
    if XeroContact.objects.filter(practice=practice).count() >= N:
        return practice, conn
    XeroContact.objects.filter(practice=practice).delete()
    Client.objects.filter(practice=practice).delete()
    rng = random.Random(7)
    contacts, clients = [], []
    for n in range(N):
        name = _name(rng, n)
        kind = n % 4  # 0: exact, 1: rough, 2: company number only, 3: no match
        contact_name = {0: f"{name} Ltd", 1: f"{name.upper()} LIMITED", 2: f"Other {n} Trading"}.get(
            kind, f"Unrelated {_name(rng, n + N)} Ltd"
        )
        email = f"accounts{n}@co{n}.example"
        contacts.append(XeroContact(
            practice=practice, tenant_id=conn.tenant_id, contact_id=str(uuid.uuid4()), name=contact_name,
            email=email if kind != 3 else "", company_number=f"{n:08d}" if kind in (0, 2) else "",
            status="ACTIVE", **matching.contact_match_keys(
                name=contact_name, email=email if kind != 3 else "",
                company_number=f"{n:08d}" if kind in (0, 2) else "", tax_number=""),
        ))  # fmt: skip
        clients.append(Client(
            practice=practice, kind=Client.Kind.COMPANY, name=f"{name} Ltd", company_type="limited",
            company_number=f"{n:08d}", email=f"office{n}@mail{n}.example",
        ))  # fmt: skip
    XeroContact.objects.bulk_create(contacts, batch_size=1000)
    Client.objects.bulk_create(clients, batch_size=1000)
    return practice, conn


def measure(practice, *, samples: int = 200) -> dict:
    """Suggestions for one client (p50/p95 over `samples` clients, index warm; the first, cold call
    separately) and bulk scoring of every client against every mirrored contact."""
    clients = list(Client.objects.filter(practice=practice).order_by("pk"))
    contact_name_index.clear()
    start = time.perf_counter()
    xero_contact_suggestions(practice=practice, client=clients[0])
    cold_ms = (time.perf_counter() - start) * 1000
    timings = []
    for client in random.Random(1).sample(clients, min(samples, len(clients))):
        start = time.perf_counter()
        xero_contact_suggestions(practice=practice, client=client)
        timings.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    contact_rows = list(
        XeroContact.objects.filter(practice=practice).values_list(
            "pk", "name", "email", "company_number", "tax_number", "normalised_name"
        )
    )
    contact_inputs = [
        matching.MatchInput.build(name=n, email=e, company_number=c, tax_number=t, key=pk, normalised_name=nn)
        for pk, n, e, c, t, nn in contact_rows
    ]
    client_inputs = [matching.MatchInput.from_client(c) for c in clients]
    prepared = time.perf_counter()
    results = matching.best_matches(client_inputs, contact_inputs)
    done = time.perf_counter()
    return {
        "clients": len(clients),
        "contacts": len(contact_inputs),
        "suggestions_cold_ms": round(cold_ms, 2),
        "suggestions_p50_ms": round(percentile(timings, 50), 2),
        "suggestions_p95_ms": round(percentile(timings, 95), 2),
        "suggestions_samples": len(timings),
        "bulk_load_seconds": round(prepared - start, 2),
        "bulk_match_seconds": round(done - prepared, 2),
        "bulk_total_seconds": round(done - start, 2),
        "bulk_groups": {g: sum(1 for r in results if r.group == g) for g in ("full", "partial", "none")},
    }


def main() -> int:
    call_command("migrate", verbosity=0)
    practice, _ = build()
    clients = list(Client.objects.filter(practice=practice).order_by("pk"))
    print(f"{len(clients)} clients, {XeroContact.objects.filter(practice=practice).count()} contacts "
          f"on {connection.vendor}")  # fmt: skip

    contact_name_index.clear()
    start = time.perf_counter()
    xero_contact_suggestions(practice=practice, client=clients[0])
    print(f"suggestions, cold (builds the name index): {(time.perf_counter() - start) * 1000:.1f} ms")
    sample = random.Random(1).sample(clients, 200)
    timings = []
    for client in sample:
        start = time.perf_counter()
        xero_contact_suggestions(practice=practice, client=client)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(f"suggestions, warm: p50 {statistics.median(timings):.1f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, max {timings[-1]:.1f} ms")  # fmt: skip

    start = time.perf_counter()
    contact_rows = list(
        XeroContact.objects.filter(practice=practice).values_list(
            "pk", "name", "email", "company_number", "tax_number", "normalised_name"
        )
    )
    contact_inputs = [
        matching.MatchInput.build(name=n, email=e, company_number=c, tax_number=t, key=pk, normalised_name=nn)
        for pk, n, e, c, t, nn in contact_rows
    ]
    client_inputs = [matching.MatchInput.from_client(c) for c in clients]
    prepared = time.perf_counter()
    results = matching.best_matches(client_inputs, contact_inputs)
    done = time.perf_counter()
    groups = {g: sum(1 for r in results if r.group == g) for g in ("full", "partial", "none")}
    print(f"bulk {len(client_inputs)} x {len(contact_inputs)}: load+normalise {prepared - start:.2f} s, "
          f"best_matches {done - prepared:.2f} s, total {done - start:.2f} s; groups {groups}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
