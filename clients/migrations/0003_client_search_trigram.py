# PostgreSQL only (nothing on SQLite): trigram indexes for the client list's search, which is
# `icontains` on name, company number and email (core.migration_operations.TrigramIndexes).
# client_name_trgm also serves Jobs → Xero's search by client name.

from django.db import migrations

from core.migration_operations import TrigramIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0002_client_list_indexes"),
    ]

    operations = [
        TrigramIndexes(
            table="clients_client",
            columns={
                "client_name_trgm": "name",
                "client_company_number_trgm": "company_number",
                "client_email_trgm": "email",
            },
        ),
    ]
