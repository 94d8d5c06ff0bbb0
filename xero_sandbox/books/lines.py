"""Invoice line items as Xero reads them: items fill in defaults, amounts and tax are computed."""

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..records import LineItem, Organisation
from ..wire import parse_decimal
from .totals import line_amount, line_tax, round_money

DEFAULT_TAX_TYPES = {"ACCREC": "OUTPUT2", "ACCPAY": "INPUT2"}


@dataclass(frozen=True)
class LineDefaults:
    """What the contact's settings fill in on a new line that leaves them out (its sales or
    purchases default account, its receivable or payable tax type, its sales discount)."""

    account_code: str = ""
    tax_type: str = ""
    discount_rate: Decimal | None = None


NO_DEFAULTS = LineDefaults()


def parse_lines(
    org: Organisation,
    raw_lines,
    *,
    invoice_type: str,
    line_amount_types: str,
    existing: list[LineItem],
    unit_decimals: int,
    errors: list[str],
    defaults: LineDefaults = NO_DEFAULTS,
) -> list[LineItem]:
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.append("An invoice must have at least one line item.")
        return []
    known_ids = {line.line_item_id for line in existing}
    lines = []
    for position, raw in enumerate(raw_lines, start=1):
        if not isinstance(raw, dict):
            errors.append(f"Line item {position} must be a JSON object.")
            continue
        line_id = str(raw.get("LineItemID") or "").lower()
        line_defaults = NO_DEFAULTS if line_id in known_ids else defaults
        line = _parse_line(org, raw, invoice_type, line_amount_types, unit_decimals, errors, line_defaults)
        if line is not None:
            line.line_item_id = line_id if line_id in known_ids else str(uuid.uuid4())
            lines.append(line)
    return lines


def _parse_line(
    org, raw, invoice_type, line_amount_types, unit_decimals, errors, defaults: LineDefaults
) -> LineItem | None:
    found: list[str] = []

    def decimal_field(key: str) -> Decimal | None:
        if raw.get(key) in (None, ""):
            return None
        try:
            return parse_decimal(raw[key])
        except ValueError:
            found.append(f"{key} '{raw[key]}' is not a valid number.")
            return None

    item = None
    item_code = str(raw.get("ItemCode") or "").strip() or None
    if item_code:
        item = org.item(item_code)
        if item is None:
            found.append(f"Item code '{item_code}' is not valid for this organisation.")
    quantity = decimal_field("Quantity")
    unit_amount = decimal_field("UnitAmount")
    given_amount = decimal_field("LineAmount")
    discount_rate = decimal_field("DiscountRate")
    if (
        discount_rate is None
        and invoice_type == "ACCREC"
        and not any(
            raw.get(key) not in (None, "") for key in ("DiscountRate", "DiscountAmount", "LineAmount")
        )
    ):
        # The contact's discount, unless the line states its own discount or amount.
        discount_rate = defaults.discount_rate
    given_tax = decimal_field("TaxAmount")
    description = str(raw.get("Description") or (item.description if item else "")).strip()
    if unit_amount is None and item is not None:
        unit_amount = item.unit_price

    if discount_rate is not None and invoice_type != "ACCREC":
        found.append("Discounts are only supported on sales invoices.")
    elif discount_rate is not None and not 0 <= discount_rate <= 100:
        found.append("DiscountRate must be between 0 and 100.")

    has_amounts = any(value is not None for value in (quantity, unit_amount, given_amount))
    if not has_amounts and not description:
        found.append("Description needs to be at least 1 char long.")
    quantity = quantity if quantity is not None else (Decimal(1) if has_amounts else Decimal(0))
    quantity = quantity.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if unit_amount is None:
        unit_amount = (given_amount / quantity) if (given_amount is not None and quantity) else Decimal(0)
    unit_amount = unit_amount.quantize(Decimal(1).scaleb(-unit_decimals), rounding=ROUND_HALF_UP)
    amount = line_amount(quantity, unit_amount, discount_rate)
    if given_amount is not None and raw.get("UnitAmount") not in (None, ""):
        if abs(round_money(given_amount) - amount) > Decimal("0.01"):
            found.append(
                f"The LineAmount {round_money(given_amount)} does not equal Quantity x UnitAmount "
                f"less discount ({amount})."
            )
    elif given_amount is not None:
        amount = round_money(given_amount)

    account_code = raw.get("AccountCode") or (item.account_code if item else "") or defaults.account_code
    account_code = str(account_code or "").strip() or None
    account = org.account(account_code) if account_code else None
    if account_code and account is None:
        found.append(f"Account code '{account_code}' is not a valid code for this document.")

    tax_type = str(raw.get("TaxType") or "").strip()
    if line_amount_types == "NoTax":
        tax_type = "NONE"
    elif not tax_type:
        tax_type = (
            (item.tax_type if item else "") or defaults.tax_type or (account.tax_type if account else "")
        )
        tax_type = tax_type or DEFAULT_TAX_TYPES.get(invoice_type, "NONE")
    rate = org.tax_rate(tax_type)
    if rate is None:
        found.append(
            f"The TaxType code {tax_type} does not exist or cannot be used for this type of transaction."
        )

    if found:
        errors.extend(found)
        return None
    if line_amount_types == "NoTax" or given_tax is None:
        tax = line_tax(amount, rate.rate, line_amount_types)
    else:
        tax = round_money(given_tax)  # Xero accepts a stated tax amount in place of its own
    return LineItem(
        line_item_id="",
        description=description,
        quantity=quantity,
        unit_amount=unit_amount,
        item_code=item.code if item else None,
        account_code=account_code,
        tax_type=tax_type,
        tax_amount=tax,
        line_amount=amount,
        discount_rate=discount_rate,
    )
