"""OAuth scopes in both of Xero's vocabularies: the broad pre-2026 names and the granular ones.

Broad scopes are expanded to their granular equivalents, and a write scope implies its .read
twin, so each endpoint states the granular scopes it accepts and both vocabularies work.
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
    "payroll.timesheets",
    "payroll.settings",
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
    "payroll.payslip.read",
    *(f"accounting.reports.{report}.read" for report in REPORTS),
)
KNOWN_SCOPES = frozenset(
    (*IDENTITY_SCOPES, *READ_ONLY, *READ_WRITE_BASES, *(f"{base}.read" for base in READ_WRITE_BASES))
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
