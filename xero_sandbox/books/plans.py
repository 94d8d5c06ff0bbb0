"""Validate-then-apply: each element of a write becomes a Plan, applied only once all are valid.

Xero rejects a whole batch (summarizeErrors=true) when any element fails, so validation must not
write; the Batch carries names and numbers claimed by earlier elements of the same request.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Batch:
    contact_names: set[str] = field(default_factory=set)
    contact_numbers: set[str] = field(default_factory=set)
    invoice_numbers: set[str] = field(default_factory=set)
    credit_note_numbers: set[str] = field(default_factory=set)
    # Credit allocated by earlier elements of the same Allocations request, by credit note and invoice.
    allocated: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class Plan:
    errors: list[str]
    apply: Callable[[], object] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def name_key(name: str) -> str:
    # Xero compares names and numbers case-insensitively, ignoring surrounding spaces.
    return " ".join(name.split()).casefold()
