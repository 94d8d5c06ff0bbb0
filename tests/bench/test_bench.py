"""The benchmark's plumbing on a tiny dataset: its modules import, targets turn into PASS/FAIL, and
the table and bench/results JSON are written. No timings are asserted here (`make bench` does that)."""

import json

import pytest

from bench import dataset, pages, report, xero  # noqa: F401 - importing is part of the check
from bench.database import bench_database_url


def test_checks_pass_fail_and_skip():
    assert report.Check("Sync", "calls", 3, "<=", 4).status == "PASS"
    assert report.Check("Sync", "calls", 5, "<=", 4).status == "FAIL"
    assert report.Check("Sync", "rate", 6000, ">=", 5000).status == "PASS"
    assert report.Check("Sync", "rate", None, ">=", 5000).status == "FAIL"
    assert report.Check("Webhooks", "visible", None, "<=", 5, skipped="no Redis").status == "SKIP"


def test_percentile_is_nearest_rank():
    values = list(range(1, 31))
    assert report.percentile(values, 95) == 29
    assert report.percentile(values, 50) == 15


def test_a_page_passes_only_when_every_criterion_does():
    small = {"p50_ms": 5.0, "p95_ms": 10.0, "queries": 7, "xero_calls": 0}
    assert report.page_check("list", small, dict(small, p95_ms=14.0)).status == "PASS"
    failed = report.page_check("list", small, dict(small, p95_ms=16.0, queries=8, xero_calls=1))
    assert failed.status == "FAIL"
    assert failed.note == "queries differ, Xero calls, ratio > 1.5"


def test_table_and_json(tmp_path):
    checks = [report.Check("Sync", "calls", 3, "<=", 4), report.Check("Matching", "bulk", 6.5, "<=", 5, "s")]
    text = report.table(checks)
    assert "| Sync | calls | 3 | <= 4 | PASS |" in text
    assert "| Matching | bulk | 6.50 s | <= 5 s | FAIL |" in text
    out = report.write_json(
        tmp_path / "results" / "latest.json", checks=checks, meta={"database": "x"}, details={}
    )
    data = json.loads(out.read_text())
    assert data["summary"] == {"PASS": 1, "FAIL": 1}
    assert [c["status"] for c in data["checks"]] == ["PASS", "FAIL"]


def test_the_bench_database_is_never_the_projects_own(monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE_URL", "")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h:5432/engager")
    assert bench_database_url() == "postgres://u@h:5432/engager_bench"
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://u@h:5432/mine")
    assert bench_database_url() == "postgres://u@h:5432/mine"
    monkeypatch.delenv("BENCH_DATABASE_URL")
    monkeypatch.delenv("DATABASE_URL")
    assert bench_database_url().endswith("var/bench.sqlite3")


@pytest.mark.django_db
def test_a_tiny_practice_is_built_in_proportion():
    built = dataset.build(label="tiny", clients=20, seed=1)
    assert (built.clients, built.companies, built.jobs, built.linked_target) == (20, 14, 60, 10)
    assert built.practice.clients.count() == 20
    assert built.practice.jobs.count() == 60
