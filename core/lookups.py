"""Query lookups the ORM lacks."""

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    """`field__any_of=values`: `field IN values`, sent to PostgreSQL as `field = ANY('{…}'::type[])`.

    Django prepares an IN list's values one by one, and psycopg2 writes a Python list as
    ARRAY[v1, v2, …] (a node per element for PostgreSQL to parse); for the hundreds or thousands of
    values here (a sync page's 1,000 Xero ids, the clients a search names) either cost more than the
    query. One text parameter cast to an array of the column's own type is read in one go, and
    PostgreSQL can hash it (an integer[] against a bigint column is searched element by element).
    Other databases get IN.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.db_type(connection)  # a foreign key's is its target's
        return f"{lhs} = ANY(%s::{db_type}[])", (*params, _array_literal(self.rhs))


def _array_literal(values) -> str:
    """PostgreSQL's text form of an array: {1,2} or {"a","b \\"quoted\\""} (every element quoted)."""
    items = []
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool):
            items.append(str(value))
        else:
            items.append('"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(items) + "}"


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # `client__any_of=[pk, …]`: related fields keep their own lookups
