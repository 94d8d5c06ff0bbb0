"""The Raise invoice form: the invoice's own fields, its lines (a formset), and the live totals.

Validation is ours and bounded (Xero's own rules come back as Xero's messages): at least one line;
quantity above zero; a description; amounts within sane bounds; dates that make sense. Anything a
browser (or anyone) posts is either valid or a form error — never an exception.
"""

import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from core.forms import FiniteDecimalField
from invoicing.services.raising import APPROVED, DRAFT, NewInvoice, NewInvoiceLine
from invoicing.totals import AmountTypes, LineInput, Totals, invoice_totals, line_total

MAX_LINES = 50
MAX_QUANTITY = Decimal("1000000")
MAX_UNIT_AMOUNT = Decimal("1000000")
MAX_TOTAL = Decimal("10000000")  # ten million: more than any practice bills on one invoice
MAX_DESCRIPTION = 4000  # Xero's limit
MAX_REFERENCE = 255
MAX_YEARS_AWAY = 10  # an invoice date within ten years of today
MAX_TERM_DAYS = 5 * 366  # a due date within five years of the invoice date
STATUS_CHOICES = [(DRAFT, "Draft"), (APPROVED, "Approved")]


class InvoiceForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    due_date = forms.DateField(
        label="Due date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave blank and Xero sets it from the contact's payment terms, else the organisation's "
        "(30 days unless set otherwise).",
    )
    reference = forms.CharField(label="Reference", max_length=MAX_REFERENCE, required=False)
    line_amount_types = forms.ChoiceField(
        label="Amounts are", choices=AmountTypes.CHOICES, initial=AmountTypes.EXCLUSIVE
    )
    status = forms.ChoiceField(
        label="Status", choices=STATUS_CHOICES, initial=DRAFT, widget=forms.RadioSelect
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        try:
            return str(uuid.UUID(token))
        except ValueError:
            raise forms.ValidationError("This form has expired. Open Raise invoice again.") from None

    def clean_date(self):
        date = self.cleaned_data["date"]
        today = timezone.localdate()
        if abs(date.year - today.year) > MAX_YEARS_AWAY:
            raise forms.ValidationError(f"Enter a date within {MAX_YEARS_AWAY} years of today.")
        return date

    def clean(self):
        cleaned = super().clean()
        date, due = cleaned.get("date"), cleaned.get("due_date")
        if date and due:
            if due < date:
                self.add_error("due_date", "The due date cannot be before the invoice date.")
            elif (due - date).days > MAX_TERM_DAYS:
                self.add_error("due_date", "Enter a due date within five years of the invoice date.")
        return cleaned


class LineForm(forms.Form):
    item = forms.ChoiceField(label="Item", required=False)
    description = forms.CharField(
        label="Description",
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 1}),
    )
    quantity = FiniteDecimalField(
        label="Quantity",
        max_digits=11,
        decimal_places=4,
        initial=Decimal("1"),
        required=False,
        validators=[MaxValueValidator(MAX_QUANTITY)],
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    unit_amount = FiniteDecimalField(
        label="Unit price",
        max_digits=9,
        decimal_places=2,
        required=False,
        validators=[MinValueValidator(-MAX_UNIT_AMOUNT), MaxValueValidator(MAX_UNIT_AMOUNT)],
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    account = forms.ChoiceField(label="Account", required=False)
    tax_type = forms.ChoiceField(label="Tax rate", required=False)

    def __init__(self, *args, options=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["item"].choices = [("", "—")] + [
            (i["code"], f"{i['code']} · {i['name']}") for i in options.items
        ]
        self.fields["account"].choices = [("", "Choose an account")] + [
            (a["code"], f"{a['code']} · {a['name']}") for a in options.accounts
        ]
        self.fields["tax_type"].choices = [("", "Account's default")] + [
            (t["code"], f"{t['name']}") for t in options.tax_rates
        ]

    def clean(self):
        cleaned = super().clean()
        item = _by_code(self.options.items, cleaned.get("item"))
        if item is not None:  # an item fills in what the line leaves blank, as in Xero
            if not (cleaned.get("description") or "").strip():
                cleaned["description"] = item["description"] or item["name"]
            if cleaned.get("unit_amount") is None and "unit_amount" not in self.errors:
                cleaned["unit_amount"] = _decimal(item["unit_price"])
            if not cleaned.get("account") and _by_code(self.options.accounts, item["account_code"]):
                cleaned["account"] = item["account_code"]
            if not cleaned.get("tax_type") and _by_code(self.options.tax_rates, item["tax_type"]):
                cleaned["tax_type"] = item["tax_type"]
        description = (cleaned.get("description") or "").strip()
        cleaned["description"] = description
        if not description and "description" not in self.errors:
            self.add_error("description", "Enter a description.")
        quantity = cleaned.get("quantity")
        if quantity is None and "quantity" not in self.errors:
            self.add_error("quantity", "Enter a quantity.")
        elif quantity is not None and quantity <= 0:
            self.add_error("quantity", "The quantity must be more than zero.")
        if cleaned.get("unit_amount") is None and "unit_amount" not in self.errors:
            self.add_error("unit_amount", "Enter a unit price.")
        account = _by_code(self.options.accounts, cleaned.get("account"))
        if account is None and "account" not in self.errors:
            self.add_error("account", "Choose an account.")
        if not cleaned.get("tax_type") and account is not None:
            default = _by_code(self.options.tax_rates, account["tax_type"])
            cleaned["tax_type"] = default["code"] if default else ""
        if account is not None and not cleaned.get("tax_type"):
            self.add_error("tax_type", "Choose a tax rate: the account has no default one.")
        unit = cleaned.get("unit_amount")
        if quantity and unit is not None and not self.errors and abs(quantity * unit) > MAX_TOTAL:
            self.add_error("unit_amount", "This line comes to more than 10,000,000. Check the amounts.")
        return cleaned


class BaseLineFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": "Add at least one line.",
        "too_many_forms": f"An invoice can have at most {MAX_LINES} lines.",
    }

    def __init__(self, *args, options=None, **kwargs):
        self.options = options
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"options": self.options}

    @property
    def empty_form(self):
        return self.form(
            auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
            use_required_attribute=False, options=self.options, renderer=self.renderer,
        )  # fmt: skip


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)
LINES_PREFIX = "lines"
LINE_FIELDS = ("item", "description", "quantity", "unit_amount", "account", "tax_type")


