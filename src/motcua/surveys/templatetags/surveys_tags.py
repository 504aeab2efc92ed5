"""Numbers of the survey pages, in the reader's language: shares as percentages, decimals with the locale's
separator."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0.8624 → "86,2 %" (Vietnamese) or "86.2 %"; None → "—"."""
    if value is None:
        return "—"
    return f"{number_format(value * 100, 1)} %"


@register.filter
def dec(value: float | None) -> str:
    if value is None:
        return "—"
    return str(number_format(value, 2))
