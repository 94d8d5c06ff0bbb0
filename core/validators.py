"""UK identifier formats and text rules, shared by every app's forms and models."""

import re
import unicodedata

from django.core.exceptions import ValidationError

# Companies House: 8 digits, or a 2-letter prefix (SC, NI, OC, SO, NC, LP, SL, R0, …) + 6 digits.
COMPANY_NUMBER_RE = re.compile(r"^(\d{8}|[A-Z]{2}\d{6}|R\d{7})$")
# HMRC: GB + 9 digits, GB + 12 digits (branch traders), GBGD/GBHA + 3 digits.
VAT_NUMBER_RE = re.compile(r"^GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})$")
UTR_RE = re.compile(r"^\d{10}$")
NI_NUMBER_RE = re.compile(r"^(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$")


def _compact(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def normalise_company_number(value: str) -> str:
    value = _compact(value)
    # Companies House pads short numeric numbers with leading zeros.
    if value.isdigit() and len(value) < 8:
        value = value.zfill(8)
    return value


def normalise_vat_number(value: str) -> str:
    value = _compact(value)
    if value and value.isdigit():
        value = "GB" + value
    return value


def normalise_compact(value: str) -> str:
    return _compact(value)


def _breaks_the_line(char: str) -> bool:
    """Control characters (line breaks, tabs, NUL…) and Unicode's line/paragraph separators."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def validate_single_line(value: str) -> None:
    """For names that end up in one-line places such as an email subject."""
    if any(_breaks_the_line(char) for char in value or ""):
        raise ValidationError(
            "Use one line of text, without line breaks, tabs or other control characters.",
            code="not_single_line",
        )


def single_line(value: str) -> str:
    """`value` on one line: control characters and line breaks become spaces, runs of spaces one."""
    return " ".join("".join(" " if _breaks_the_line(char) else char for char in value).split())


def validate_company_number(value: str) -> None:
    if value and not COMPANY_NUMBER_RE.match(value):
        raise ValidationError(
            "Enter a UK company number: 8 digits (e.g. 01234567) or 2 letters and 6 digits (e.g. SC123456).",
            code="invalid_company_number",
        )


def validate_vat_number(value: str) -> None:
    if value and not VAT_NUMBER_RE.match(value):
        raise ValidationError(
            "Enter a GB VAT number: GB followed by 9 digits (e.g. GB123456789).", code="invalid_vat_number"
        )


def validate_utr(value: str) -> None:
    if value and not UTR_RE.match(value):
        raise ValidationError("A UTR is 10 digits (e.g. 1234567890).", code="invalid_utr")


def validate_ni_number(value: str) -> None:
    if value and not NI_NUMBER_RE.match(value):
        raise ValidationError(
            "Enter a National Insurance number such as AB123456C.", code="invalid_ni_number"
        )
