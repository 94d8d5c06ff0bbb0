"""Creating and updating contacts the way Xero does."""

import re
import uuid

from ..clock import clock
from ..events import record_event
from ..records import Contact, Organisation
from ..wire import parse_decimal
from .plans import Batch, Plan, name_key
from .terms import parse_payment_terms

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TEXT_FIELDS = {
    # wire name: (attribute, max length)
    "Name": ("name", 255),
    "FirstName": ("first_name", 255),
    "LastName": ("last_name", 255),
    "EmailAddress": ("email_address", 255),
    "ContactNumber": ("contact_number", 50),
    "AccountNumber": ("account_number", 50),
    "CompanyNumber": ("company_number", 50),
    "TaxNumber": ("tax_number", 50),
    "Website": ("website", 255),
    "BankAccountDetails": ("bank_account_details", 255),
}
LINE_AMOUNT_TYPES = ("INCLUSIVE", "EXCLUSIVE", "NONE")
PERSON_KEYS = ("FirstName", "LastName", "EmailAddress")
MAX_CONTACT_PERSONS = 5
BATCH_PAYMENT_KEYS = ("BankAccountNumber", "BankAccountName", "Details", "Code", "Reference")
TRACKING_KEYS = ("TrackingCategoryName", "TrackingOptionName")
SETTABLE_STATUSES = ("ACTIVE", "ARCHIVED")
ADDRESS_KEYS = (
    "AddressType",
    "AddressLine1",
    "AddressLine2",
    "AddressLine3",
    "AddressLine4",
    "City",
    "Region",
    "PostalCode",
    "Country",
    "AttentionTo",
)
PHONE_KEYS = ("PhoneType", "PhoneNumber", "PhoneAreaCode", "PhoneCountryCode")


