"""Dataclasses to and from JSON-ready data, for the state file.

Decimals become strings (no float drift), dates and datetimes ISO strings.
"""

import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from functools import cache


def dump(value):
    if dataclasses.is_dataclass(value):
        return {field.name: dump(getattr(value, field.name)) for field in _persisted_fields(type(value))}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [dump(item) for item in value]
    if isinstance(value, dict):
        return {key: dump(item) for key, item in value.items()}
    return value


def load(kind, data):
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(kind) if option is not type(None)]
        return load(options[0], data)
    if origin is list:
        (item_kind,) = typing.get_args(kind)
        return [load(item_kind, item) for item in data]
    if origin is dict:
        _key_kind, item_kind = typing.get_args(kind)
        return {key: load(item_kind, item) for key, item in data.items()}
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        values = {
            field.name: load(hints[field.name], data[field.name])
            for field in _persisted_fields(kind)
            if field.name in data
        }
        return kind(**values)
    if kind is Decimal:
        return Decimal(data)
    if kind is datetime:
        return datetime.fromisoformat(data)
    if kind is date:
        return date.fromisoformat(data)
    return data


@cache
def _hints(kind):
    return typing.get_type_hints(kind)


@cache
def _persisted_fields(kind):
    # Fields marked metadata={"persist": False} are derived indexes, rebuilt after loading.
    return tuple(field for field in dataclasses.fields(kind) if field.metadata.get("persist", True))
