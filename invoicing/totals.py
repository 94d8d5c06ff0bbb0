"""Invoice totals as Xero computes them, so the form shows what Xero will store, to the penny.

Xero works per line (help.xero.com "How tax is calculated"; the sandbox's `books/totals.py` does
the same and the tests hold the two together):

- quantity is kept to 4 decimal places and the unit price to 2 (we send no `unitdp`), half up;
- a line's amount is quantity × unit price (less any discount), rounded to the penny, half up;
- its tax is rounded per line, half up: amount × rate for tax-exclusive lines, amount × rate /
  (100 + rate) for tax-inclusive ones (the amount already contains the tax), none for no tax;
- the invoice adds up the rounded lines: exclusive → subtotal = Σ amounts, total = subtotal + tax;
  inclusive → total = Σ amounts, subtotal = total − tax.

Pure functions over Decimals; nothing here touches the database or Xero.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
QUANTITY_PLACES = Decimal("0.0001")
UNIT_PLACES = CENT
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


class AmountTypes:
    """Xero's LineAmountTypes, spelled exactly as Xero spells them."""

    EXCLUSIVE = "Exclusive"
    INCLUSIVE = "Inclusive"
    NO_TAX = "NoTax"
    CHOICES = [(EXCLUSIVE, "Tax exclusive"), (INCLUSIVE, "Tax inclusive"), (NO_TAX, "No tax")]


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_amount: Decimal
    tax_rate: Decimal = ZERO  # percent, e.g. Decimal("20")
    discount_rate: Decimal | None = None  # percent


@dataclass(frozen=True)
class LineTotal:
    line_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineTotal, ...]
    sub_total: Decimal
    total_tax: Decimal
    total: Decimal


def line_total(line: LineInput, amount_types: str) -> LineTotal:
    quantity = line.quantity.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)
    unit = line.unit_amount.quantize(UNIT_PLACES, rounding=ROUND_HALF_UP)
    gross = quantity * unit
    if line.discount_rate:
        gross = gross * (HUNDRED - line.discount_rate) / HUNDRED
    amount = round_money(gross)
    rate = line.tax_rate or ZERO
    if amount_types == AmountTypes.NO_TAX or not rate:
        tax = ZERO
    elif amount_types == AmountTypes.INCLUSIVE:
        tax = round_money(amount * rate / (HUNDRED + rate))
    else:
        tax = round_money(amount * rate / HUNDRED)
    return LineTotal(line_amount=amount, tax_amount=tax)


def invoice_totals(lines: Iterable[LineInput], amount_types: str) -> Totals:
    computed = tuple(line_total(line, amount_types) for line in lines)
    amounts = sum((line.line_amount for line in computed), ZERO)
    tax = sum((line.tax_amount for line in computed), ZERO)
    if amount_types == AmountTypes.INCLUSIVE:
        return Totals(lines=computed, sub_total=amounts - tax, total_tax=tax, total=amounts)
    return Totals(lines=computed, sub_total=amounts, total_tax=tax, total=amounts + tax)
