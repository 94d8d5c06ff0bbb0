"""A bulk upsert for mirrors fed by thousands of rows at a time (a full Xero sync: 100,000 invoices).

`bulk_create(update_conflicts=True)` writes the same statement, but builds a model instance per row
and prepares every value through the field stack: measured at about a third of a full sync's time.
Here rows are plain dicts, values are adapted once per column kind, and one
`INSERT … ON CONFLICT (…) DO UPDATE SET col = EXCLUDED.col` is sent per batch (PostgreSQL and SQLite
alike). Columns not given take the model field's default on insert and are left alone on update.
"""

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction

BATCH_SIZE = 500  # rows per INSERT … VALUES (SQLite allows 32,766 parameters)
COPY_BATCH_SIZE = 5000  # rows per COPY (PostgreSQL)


def _driver_value(field: models.Field) -> Callable[[Any], Any] | None:
    """How a Python value of this field becomes a parameter for the driver (None: as it is)."""
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DecimalField":
        max_digits, places = field.max_digits, field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, max_digits, places)
    if kind == "JSONField":
        encoder = field.encoder
        return lambda value: json.dumps(value, cls=encoder)  # SQLite keeps JSON as text
    return None


# COPY's text format: NULL is \N; a backslash, tab, newline or carriage return in a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL = "\\N"


def _copy_text(field: models.Field) -> Callable[[Any], str]:
    """How a Python value of this field is written in COPY's text format."""
    kind = (field.target_field if field.is_relation else field).get_internal_type()  # a key: its type
    if kind in ("DateTimeField", "DateField"):
        return lambda value: _COPY_NULL if value is None else value.isoformat()  # with its UTC offset
    if kind == "BooleanField":
        return lambda value: _COPY_NULL if value is None else ("t" if value else "f")
    if kind == "JSONField":
        encoder = field.encoder
        # PostgreSQL casts the JSON text to jsonb for the column.
        return lambda value: (
            _COPY_NULL if value is None else json.dumps(value, cls=encoder).translate(_COPY_ESCAPES)
        )
    if kind in _NUMBERS:
        return lambda value: _COPY_NULL if value is None else str(value)  # nothing to escape in a number
    return lambda value: _COPY_NULL if value is None else str(value).translate(_COPY_ESCAPES)


_NUMBERS = {
    "DecimalField", "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
    "PositiveBigIntegerField", "PositiveSmallIntegerField", "FloatField", "AutoField", "BigAutoField",
}  # fmt: skip


def bulk_upsert(
    model: type[models.Model],
    rows: Iterable[dict[str, Any]],
    *,
    unique_fields: list[str],
    update_fields: list[str],
    batch_size: int | None = None,
) -> int:
    """Insert `rows` (attribute name, e.g. `practice_id`, → Python value), or update `update_fields`
    of the row that already holds the same `unique_fields`. Returns the number of rows sent."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    by_name = {**{f.name: f for f in fields}, **{f.attname: f for f in fields}}
    unknown = {*unique_fields, *update_fields} - by_name.keys()
    if unknown:
        raise ValueError(f"{model.__name__} has no field(s) {sorted(unknown)}")
    quote = connection.ops.quote_name
    statement = _Statement(
        table=quote(model._meta.db_table),
        staging=quote(f"bulk_upsert_{model._meta.db_table}"),
        columns=", ".join(quote(f.column) for f in fields),
        conflict=", ".join(quote(by_name[name].column) for name in unique_fields),
        updates=", ".join(
            f"{quote(by_name[name].column)} = EXCLUDED.{quote(by_name[name].column)}"
            for name in update_fields
        ),
    )
    if connection.vendor == "postgresql":
        encoders = [_copy_text(f) for f in fields]
        send, size = _copy_then_insert, batch_size or COPY_BATCH_SIZE
    else:
        encoders = [_null_safe(_driver_value(f)) for f in fields]
        send, size = _insert_values, batch_size or BATCH_SIZE
    columns = list(zip([f.attname for f in fields], [f.get_default() for f in fields], encoders, strict=True))
    sent = 0
    batch: list[list[Any]] = []
    for row in rows:
        batch.append([encode(row.get(name, default)) for name, default, encode in columns])
        if len(batch) == size:
            send(statement, batch)
            sent += len(batch)
            batch = []
    if batch:
        send(statement, batch)
        sent += len(batch)
    return sent


def _null_safe(convert: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    if convert is None:
        return _as_is
    return lambda value: None if value is None else convert(value)


def _as_is(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class _Statement:
    table: str
    staging: str
    columns: str
    conflict: str
    updates: str


def _insert_values(statement: _Statement, batch: list[list[Any]]) -> None:
    placeholder = "(" + ", ".join(["%s"] * len(batch[0])) + ")"
    sql = (
        f"INSERT INTO {statement.table} ({statement.columns}) VALUES {', '.join([placeholder] * len(batch))} "
        f"ON CONFLICT ({statement.conflict}) DO UPDATE SET {statement.updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in batch for value in row])


def _copy_then_insert(statement: _Statement, batch: list[list[str]]) -> None:
    """PostgreSQL: COPY the batch into a temporary table, then one INSERT … SELECT … ON CONFLICT.
    COPY skips parsing a statement with thousands of parameters: half the time of the VALUES form."""
    data = io.StringIO("".join("\t".join(row) + "\n" for row in batch))
    # One transaction (or savepoint) for the three statements: in autocommit, the COPY's own commit
    # would empty the staging table before the INSERT reads it.
    with transaction.atomic(), connection.cursor() as cursor:
        # Per connection, emptied at every commit; created with the table's column types, no constraints.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {statement.staging} ON COMMIT DELETE ROWS AS "
            f"SELECT {statement.columns} FROM {statement.table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {statement.staging}")  # an earlier batch in this same transaction
        cursor.cursor.copy_expert(f"COPY {statement.staging} ({statement.columns}) FROM STDIN", data)
        cursor.execute(
            f"INSERT INTO {statement.table} ({statement.columns}) SELECT {statement.columns} "
            f"FROM {statement.staging} ON CONFLICT ({statement.conflict}) DO UPDATE SET {statement.updates}"
        )


def relax_commit_durability() -> None:
    """Let the current transaction's COMMIT return before its WAL reaches the disk (PostgreSQL's
    `synchronous_commit = off`, for this transaction only; nothing elsewhere).

    For rows that can be fetched again, written with their resume point in the same transaction (a
    sync page and the run's next page): a crash loses at most the last few pages and their resume
    point together — never one without the other — and the run re-reads them. The wait for the
    disk was about 15 ms per page, a tenth of a full sync.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
