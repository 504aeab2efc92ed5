"""Shared pieces of the API's schemas: the error body, and the bounds every list and every date of a query
obeys, checked at the edge so that a bad number or date is a 400 and never reaches the database or the
date arithmetic (an offset past 2**63 made SQLite fail with "datatype mismatch"; a period ending on
9999-12-31 overflowed ``datetime`` while its end was turned into the next midnight).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, Field

from .errors import DomainError
from .text import refuse_control_characters

# The dates the system answers for: its records start after 2000, and the calendar's official days off are
# known to 2100. Far from datetime's limits, so ``date ± a period`` never overflows.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
# Far more rows than any list holds, far below the 64-bit integers of SQLite and PostgreSQL.
MAX_OFFSET = 10_000_000


class ErrorBody(Schema):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorOut(Schema):
    """Every API error: a stable machine code, a message in the caller's language, details."""

    error: ErrorBody


# Free text from a client: no NUL or other control character (tab and new lines pass). The request gate
# (core.middleware.UserTextMiddleware) refuses them for every request; the type says it in the schema too.
CleanText = Annotated[str, AfterValidator(refuse_control_characters)]

Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY,
                               description=f"YYYY-MM-DD, from {FIRST_DAY} to {LAST_DAY}")]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description=f"rows to skip, 0 to {MAX_OFFSET}")]


def limit_field(default: int, maximum: int) -> Any:
    """A ``limit`` query field: ``default`` rows, at most ``maximum``."""
    return Field(default, ge=1, le=maximum, description=f"rows to return, 1 to {maximum}")


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid_input", details={"fields": [{"field": field, "message": message}]})


def check_day(value: dt.date, field: str) -> dt.date:
    """``value`` if it lies in the dates the system answers for, else a 400 naming ``field``."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise _invalid(field, day_range_message())
    return value


def parse_day(value: str | None, field: str, default: dt.date) -> dt.date:
    """A YYYY-MM-DD query value (``default`` when empty), checked by ``check_day``."""
    if not value:
        return default
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise _invalid(field, _("Write the date as YYYY-MM-DD.")) from None
    return check_day(day, field)


def day_range_message() -> str:
    return _("Choose a date from %(first)s to %(last)s.") % {
        "first": f"{FIRST_DAY:%d/%m/%Y}", "last": f"{LAST_DAY:%d/%m/%Y}"}


def field_message(error: dict[str, Any]) -> str:
    """A pydantic error about one field, in the user's language for the kinds a query or form meets most;
    pydantic's own English text otherwise."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("greater_than_equal", "less_than_equal") and isinstance(ctx.get("ge", ctx.get("le")), dt.date):
        return day_range_message()
    if kind == "greater_than_equal":
        return _("Give a value of at least %(limit)s.") % {"limit": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("Give a value of at most %(limit)s.") % {"limit": ctx.get("le")}
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return _("Give a whole number.")
    if kind.startswith("date_"):
        return _("Write the date as YYYY-MM-DD.")
    return str(error.get("msg", ""))
