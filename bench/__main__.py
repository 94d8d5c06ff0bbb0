"""`make bench`: build a 10,000-client practice and time the busiest pages.

Runs against its own SQLite file (var/bench.sqlite3) unless BENCH_DATABASE_URL is set, so the demo
database is untouched. Prints a table and writes bench/results/latest.json.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engager.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.dataset import BENCH_EMAIL, build  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
PAGES = [
    ("client list", "/clients/"),
    ("client list, page 150", "/clients/?page=150"),
    ("client search (name)", "/clients/?q=widgets"),
    ("client search (company no.)", "/clients/?q=0001234"),
    ("client list sorted by number desc", "/clients/?sort=-company_number"),
    ("jobs list", "/jobs/"),
    ("jobs overdue", "/jobs/?due=overdue"),
    ("jobs open, page 50", "/jobs/?status=open&page=50"),
    ("deadlines widget", "/jobs/widgets/deadlines/"),
    ("client page", "/clients/{client_id}/"),
    ("job page", "/jobs/{job_id}/"),
]


def measure(client: HttpClient, url: str) -> dict:
    timings = []
    queries = 0
    for _ in range(RUNS):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    timings.sort()
    return {
        "url": url,
        "median_ms": round(statistics.median(timings), 2),
        "p90_ms": round(timings[int(len(timings) * 0.9) - 1], 2),
        "queries": queries,
    }


def main() -> int:
    call_command("migrate", verbosity=0)
    info = build(clients=int(os.environ.get("BENCH_CLIENTS", "10000")), jobs_per_client=3)
    client = HttpClient()
    client.force_login(info["user"])
    results = {"dataset": {"clients": info["clients"], "jobs": info["jobs"]}, "database": connection.vendor,
               "runs": RUNS, "pages": {}}  # fmt: skip
    print(f"Dataset: {info['clients']} clients, {info['jobs']} jobs on {connection.vendor} ({BENCH_EMAIL})")
    print(f"{'page':38} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
    for name, url in PAGES:
        url = url.format(client_id=info["client_id"], job_id=info["job_id"])
        result = measure(client, url)
        results["pages"][name] = result
        print(f"{name:38} {result['median_ms']:>10} {result['p90_ms']:>8} {result['queries']:>8}")
    print("\nXero: connect and sync a 10,000-contact organisation in the sandbox")
    from bench import xero

    results["xero"] = xero.run(
        info["user"], contacts=int(os.environ.get("BENCH_XERO_CONTACTS", "10000")),
        invoices=int(os.environ.get("BENCH_XERO_INVOICES", "100000")),
    )  # fmt: skip
    for key, value in results["xero"].items():
        print(f"  {key:40} {value}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    print(f"Wrote {out / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
