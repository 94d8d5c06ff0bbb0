"""Query lookups the ORM lacks."""

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    """`field__any_of=values`: `field IN values`, sent to PostgreSQL as `field = ANY(<one array>)`.

    Django prepares an IN list's values one by one; for lists of hundreds or thousands (a sync
    page's 1,000 Xero ids, the clients a search names) that cost more than the query itself. One
    array parameter is also one statement shape whatever the length. Other databases get IN.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*params, list(self.rhs))


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # `client__any_of=[pk, …]`: related fields keep their own lookups
