"""`{{ value|cached_date:"j M" }}`: Django's `date` filter for dates, remembered per date, format and
language. Formatting a date costs about 50 µs (format lookup, translated month names); a list of
jobs repeats the same few deadlines many times, so the dashboard's 100 rows format a handful."""

import datetime as dt
from functools import lru_cache

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=2048)
def _formatted(value: dt.date, arg: str, language: str | None) -> str:
    return date_filter(value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def cached_date(value, arg=None):
    if type(value) is not dt.date:  # datetimes depend on the time zone: the plain filter
        return date_filter(value, arg)
    return _formatted(value, arg, get_language())
