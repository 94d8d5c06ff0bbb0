"""Migration operations shared by the apps' migrations."""

from django.db import migrations


class TrigramIndexes(migrations.operations.base.Operation):
    """pg_trgm GIN indexes on UPPER(column), on PostgreSQL only: nothing happens on SQLite.

    `icontains` compiles to `UPPER(col::text) LIKE UPPER('%term%')` on PostgreSQL; these indexes let a
    search read the matching rows instead of all the practice's rows. They stay out of the models'
    Meta (and so out of the migration state) because SQLite cannot build them. If pg_trgm cannot be
    created (no privilege), the indexes are skipped: searches stay correct, only slower. The index
    names are shared with other apps' migrations that build the same index (IF NOT EXISTS).
    """

    reversible = True
    reduces_to_sql = False

    def __init__(self, *, table: str, columns: dict[str, str]):
        self.table = table
        self.columns = columns  # index name → column

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql" or not _pg_trgm(schema_editor):
            return
        for name, column in self.columns.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{self.table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in self.columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    def describe(self):
        return f"Trigram indexes on {self.table} (PostgreSQL only): {', '.join(self.columns)}"


def _pg_trgm(schema_editor) -> bool:
    """Whether pg_trgm is there, creating it if we may (a failed CREATE is rolled back alone)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is not None:
            return True
        cursor.execute("SAVEPOINT engager_pg_trgm")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # noqa: BLE001 - no privilege, not installed: go on without the indexes
            cursor.execute("ROLLBACK TO SAVEPOINT engager_pg_trgm")
            return False
        cursor.execute("RELEASE SAVEPOINT engager_pg_trgm")
        return True
