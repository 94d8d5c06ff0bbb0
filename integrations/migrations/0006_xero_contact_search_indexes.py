# Indexes the models' Meta does not list (so the migration state is unchanged):
# - (practice, tenant, synced_at, id): the fuzzy-name index of suggestions is checked against the
#   newest contact on every use (integrations.selectors._NameIndex); one index probe instead of a
#   read of every contact of the tenant. Plain SQL that SQLite and PostgreSQL both accept.
# - PostgreSQL only: trigram indexes for the Link with Xero dialog's search over the mirror
#   (`icontains` on name, email and VAT number, `iexact` on company and account number: every
#   alternative of its OR needs an index, or PostgreSQL reads the whole tenant).

from django.db import migrations

from core.migration_operations import TrigramIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0005_sync_steps_webhooks"),
    ]

    operations = [
        migrations.RunSQL(
            sql='CREATE INDEX IF NOT EXISTS "xero_contact_newest" '
            'ON "integrations_xerocontact" ("practice_id", "tenant_id", "synced_at", "id")',
            reverse_sql='DROP INDEX IF EXISTS "xero_contact_newest"',
        ),
        TrigramIndexes(
            table="integrations_xerocontact",
            columns={
                "xero_contact_name_trgm": "name",
                "xero_contact_email_trgm": "email",
                "xero_contact_tax_number_trgm": "tax_number",
                "xero_contact_company_number_trgm": "company_number",
                "xero_contact_account_number_trgm": "account_number",
            },
        ),
    ]
