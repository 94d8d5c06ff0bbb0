"""`make bench`: every target of issue 12 §1, measured in one run, printed as a table with PASS or
FAIL and written to bench/results/latest.json.

Database: PostgreSQL when BENCH_DATABASE_URL is set (used as is), or when DATABASE_URL is set (its
database name + "_bench", so the real one is never touched); SQLite (var/bench.sqlite3) otherwise.
The bench database is dropped and rebuilt every run, so the dataset is the same every time.
Celery runs eagerly, except for the webhook measurement, which starts a real worker (a thread) on
REDIS_URL when it is set.
"""

import os
import platform
import sys
import time
from pathlib import Path

from bench.database import bench_database_url, recreate_database

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"  # the full-size run only
CUSTOM_RESULTS = ROOT / "bench" / "results" / "custom.json"  # a run shrunk by BENCH_* (not committed)


URL = bench_database_url()
os.environ["DATABASE_URL"] = URL
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engager.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
SMALL = int(os.environ.get("BENCH_SMALL_CLIENTS", "1000"))
LARGE = int(os.environ.get("BENCH_CLIENTS", "10000"))
CONTACTS = int(os.environ.get("BENCH_XERO_CONTACTS", "10000"))
INVOICES = int(os.environ.get("BENCH_XERO_INVOICES", "100000"))
BILLING_JOBS = int(os.environ.get("BENCH_BILLING_JOBS", "500"))
T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - T0:6.1f}s] {message}", flush=True)