def duplicate_name_message(name: str) -> str:
    return (
        f"The contact name {name} is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    )


def find_contact(org: Organisation, element: dict) -> tuple[Contact | None, str | None]:
    """The existing contact an element refers to, by ContactID or ContactNumber; or an error."""
    contact_id = str(element.get("ContactID") or "").strip().lower()
    if contact_id:
        contact = org.contacts.get(contact_id)
        if contact is None:
            return None, f"The contact with ContactID {contact_id} could not be found."
        return contact, None
    number = str(element.get("ContactNumber") or "").strip()
    if number:
        key = name_key(number)
        match = next((c for c in org.contacts.values() if name_key(c.contact_number) == key), None)
        return match, None
    return None, None


def active_name_taken(org: Organisation, name: str, *, excluding: str | None = None) -> bool:
    key = name_key(name)
    return any(
        contact.status == "ACTIVE" and contact.contact_id != excluding and name_key(contact.name) == key
        for contact in org.contacts.values()
    )


def plan_contact(
    world,
    org: Organisation,
    element: dict,
    *,
    existing: Contact | None = None,
    client_id: str | None = None,
    batch: Batch | None = None,
) -> Plan:
    """Validate one element of a Contacts write; the plan's apply() creates or updates the contact."""
    batch = batch or Batch()
    errors: list[str] = []
    if not isinstance(element, dict):
        return Plan(["A contact must be a JSON object."])
    if existing is None:
        existing, error = find_contact(org, element)
        if error:
            return Plan([error])

    changes: dict[str, object] = {}
    for wire_name, (attribute, max_length) in TEXT_FIELDS.items():
        if wire_name not in element or element[wire_name] is None:
            continue
        value = " ".join(str(element[wire_name]).split()) if wire_name == "Name" else str(element[wire_name])
        if len(value) > max_length:
            errors.append(f"{wire_name} must not be longer than {max_length} characters.")
        changes[attribute] = value.strip()

    name = changes.get("name", existing.name if existing else "")
    if not name:
        errors.append("A contact name must be specified.")
    email = changes.get("email_address")
    if email and not EMAIL.match(email):
        errors.append("Email address must be valid.")

    status = existing.status if existing else "ACTIVE"
    if element.get("ContactStatus") not in (None, ""):
        status = str(element["ContactStatus"])
        if status not in SETTABLE_STATUSES:
            errors.append(f"ContactStatus {status} is not valid. Use ACTIVE or ARCHIVED.")
        changes["status"] = status

    if name and status == "ACTIVE":
        excluding = existing.contact_id if existing else None
        renamed_or_restored = existing is None or name_key(name) != name_key(existing.name)
        renamed_or_restored = renamed_or_restored or existing.status != "ACTIVE"
        if renamed_or_restored and (
            active_name_taken(org, name, excluding=excluding) or name_key(name) in batch.contact_names
        ):
            errors.append(duplicate_name_message(name))

    number = changes.get("contact_number")
    if number:
        key = name_key(number)
        clash = any(
            name_key(c.contact_number) == key and (existing is None or c.contact_id != existing.contact_id)
            for c in org.contacts.values()
        )
        if clash or key in batch.contact_numbers:
            errors.append(f"The contact number {number} is already assigned to another contact.")

    if "Addresses" in element:
        changes["addresses"] = _clean_list(
            element["Addresses"], ADDRESS_KEYS, "AddressType", "Addresses", errors
        )
    if "Phones" in element:
        changes["phones"] = _clean_list(element["Phones"], PHONE_KEYS, "PhoneType", "Phones", errors)
    _settings(org, element, changes, errors)

    if errors:
        return Plan(errors)
    if name and status == "ACTIVE":
        batch.contact_names.add(name_key(name))
    if number:
        batch.contact_numbers.add(name_key(number))

    def apply() -> Contact:
        now = clock.now()
        if existing is None:
            contact = Contact(
                contact_id=str(uuid.uuid4()), name=str(name), updated_at=now, created_by_client_id=client_id
            )
            for attribute, value in changes.items():
                setattr(contact, attribute, value)
            org.contacts[contact.contact_id] = contact
            record_event(world, org.tenant_id, "CONTACT", "CREATE", contact.contact_id)
            return contact
        if any(getattr(existing, attribute) != value for attribute, value in changes.items()):
            for attribute, value in changes.items():
                setattr(existing, attribute, value)
            existing.updated_at = now
            record_event(world, org.tenant_id, "CONTACT", "UPDATE", existing.contact_id)
        return existing

    return Plan([], apply)


def _clean_list(items, keys: tuple[str, ...], type_key: str, label: str, errors: list[str]) -> list[dict]:
    if not isinstance(items, list):
        errors.append(f"{label} must be a list.")
        return []
    cleaned = []
    for item in items:
        if isinstance(item, dict) and item.get(type_key):
            cleaned.append({key: str(item[key]) for key in keys if item.get(key) not in (None, "")})
    return cleaned


def _settings(org: Organisation, element: dict, changes: dict, errors: list[str]) -> None:
    """The contact's defaults for its invoices and bills, stored as given once valid."""
    if element.get("DefaultCurrency"):
        currency = str(element["DefaultCurrency"]).strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            errors.append(f"DefaultCurrency {element['DefaultCurrency']} is not a valid currency code.")
        changes["default_currency"] = currency
    for side in ("AccountsReceivable", "AccountsPayable"):
        key = f"{side}TaxType"
        if element.get(key) not in (None, ""):
            tax_type = str(element[key]).strip().upper()
            if org.tax_rate(tax_type) is None:
                errors.append(f"The TaxType code {tax_type} does not exist or cannot be used for {key}.")
            changes[
                f"{'accounts_receivable' if side == 'AccountsReceivable' else 'accounts_payable'}_tax_type"
            ] = tax_type
    for side in ("Sales", "Purchases"):
        key = f"{side}DefaultAccountCode"
        if element.get(key) not in (None, ""):
            code = str(element[key]).strip()
            if org.account(code) is None:
                errors.append(f"Account code '{code}' is not a valid code for {key}.")
            changes[f"{side.lower()}_default_account_code"] = code
        key = f"{side}DefaultLineAmountType"
        if element.get(key) not in (None, ""):
            value = str(element[key]).strip().upper()
            if value not in LINE_AMOUNT_TYPES:
                errors.append(f"{key} {element[key]} is not valid. Use INCLUSIVE, EXCLUSIVE or NONE.")
            changes[f"{side.lower()}_default_line_amount_type"] = value
        key = f"{side}TrackingCategories"
        if key in element and element[key] is not None:
            changes[f"{side.lower()}_tracking_categories"] = _clean_list(
                element[key], TRACKING_KEYS, "TrackingCategoryName", key, errors
            )
    if element.get("Discount") not in (None, ""):
        try:
            discount = parse_decimal(element["Discount"])
        except ValueError:
            errors.append(f"Discount '{element['Discount']}' is not a valid number.")
        else:
            if not 0 <= discount <= 100:
                errors.append("Discount must be between 0 and 100.")
            changes["discount"] = discount
    if element.get("BrandingTheme") not in (None, ""):
        changes["branding_theme"] = _branding_theme(element["BrandingTheme"], errors)
    if element.get("PaymentTerms") is not None:
        changes["payment_terms"] = parse_payment_terms(element["PaymentTerms"], errors)
    if element.get("ContactPersons") is not None:
        changes["contact_persons"] = _contact_persons(element["ContactPersons"], errors)
    if element.get("BatchPayments") not in (None, ""):
        batch = element["BatchPayments"]
        if not isinstance(batch, dict):
            errors.append("BatchPayments must be an object.")
        else:
            changes["batch_payments"] = {key: str(batch.get(key) or "") for key in BATCH_PAYMENT_KEYS}


def _branding_theme(value, errors: list[str]) -> dict:
    theme_id = str(value.get("BrandingThemeID") or "").strip().lower() if isinstance(value, dict) else ""
    try:
        theme_id = str(uuid.UUID(theme_id))
    except ValueError:
        errors.append("BrandingTheme must have a valid BrandingThemeID.")
        return {}
    theme = {"BrandingThemeID": theme_id}
    if value.get("Name"):
        theme["Name"] = str(value["Name"])
    return theme


def _contact_persons(value, errors: list[str]) -> list[dict]:
    if not isinstance(value, list):
        errors.append("ContactPersons must be a list.")
        return []
    if len(value) > MAX_CONTACT_PERSONS:
        errors.append(f"A contact can have at most {MAX_CONTACT_PERSONS} contact persons.")
    persons = []
    for person in value:
        if not isinstance(person, dict):
            errors.append("Each of ContactPersons must be an object.")
            continue
        email = str(person.get("EmailAddress") or "").strip()
        if email and not EMAIL.match(email):
            errors.append(f"Email address {email} of a contact person must be valid.")
        cleaned = {key: str(person.get(key) or "").strip() for key in PERSON_KEYS}
        cleaned["IncludeInEmails"] = person.get("IncludeInEmails") is True
        persons.append(cleaned)
    return persons
