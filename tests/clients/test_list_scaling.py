"""The client list at any size: a page is read in index order and a search through trigram
indexes (PostgreSQL), never by sorting or scanning all of the practice's clients. Timings are
bench's job (issue 12); these tests fail if the indexes behind them go."""

import pytest
from django.db import connection

from clients.models import Client
from clients.selectors import client_list
from tests.factories import CompanyFactory
from tests.query_plans import plan_without_scans

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Query plans need PostgreSQL; set DATABASE_URL (CI does)"
)


def _plan(queryset, **settings) -> str:
    """EXPLAIN of the queryset with the planner told to avoid what the test rules out."""
    with connection.cursor() as cursor:
        for name, value in settings.items():
            cursor.execute(f"SET LOCAL {name} = {value}")
        plan = queryset.explain()
        cursor.execute("RESET ALL")
    return plan


@pytest.mark.django_db
@needs_postgres
@pytest.mark.parametrize(
    ("sort", "index"),
    [("name", "client_list_name_order"), ("-name", "client_list_name_order"),
     ("kind", "client_list_kind_order"), ("-kind", "client_list_kind_desc_order"),
     ("created", "client_list_created_order"), ("-created", "client_list_created_order"),
     ("company_number", "client_list_company_no_order"), ("-company_number", "client_list_company_no_order")],
)  # fmt: skip
def test_a_page_is_read_in_index_order(practice, sort, index):
    CompanyFactory.create_batch(5, practice=practice)
    # With sorting made prohibitive the planner still has a plan without a full sort only if the
    # index exists (a missing index shows as a Sort over every client of the practice).
    plan = _plan(client_list(practice=practice, sort=sort)[:50], enable_sort="off", enable_seqscan="off")
    assert index in plan
    assert "\n  ->  Sort " not in plan and not plan.startswith("Sort")


@pytest.mark.django_db
@needs_postgres
@pytest.mark.parametrize(
    ("lookup", "index"),
    [("name", "client_name_trgm"), ("company_number", "client_company_number_trgm"),
     ("email", "client_email_trgm")],
)  # fmt: skip
def test_search_lookups_can_read_trigram_indexes(practice, lookup, index):
    """Each `icontains` of the search (UPPER(col::text) LIKE …) matches its index's expression."""
    CompanyFactory.create_batch(5, practice=practice)
    search = Client.objects.filter(**{f"{lookup}__icontains": "harbour"})
    assert index in _plan(search, enable_seqscan="off")


TRIGRAM_INDEXES = {"client_name_trgm", "client_company_number_trgm", "client_email_trgm"}


@pytest.mark.django_db
def test_trigram_indexes_on_postgresql_only(practice):
    """The migration builds them on PostgreSQL and does nothing on SQLite, where search still works."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'clients_client'")
            assert {row[0] for row in cursor.fetchall()} >= TRIGRAM_INDEXES
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%trgm%'")
            assert cursor.fetchall() == []
    CompanyFactory(practice=practice, name="Harbour Lights Ltd")
    assert [c.name for c in client_list(practice=practice, query="HARBOUR")] == ["Harbour Lights Ltd"]


@pytest.mark.django_db
@needs_postgres
def test_page_count_reads_an_index_alone(owner_client, practice):
    """The pagination's COUNT(*), the one part of page 1 that grows with the practice, counts the
    practice's entries of an index (an index-only scan once vacuumed): no join (the Xero link the
    rows show), no annotation, no read of the clients themselves."""
    from django.test.utils import CaptureQueriesContext

    CompanyFactory.create_batch(3, practice=practice)
    with CaptureQueriesContext(connection) as captured:
        assert owner_client.get("/clients/").status_code == 200
    (count_sql,) = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
    assert "JOIN" not in count_sql and "clients_client" in count_sql, count_sql
    plan = plan_without_scans(count_sql)
    assert "Index Only Scan" in plan, plan
