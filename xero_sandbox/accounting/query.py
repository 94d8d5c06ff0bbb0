"""Query-string handling shared by the list endpoints: booleans, paging, ID lists, If-Modified-Since,
and the field tables `where` and `order` resolve names through."""

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from ..records import Contact, Invoice, Organisation
from .where import QueryError, compile_where, sort_records

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def flag(request, name: str, default: bool = False) -> bool:
    # The SDK sends Python's True/False; others send true/false.
    value = request.GET.get(name)
    return default if value is None else value.strip().lower() == "true"


def csv_values(request, name: str) -> list[str]:
    values = []
    for raw in request.GET.getlist(name):
        values.extend(part.strip().strip('"').strip() for part in raw.split(","))
    return [value for value in values if value]


def if_modified_since(request) -> datetime | None:
    """ISO 8601 with or without an offset (naive means UTC), or an RFC 1123 HTTP date."""
    raw = request.headers.get("If-Modified-Since", "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Paging:
    paged: bool
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def slice(self, records: list) -> tuple[list, dict | None]:
        if not self.paged:
            return records, None
        start = (self.page - 1) * self.page_size
        item_count = len(records)
        block = {
            "page": self.page,
            "pageSize": self.page_size,
            "pageCount": (item_count + self.page_size - 1) // self.page_size,
            "itemCount": item_count,
        }
        return records[start : start + self.page_size], block


def paging(request) -> Paging:
    """Paged when `page` or `pageSize` is given; pageSize is 100 by default and at most 1000."""
    page_raw, size_raw = request.GET.get("page"), request.GET.get("pageSize")
    if page_raw is None and size_raw is None:
        return Paging(paged=False)
    try:
        page = max(1, int(page_raw or 1))
        page_size = int(size_raw) if size_raw else DEFAULT_PAGE_SIZE
    except ValueError as error:
        raise QueryError("page and pageSize must be whole numbers") from error
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise QueryError(f"pageSize must be between 1 and {MAX_PAGE_SIZE}")
    return Paging(paged=True, page=page, page_size=page_size)


def filtered(records, request, fields, resource: str, *, default_order: str = "") -> list:
    """Apply `where` then `order` (or the default order) to records."""
    records = list(records)
    where = request.GET.get("where", "").strip()
    if where:
        predicate = compile_where(where, fields, resource)
        records = [record for record in records if predicate(record)]
    order = request.GET.get("order", "").strip() or default_order
    if order:
        sort_records(records, order, fields, resource)
    return records


CONTACT_FIELDS = {
    "contactid": lambda contact: contact.contact_id,
    "name": lambda contact: contact.name,
    "firstname": lambda contact: contact.first_name,
    "lastname": lambda contact: contact.last_name,
    "emailaddress": lambda contact: contact.email_address,
    "contactnumber": lambda contact: contact.contact_number,
    "accountnumber": lambda contact: contact.account_number,
    "companynumber": lambda contact: contact.company_number,
    "taxnumber": lambda contact: contact.tax_number,
    "contactstatus": lambda contact: contact.status,
    "iscustomer": lambda contact: contact.is_customer,
    "issupplier": lambda contact: contact.is_supplier,
    "defaultcurrency": lambda contact: contact.default_currency,
    "updateddateutc": lambda contact: contact.updated_at,
}


def invoice_fields(org: Organisation) -> dict:
    def contact_of(invoice: Invoice) -> Contact:
        return org.contacts[invoice.contact_id]

    return {
        "invoiceid": lambda invoice: invoice.invoice_id,
        "invoicenumber": lambda invoice: invoice.invoice_number,
        "type": lambda invoice: invoice.type,
        "status": lambda invoice: invoice.status,
        "reference": lambda invoice: invoice.reference,
        "date": lambda invoice: invoice.date,
        "duedate": lambda invoice: invoice.due_date,
        "fullypaidondate": lambda invoice: invoice.fully_paid_on,
        "expectedpaymentdate": lambda invoice: invoice.expected_payment_date,
        "amountdue": lambda invoice: invoice.amount_due,
        "amountpaid": lambda invoice: invoice.amount_paid,
        "amountcredited": lambda invoice: invoice.amount_credited,
        "subtotal": lambda invoice: invoice.sub_total,
        "totaltax": lambda invoice: invoice.total_tax,
        "total": lambda invoice: invoice.total,
        "currencycode": lambda invoice: invoice.currency_code,
        "lineamounttypes": lambda invoice: invoice.line_amount_types,
        "senttocontact": lambda invoice: invoice.sent_to_contact,
        "hasattachments": lambda invoice: False,
        "updateddateutc": lambda invoice: invoice.updated_at,
        "contact.contactid": lambda invoice: invoice.contact_id,
        "contact.name": lambda invoice: contact_of(invoice).name,
        "contact.contactnumber": lambda invoice: contact_of(invoice).contact_number,
        "contact.emailaddress": lambda invoice: contact_of(invoice).email_address,
    }


def credit_note_fields(org: Organisation) -> dict:
    def contact_of(note) -> Contact:
        return org.contacts[note.contact_id]

    return {
        "creditnoteid": lambda note: note.credit_note_id,
        "creditnotenumber": lambda note: note.credit_note_number,
        "type": lambda note: note.type,
        "status": lambda note: note.status,
        "reference": lambda note: note.reference,
        "date": lambda note: note.date,
        "duedate": lambda note: note.due_date,
        "fullypaidondate": lambda note: note.fully_paid_on,
        "remainingcredit": lambda note: note.remaining_credit,
        "subtotal": lambda note: note.sub_total,
        "totaltax": lambda note: note.total_tax,
        "total": lambda note: note.total,
        "currencycode": lambda note: note.currency_code,
        "lineamounttypes": lambda note: note.line_amount_types,
        "senttocontact": lambda note: note.sent_to_contact,
        "hasattachments": lambda note: False,
        "updateddateutc": lambda note: note.updated_at,
        "contact.contactid": lambda note: note.contact_id,
        "contact.name": lambda note: contact_of(note).name,
        "contact.contactnumber": lambda note: contact_of(note).contact_number,
        "contact.emailaddress": lambda note: contact_of(note).email_address,
    }


ACCOUNT_FIELDS = {
    "accountid": lambda account: account.account_id,
    "code": lambda account: account.code,
    "name": lambda account: account.name,
    "type": lambda account: account.type,
    "class": lambda account: account.account_class,
    "status": lambda account: "ACTIVE",
    "taxtype": lambda account: account.tax_type,
    "systemaccount": lambda account: account.system_account,
    "enablepaymentstoaccount": lambda account: account.enable_payments,
}
TAX_RATE_FIELDS = {
    "name": lambda rate: rate.name,
    "taxtype": lambda rate: rate.tax_type,
    "status": lambda rate: "ACTIVE",
    "reporttaxtype": lambda rate: rate.report_tax_type,
    "effectiverate": lambda rate: rate.rate,
    "displaytaxrate": lambda rate: rate.rate,
    "canapplytorevenue": lambda rate: rate.can_apply_to_revenue,
    "canapplytoexpenses": lambda rate: rate.can_apply_to_expenses,
}
ITEM_FIELDS = {
    "itemid": lambda item: item.item_id,
    "code": lambda item: item.code,
    "name": lambda item: item.name,
    "description": lambda item: item.description,
    "issold": lambda item: True,
    "ispurchased": lambda item: False,
    "updateddateutc": lambda item: item.updated_at,
}
