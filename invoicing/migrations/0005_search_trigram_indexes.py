# PostgreSQL only (nothing on SQLite): a trigram index for Jobs → Xero's search on the Xero contact's
# name (core.migration_operations.TrigramIndexes). The client's name has its own (clients 0003). The
# index also gives the planner statistics on UPPER(contact_name), so it can tell a common search (walk
# the date index for a page) from a rare one (fetch the few matches).

from django.db import migrations

from core.migration_operations import TrigramIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0004_invoice_firm_indexes"),
    ]

    operations = [
        TrigramIndexes(table="invoicing_invoice", columns={"invoice_contact_name_trgm": "contact_name"}),
    ]
