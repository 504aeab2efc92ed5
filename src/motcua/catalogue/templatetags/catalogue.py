"""Template helpers for showing catalogue facts, with gaps shown as gaps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from motcua.accounts.choices import Role

from ..choices import CopyKind, Level, OnlineMode, Payer, ResultType, TimeUnit

register = template.Library()

_CHOICES: dict[str, Any] = {
    "unit": TimeUnit, "level": Level, "online_mode": OnlineMode, "payer": Payer, "copy_kind": CopyKind,
    "result_type": ResultType, "role": Role,
}


@register.simple_tag
def not_captured() -> SafeString:
    return format_html('<span class="not-captured">{}</span>', _("not captured"))


@register.simple_tag
def not_published() -> SafeString:
    """A fact the agency has not published (yet), said plainly on the public pages rather than as a gap of the
    data: the citizen learns that it is not known, not that something was forgotten."""
    return format_html('<span class="not-captured">{}</span>', _("not yet published"))


@register.filter
def choice_label(value: str, kind: str) -> str:
    if not value:
        return ""
    try:
        return str(_CHOICES[kind](value).label)
    except (KeyError, ValueError):
        return value


def _amount(amount: Decimal | float | int) -> str:
    value = Decimal(str(amount))
    if value == value.to_integral_value():
        return str(int(value))
    return number_format(value.normalize())


@register.simple_tag
def duration(amount: Decimal | float | int | None, unit: str | None) -> str:
    """"10 working days"; "not yet published" when there is no amount."""
    if amount is None or not unit:
        return not_published()
    return f"{_amount(amount)} {choice_label(unit, 'unit')}"


@register.filter
def vnd(amount: int | None) -> str:
    if amount is None:
        return ""
    if amount == 0:
        return _("free")
    return f"{number_format(amount, force_grouping=True)} đồng"


@register.simple_tag
def eform_rows(snapshot: dict[str, Any] | None, values: dict[str, Any] | None,
               language: str = "") -> list[dict[str, str]]:
    """The filled-in fields of the application's e-form (Decree 118/2025 Art. 15) declared in ``snapshot``, as
    label and value (with its unit), in the active language or ``language`` ("vi" on papers)."""
    from ..eform import declared, rows

    return rows(declared(snapshot), values, language or None)
