"""Text from Xero, bounded to the columns that keep it (Xero allows longer values than we store)."""

from django.db import models


def fit(model: type[models.Model], field: str, value: str) -> str:
    max_length = model._meta.get_field(field).max_length
    return value[:max_length] if max_length else value


def fit_all(model: type[models.Model], values: dict) -> dict:
    """`values` with every string bounded to its column's max_length."""
    return {
        name: fit(model, name, value) if isinstance(value, str) else value for name, value in values.items()
    }