def _by_code(rows: list[dict], code) -> dict | None:
    if not code:
        return None
    return next((row for row in rows if row["code"] == code), None)


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    # Too large or too precise to be an amount (1E+999999999 would overflow the arithmetic): unusable.
    if not number.is_finite() or not -30 <= number.adjusted() <= 30:
        return None
    return number


class RaiseInvoiceForm:
    """The invoice form and its lines, bound or not, with the totals Xero will compute."""

    def __init__(self, data=None, *, options, initial: dict | None = None, lines: list[dict] | None = None):
        self.options = options
        self.data = data
        if data is not None:
            self.invoice = InvoiceForm(data)
            self.lines = LineFormSet(data, prefix=LINES_PREFIX, options=options)
        else:
            initial = {"token": str(uuid.uuid4()), "date": timezone.localdate(), **(initial or {})}
            self.invoice = InvoiceForm(initial=initial)
            self.lines = LineFormSet(
                prefix=LINES_PREFIX, options=options, initial=lines if lines is not None else [{}]
            )
            if lines is not None:
                self.lines.extra = 0

    def is_valid(self) -> bool:
        invoice_ok = self.invoice.is_valid()
        lines_ok = self.lines.is_valid()
        if invoice_ok and lines_ok:
            totals = self.totals()
            if totals.total > MAX_TOTAL:
                self.invoice.add_error(None, "The invoice comes to more than 10,000,000. Check the amounts.")
            elif totals.total < 0:
                self.invoice.add_error(
                    None, "The invoice cannot come to less than zero. Raise a credit note in Xero instead."
                )
        return self.invoice.is_valid() and lines_ok and not self.invoice.non_field_errors()

    def new_invoice(self) -> NewInvoice:
        """The plain data the raise service takes (call after is_valid())."""
        c = self.invoice.cleaned_data
        return NewInvoice(
            date=c["date"],
            due_date=c.get("due_date"),
            reference=c.get("reference", "").strip(),
            line_amount_types=c["line_amount_types"],
            status=c["status"],
            lines=tuple(
                NewInvoiceLine(
                    description=line["description"],
                    quantity=line["quantity"],
                    unit_amount=line["unit_amount"],
                    account_code=line["account"],
                    tax_type=line["tax_type"],
                    item_code=line.get("item") or "",
                )
                for line in self.lines.cleaned_data
            ),
        )

    # --- totals as you type: lenient, from whatever is there -----------------------------------
    def amount_types(self) -> str:
        value = (self.data or {}).get("line_amount_types") if self.data is not None else None
        valid = {code for code, _label in AmountTypes.CHOICES}
        return value if value in valid else AmountTypes.EXCLUSIVE

    def raw_lines(self) -> list[dict]:
        """The lines as typed (strings), for re-rendering after Add line / Remove."""
        if self.data is None:
            return [dict(form.initial) for form in self.lines.forms]
        rows = []
        for index in range(min(self._line_count(), MAX_LINES)):
            prefix = f"{LINES_PREFIX}-{index}-"
            rows.append(
                {name: str(self.data.get(prefix + name, ""))[:MAX_DESCRIPTION] for name in LINE_FIELDS}
            )
        return rows

    def _line_count(self) -> int:
        try:
            return max(0, int(str(self.data.get(f"{LINES_PREFIX}-TOTAL_FORMS", "0"))))
        except (TypeError, ValueError):
            return 0

    def line_inputs(self) -> list[LineInput | None]:
        """Each typed line as the totals see it (None while it cannot be worked out yet)."""
        inputs = []
        for row in self.raw_lines():
            item = _by_code(self.options.items, row.get("item"))
            quantity = _decimal(row.get("quantity"))
            unit = _decimal(row.get("unit_amount"))
            if unit is None and item is not None:
                unit = _decimal(item["unit_price"])
            if (
                quantity is None or unit is None or quantity <= 0 or quantity > MAX_QUANTITY
                or abs(unit) > MAX_UNIT_AMOUNT
            ):  # fmt: skip
                inputs.append(None)
                continue
            inputs.append(LineInput(quantity=quantity, unit_amount=unit, tax_rate=self._rate(row, item)))
        return inputs

    def _rate(self, row: dict, item: dict | None) -> Decimal:
        """The line's tax rate, resolved as LineForm.clean resolves it: chosen, else the item's, else
        the account's default."""
        rates = self.options.tax_rates
        chosen = _by_code(rates, row.get("tax_type")) or (_by_code(rates, item["tax_type"]) if item else None)
        if chosen is None:
            account = _by_code(
                self.options.accounts, row.get("account") or (item["account_code"] if item else "")
            )
            chosen = _by_code(rates, account["tax_type"]) if account else None
        return chosen["rate"] if chosen else Decimal("0")

    def line_amounts(self) -> list[Decimal | None]:
        """Each typed line's amount as Xero will store it (None while it cannot be worked out)."""
        amount_types = self.amount_types()
        return [
            None if line is None else line_total(line, amount_types).line_amount
            for line in self.line_inputs()
        ]

    def totals(self) -> Totals:
        return invoice_totals([line for line in self.line_inputs() if line is not None], self.amount_types())
