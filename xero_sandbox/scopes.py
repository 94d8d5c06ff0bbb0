"""OAuth scopes in both of Xero's vocabularies: the broad pre-2026 names and the granular ones.

Broad scopes are expanded to their granular equivalents, and a write scope implies its .read
twin, so each endpoint states the granular scopes it accepts and both vocabularies work.

KNOWN_SCOPES is every scope Xero documents for apps (developer.xero.com/documentation/guides/
oauth2/scopes, and the securitySchemes of Xero's OpenAPI specs), including those for APIs the
sandbox does not serve (payroll, files, assets, projects, finance, bank feeds, payment services,
Practice Manager, eInvoicing, App Store): sample code asks for them and must still sign in. The
sandbox treats every app as certified for the restricted ones.
"""

IDENTITY_SCOPES = ("openid", "profile", "email", "offline_access")
READ_WRITE_BASES = (
    "accounting.contacts",
    "accounting.settings",
    "accounting.invoices",
    "accounting.payments",
    "accounting.banktransactions",
    "accounting.manualjournals",
    "accounting.classicexpenses",
    "accounting.attachments",
    "accounting.transactions",
    "files",
    "assets",
    "projects",
    "payroll.employees",
    "payroll.payruns",
    "payroll.payslip",
    "payroll.timesheets",
    "payroll.settings",
    "practicemanager.job",
    "practicemanager.client",
    "practicemanager.staff",
    "practicemanager.time",
)
REPORTS = (
    "aged",
    "balancesheet",
    "banksummary",
    "budgetsummary",
    "executivesummary",
    "profitandloss",
    "trialbalance",
    "taxreports",
)
READ_ONLY = (
    "accounting.reports.read",
    "accounting.journals.read",
    "accounting.budgets.read",
    "accounting.reports.tenninetynine.read",
    "finance.accountingactivity.read",
    "finance.cashvalidation.read",
    "finance.statements.read",
    "finance.bankstatementsplus.read",
    *(f"accounting.reports.{report}.read" for report in REPORTS),
)
# Scopes with no .read twin.
WHOLE = ("paymentservices", "bankfeeds", "einvoicing")
# Non-tenanted scopes: Xero's tokens for these come from the client_credentials grant.
NON_TENANTED = ("app.connections", "marketplace.billing")
KNOWN_SCOPES = frozenset(
    (
        *IDENTITY_SCOPES,
        *READ_ONLY,
        *READ_WRITE_BASES,
        *(f"{base}.read" for base in READ_WRITE_BASES),
        *WHOLE,
        *NON_TENANTED,
    )
)
TRANSACTION_PARTS = (
    "accounting.invoices",
    "accounting.payments",
    "accounting.banktransactions",
    "accounting.manualjournals",
    "accounting.classicexpenses",
)
BROAD_TO_GRANULAR = {
    "accounting.transactions": TRANSACTION_PARTS,
    "accounting.transactions.read": tuple(f"{part}.read" for part in TRANSACTION_PARTS),
    "accounting.reports.read": tuple(f"accounting.reports.{report}.read" for report in REPORTS),
}

