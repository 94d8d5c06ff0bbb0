"""Reading PostgreSQL's query plans in tests that prove an index serves a query."""

from django.db import connection


def plan_without_scans(sql: str) -> str:
    """EXPLAIN of `sql` with sequential and bitmap scans made prohibitive: an index-only plan then
    remains only if an index can answer the query alone."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET ALL")
    return plan
