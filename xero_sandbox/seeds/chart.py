"""A UK organisation's settings: chart of accounts, VAT rates and the practice's service items."""

import uuid
from datetime import datetime
from decimal import Decimal

from ..records import Account, Item, Organisation, TaxRate

NAMESPACE = uuid.UUID("6f1c2b1e-58a4-4c55-9a0e-2d5b3f7e8a10")

UK_TAX_RATES = [
    # name, tax type, rate, report tax type, revenue?, expenses?
    ("20% (VAT on Income)", "OUTPUT2", "20", "OUTPUT", True, False),
    ("20% (VAT on Expenses)", "INPUT2", "20", "INPUT", False, True),
    ("5% (VAT on Income)", "RROUTPUT", "5", "OUTPUT", True, False),
    ("5% (VAT on Expenses)", "RRINPUT", "5", "INPUT", False, True),
    ("Zero Rated Income", "ZERORATEDOUTPUT", "0", "ZERORATEDOUTPUT", True, False),
    ("Zero Rated Expenses", "ZERORATEDINPUT", "0", "ZERORATEDINPUT", False, True),
    ("Exempt Income", "EXEMPTOUTPUT", "0", "EXEMPTOUTPUT", True, False),
    ("Exempt Expenses", "EXEMPTINPUT", "0", "EXEMPTINPUT", False, True),
    ("No VAT", "NONE", "0", "NONE", True, True),
]

UK_ACCOUNTS = [
    # code, name, type, class, tax type, system account
    ("090", "Business Bank Account", "BANK", "ASSET", "NONE", ""),
    ("200", "Sales", "REVENUE", "REVENUE", "OUTPUT2", ""),
    ("201", "Fees - Accounts and Tax", "REVENUE", "REVENUE", "OUTPUT2", ""),
    ("202", "Fees - Payroll and Bookkeeping", "REVENUE", "REVENUE", "OUTPUT2", ""),
    ("260", "Other Revenue", "REVENUE", "REVENUE", "OUTPUT2", ""),
    ("270", "Interest Income", "REVENUE", "REVENUE", "EXEMPTOUTPUT", ""),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "EXPENSE", "INPUT2", ""),
    ("404", "Bank Fees", "EXPENSE", "EXPENSE", "EXEMPTINPUT", ""),
    ("412", "Consulting", "EXPENSE", "EXPENSE", "INPUT2", ""),
    ("429", "General Expenses", "EXPENSE", "EXPENSE", "INPUT2", ""),
    ("433", "Insurance", "EXPENSE", "EXPENSE", "EXEMPTINPUT", ""),
    ("445", "Light, Power, Heating", "EXPENSE", "EXPENSE", "RRINPUT", ""),
    ("461", "Printing & Stationery", "EXPENSE", "EXPENSE", "INPUT2", ""),
    ("469", "Rent", "EXPENSE", "EXPENSE", "INPUT2", ""),
    ("477", "Salaries", "EXPENSE", "EXPENSE", "NONE", ""),
    ("485", "Subscriptions", "EXPENSE", "EXPENSE", "INPUT2", ""),
    ("489", "Telephone & Internet", "EXPENSE", "EXPENSE", "INPUT2", ""),
    ("493", "Travel - National", "EXPENSE", "EXPENSE", "INPUT2", ""),
    ("610", "Accounts Receivable", "CURRENT", "ASSET", "NONE", "DEBTORS"),
    ("800", "Accounts Payable", "CURRLIAB", "LIABILITY", "NONE", "CREDITORS"),
    ("820", "VAT", "CURRLIAB", "LIABILITY", "NONE", "GST"),
    ("960", "Retained Earnings", "EQUITY", "EQUITY", "NONE", "RETAINEDEARNINGS"),
]

# Descriptions in the style of Xero's default UK chart of accounts (bank and system accounts and
# those Xero leaves blank have none).
ACCOUNT_DESCRIPTIONS = {
    "200": "Income from any normal business activity",
    "201": "Fees for annual accounts, tax returns and related compliance work",
    "202": "Fees for payroll processing and bookkeeping services",
    "260": "Any other income that does not relate to normal business activities and is not recurring",
    "270": "Interest income",
    "310": "Cost of goods sold by the business",
    "404": "Fees charged by your bank for transactions regarding your bank account(s).",
    "412": "Payments to consultants and contractors",
    "429": "General expenses related to the running of the business.",
    "433": "Expenses incurred for insuring the business' assets",
    "445": "Expenses incurred for lighting, powering or heating the premises",
    "461": "Expenses incurred by the entity as a result of printing and stationery",
    "469": "The payment to lease a building or area.",
    "477": "Payment to employees in exchange for their resources",
    "485": "E.g. Magazines, professional bodies",
    "489": "Expenditure incurred from any business-related phone calls, phone lines, or internet connections",
    "493": "Expenses incurred from domestic travel which has a business purpose",
    "610": "Outstanding invoices the company has issued out to the client but has not yet received in cash at balance date.",
    "800": "Outstanding invoices the company has received from suppliers but has not yet paid at balance date",
    "820": "The balance in this account represents VAT owing to or from HMRC. At the end of the VAT period, it is this account that should be used to code against either the 'refunds from' or 'payments to' HMRC that will appear on the bank statement.",
    "960": "Do not Use",
}

PRACTICE_ITEMS = [
    # code, name, description, unit price, account
    ("ACCS", "Annual accounts", "Preparation of statutory annual accounts", "1200.00", "201"),
    ("CT600", "Corporation tax return", "Corporation tax computation and CT600 return", "450.00", "201"),
    ("VAT", "VAT return", "Quarterly VAT return preparation and MTD submission", "180.00", "201"),
    ("SA100", "Self assessment", "Personal self assessment tax return", "250.00", "201"),
    ("PAYROLL", "Payroll bureau", "Monthly payroll processing, payslips and RTI submissions", "95.00", "202"),
    ("BOOK", "Bookkeeping", "Bookkeeping, per hour", "45.00", "202"),
    ("CONS", "Advisory", "Business advisory, per hour", "120.00", "200"),
    ("COSEC", "Company secretarial", "Confirmation statement and company secretarial", "150.00", "200"),
]


def stable_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts)))


def furnish_uk_organisation(org: Organisation, created_at: datetime) -> None:
    org.tax_rates = [
        TaxRate(
            name,
            tax_type,
            Decimal(rate),
            report,
            can_apply_to_revenue=revenue,
            can_apply_to_expenses=expenses,
        )
        for name, tax_type, rate, report, revenue, expenses in UK_TAX_RATES
    ]
    org.accounts = [
        Account(
            account_id=stable_id(org.tenant_id, "account", code),
            code=code,
            name=name,
            type=account_type,
            account_class=account_class,
            tax_type=tax_type,
            description=ACCOUNT_DESCRIPTIONS.get(code, ""),
            system_account=system,
            bank_account_number="20-45-67 41234567" if account_type == "BANK" else "",
            enable_payments=account_type == "BANK",
        )
        for code, name, account_type, account_class, tax_type, system in UK_ACCOUNTS
    ]
    org.items = [
        Item(
            item_id=stable_id(org.tenant_id, "item", code),
            code=code,
            name=name,
            description=description,
            unit_price=Decimal(price),
            account_code=account,
            tax_type="OUTPUT2",
            updated_at=created_at,
        )
        for code, name, description, price, account in PRACTICE_ITEMS
    ]