# What the consent page says each scope lets the app do.
PLAIN_WORDS = {
    "openid": "Know who you are (your Xero user identity)",
    "profile": "View your name and profile",
    "email": "View your email address",
    "offline_access": "Keep working with your Xero data when you are not using the app",
    "accounting.contacts": "View and manage your contacts",
    "accounting.contacts.read": "View your contacts",
    "accounting.invoices": "View and manage your invoices, credit notes, quotes, purchase orders and items",
    "accounting.invoices.read": "View your invoices, credit notes, quotes, purchase orders and items",
    "accounting.settings": "View and manage your organisation settings, chart of accounts and tax rates",
    "accounting.settings.read": "View your organisation settings, chart of accounts and tax rates",
    "accounting.reports.aged.read": "View your aged receivables and aged payables reports",
    "accounting.reports.read": "View your reports",
    "accounting.transactions": "View and manage your business transactions",
    "accounting.transactions.read": "View your business transactions",
    "accounting.payments": "View and manage your payments",
    "accounting.payments.read": "View your payments",
    "accounting.banktransactions": "View and manage bank transactions",
    "accounting.banktransactions.read": "View bank transactions",
    "accounting.manualjournals": "View and manage manual journals",
    "accounting.manualjournals.read": "View manual journals",
    "accounting.journals.read": "View your general ledger",
    "accounting.attachments": "View and manage your attachments",
    "accounting.attachments.read": "View your attachments",
    "accounting.budgets.read": "View your budgets",
    "accounting.classicexpenses": "View and manage expense claims and receipts",
    "accounting.classicexpenses.read": "View expense claims and receipts",
    "accounting.reports.balancesheet.read": "View balance sheets",
    "accounting.reports.banksummary.read": "View bank summary",
    "accounting.reports.budgetsummary.read": "View budget summary",
    "accounting.reports.executivesummary.read": "View executive summary",
    "accounting.reports.profitandloss.read": "View profit and loss",
    "accounting.reports.trialbalance.read": "View trial balance",
    "accounting.reports.taxreports.read": "View GST or BAS reports",
    "accounting.reports.tenninetynine.read": "View your 1099 reports",
    "practicemanager.job": "View and manage your Practice Manager job data",
    "practicemanager.job.read": "View your Practice Manager job data",
    "practicemanager.client": "View and manage your Practice Manager client data",
    "practicemanager.client.read": "View your Practice Manager client data",
    "practicemanager.staff": "View and manage your Practice Manager staff data",
    "practicemanager.staff.read": "View your Practice Manager staff data",
    "practicemanager.time": "View and manage your Practice Manager time data",
    "practicemanager.time.read": "View your Practice Manager time data",
    "payroll.employees": "View and manage your employees",
    "payroll.employees.read": "View your employees",
    "payroll.payruns": "View and manage your pay runs",
    "payroll.payruns.read": "View your pay runs",
    "payroll.payslip": "View and manage your payslips",
    "payroll.payslip.read": "View your payslips",
    "payroll.timesheets": "View and manage your timesheets",
    "payroll.timesheets.read": "View your timesheets",
    "payroll.settings": "View and manage your payroll settings",
    "payroll.settings.read": "View your payroll settings",
    "files": "View and manage your file library",
    "files.read": "View your file library",
    "assets": "View and manage your fixed assets",
    "assets.read": "View your fixed assets",
    "projects": "View and manage your projects",
    "projects.read": "View your projects",
    "paymentservices": "View and manage your payment services",
    "bankfeeds": "View and manage your bank statements",
    "finance.accountingactivity.read": "View your Xero usage activity",
    "finance.cashvalidation.read": "View your Bank statement and reconciliation data",
    "finance.statements.read": "View your financial statements",
    "finance.bankstatementsplus.read": "View your Bank statement and reconciled transactions",
    "einvoicing": "View and manage registration information",
    "app.connections": "View your connection data",
    "marketplace.billing": "View and manage Xero App Store data",
}


def broad_scopes(scopes: list[str]) -> list[str]:
    return [scope for scope in scopes if scope in BROAD_TO_GRANULAR]


def unknown_scopes(scopes: list[str]) -> list[str]:
    return [scope for scope in scopes if scope not in KNOWN_SCOPES]


def effective_scopes(scopes: list[str]) -> frozenset[str]:
    granted = set()
    for scope in scopes:
        granted.add(scope)
        granted.update(BROAD_TO_GRANULAR.get(scope, ()))
    granted.update(f"{scope}.read" for scope in list(granted) if not scope.endswith(".read"))
    return frozenset(granted)


def allows(scopes: list[str], accepted: frozenset[str]) -> bool:
    return bool(effective_scopes(scopes) & accepted)


def describe(scopes: list[str]) -> list[str]:
    sentences = []
    for scope in scopes:
        sentence = PLAIN_WORDS.get(scope) or f"Use {scope}"
        if sentence not in sentences:
            sentences.append(sentence)
    return sentences