def main() -> int:
    recreate_database(URL)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import dataset, pages, xero
    from bench.matching import measure as measure_matching
    from bench.report import Check, page_check, summary, table, write_json

    vendor = connection.vendor
    log(f"Database: {vendor} ({connection.settings_dict['NAME']}), rebuilt for this run")
    call_command("migrate", verbosity=0)
    log("migrated")
    small = dataset.build(label="1k", clients=SMALL, seed=1)
    large = dataset.build(label="10k", clients=LARGE, seed=10)
    log(f"practices built: {SMALL} and {LARGE} clients, {small.jobs + large.jobs} jobs")

    sandbox = xero.Sandbox()
    details: dict = {}
    checks: list[Check] = []
    try:
        tenant_small, _ = sandbox.seed(
            contacts=SMALL, invoices=INVOICES * SMALL // LARGE, name="Bench 1k Ltd", seed=2
        )
        tenant_large, seed_s = sandbox.seed(
            contacts=CONTACTS, invoices=INVOICES, name="Bench 10k Ltd", seed=1
        )
        log(f"sandbox seeded ({seed_s:.1f} s for {CONTACTS} contacts / {INVOICES} invoices)")
        sandbox.connect(small, tenant_small)
        log("1k practice connected and synced")
        full = xero.full_sync(sandbox, large, tenant_large)
        owner_client = full.pop("client")
        details["full_sync"] = full
        log(f"full sync: {full['invoices_mirrored']} invoices, {full['calls_total']} calls, "
            f"{full['ingest_rate_per_s']}/s ingest ({full['status']})")  # fmt: skip
        details["incremental_sync"] = inc = xero.incremental_sync(owner_client, large, sync_now=False)
        details["sync_now"] = now = xero.incremental_sync(owner_client, large, sync_now=True)
        log(f"incremental sync: {inc['calls']} calls (background), {now['calls']} (Sync now)")
        details["links"] = {
            "1k": dataset.link_companies(small, tenant_small),
            "10k": dataset.link_companies(large, tenant_large),
        }
        log(f"linked {details['links']} clients to contacts")
        # A bulk-loaded database has no planner statistics nor visibility map yet; a live one has
        # both (autovacuum), so measure with them: counts can then read an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
        log("vacuumed and analysed" if vendor == "postgresql" else "analysed")

        checks.append(Check("Sync", f"full invoice sync of {full['invoices_mirrored']:,}: Xero calls for "
                            "invoices + credit notes", full["invoice_calls"], "<=", 105,
                            note=f"{full['calls_total']} calls for the whole first sync (contacts, reference "
                            "data, identity too)"))  # fmt: skip
        checks.append(Check("Sync", "full sync ingest rate, sandbox time excluded", full["ingest_rate_per_s"], ">=",
                            5000, "invoices/s", note=f"{full['app_seconds_in_window']} s app + "
                            f"{full['sandbox_seconds_in_window']} s sandbox"))  # fmt: skip
        checks.append(Check("Sync", "incremental sync (15-minute background), nothing changed: Xero calls",
                            inc["calls"], "<=", 4, note=", ".join(inc["calls_by_path"])))  # fmt: skip
        checks.append(Check("Sync", "Sync now, nothing changed: Xero calls (refreshes reference data too)",
                            now["calls"], note=", ".join(now["calls_by_path"])))  # fmt: skip

        page_results = pages.measure({"1k": small, "10k": large}, runs=RUNS)
        log("pages measured at 1k and 10k, alternately")
        details["pages"] = page_results
        for name, large_result in page_results["10k"].items():
            small_result = page_results["1k"].get(name)
            if small_result:
                checks.append(page_check(name, small_result, large_result))

        details["matching"] = m = measure_matching(large.practice)
        log("matching measured")
        checks.append(Check("Matching", f"suggestions for one client against {m['contacts']:,} contacts, p95",
                            m["suggestions_p95_ms"], "<=", 20, "ms",
                            note=f"p50 {m['suggestions_p50_ms']} ms, cold {m['suggestions_cold_ms']} ms"))  # fmt: skip
        checks.append(Check("Matching", f"bulk scoring {m['clients']:,} × {m['contacts']:,}",
                            m["bulk_total_seconds"], "<=", 5, "s",
                            note=f"load {m['bulk_load_seconds']} s + match {m['bulk_match_seconds']} s"))  # fmt: skip

        details["batch_billing"] = b = xero.batch_billing(sandbox, large, jobs=BILLING_JOBS)
        log(f"batch billing: {b['status']}, {b['calls']} calls")
        checks.append(Check("Batch billing", f"{b['jobs']} jobs: Xero calls", b["calls"], "<=", 10,
                            note=f"{b['invoices_sent']} invoices, {b['status']}"))  # fmt: skip
        checks.append(Check("Batch billing", f"{b['jobs']} jobs: time, sandbox excluded", b["app_seconds"], "<=", 30,
                            "s", note=f"{b['seconds']} s wall"))  # fmt: skip

        details["webhook"] = w = xero.webhook_to_visible(sandbox, large, tenant_large)
        log(f"webhook: {w}")
        checks.append(Check("Webhooks", "change in Xero → mirror updated, real worker", w.get("seconds"), "<=",
                            5, "s", skipped=w.get("skipped", ""), note=w.get("error", "")))  # fmt: skip
    finally:
        sandbox.stop()

    elapsed = time.perf_counter() - T0
    meta = {
        "database": vendor,
        "database_name": connection.settings_dict["NAME"],
        "requests_per_page": RUNS,
        "page_timing": "Django test client in-process: server time, no network or web server",
        "dataset": {
            "measured_practice": {
                "clients": large.clients,
                "companies": large.companies,
                "jobs": large.jobs,
                "linked": details["links"]["10k"],
            },
            "comparison_practice": {
                "clients": small.clients,
                "companies": small.companies,
                "jobs": small.jobs,
                "linked": details["links"]["1k"],
            },
            "sandbox": {"contacts": CONTACTS, "invoices": INVOICES},
        },  # fmt: skip
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "elapsed_seconds": round(elapsed, 1),
        "finished_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    print()
    print(f"Benchmark on {vendor}: {large.clients:,} clients (comparison {small.clients:,}), {CONTACTS:,} contacts, "
          f"{INVOICES:,} invoices; pages over {RUNS} requests each (Django test client, in-process)")  # fmt: skip
    print(table(checks))
    print(f"\n{summary(checks)} in {elapsed:.0f} s")
    full_size = (SMALL, LARGE, CONTACTS, INVOICES, BILLING_JOBS) == (
        1000,
        10000,
        10000,
        100000,
        500,
    ) and RUNS >= 30
    out = RESULTS if full_size else CUSTOM_RESULTS
    write_json(out, checks=checks, meta=meta, details=details)
    print(f"Wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
