"""Line and invoice totals with Xero's rounding: tax is worked out per line, to the penny, half up."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal, unit_amount: Decimal, discount_rate: Decimal | None) -> Decimal:
    gross = quantity * unit_amount
    if discount_rate:
        gross = gross * (HUNDRED - discount_rate) / HUNDRED
    return round_money(gross)


def line_tax(amount: Decimal, rate_percent: Decimal, line_amount_types: str) -> Decimal:
    if line_amount_types == "NoTax" or not rate_percent:
        return Decimal("0.00")
    if line_amount_types == "Inclusive":
        return round_money(amount * rate_percent / (HUNDRED + rate_percent))
    return round_money(amount * rate_percent / HUNDRED)


def invoice_totals(lines, line_amount_types: str) -> tuple[Decimal, Decimal, Decimal]:
    """(SubTotal, TotalTax, Total) from lines that already carry LineAmount and TaxAmount."""
    amounts = sum((line.line_amount for line in lines), Decimal("0.00"))
    tax = sum((line.tax_amount for line in lines), Decimal("0.00"))
    if line_amount_types == "Inclusive":
        return amounts - tax, tax, amounts
    return amounts, tax, amounts + tax
