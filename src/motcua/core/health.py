"""Warnings for the operators: conditions that leave the service running but need an administrator (e.g. next
year's official calendar not entered yet). ``/healthz`` lists them and the admin shows them as a banner.

Core knows no app (docs/architecture.md): an app registers its check in its ``AppConfig.ready()``::

    health.register("calendars.schedule", selectors.schedule_notices, audience=selectors.may_manage_calendar)

A check returns the notices that apply now (none when all is well). ``audience`` says which signed-in staff
the admin banner shows them to (every staff member when omitted); ``/healthz`` lists them all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    code: str
    message: str
    url: str = ""  # where to put it right (an admin page), if anywhere


Check = Callable[[], Iterable[Notice]]
Audience = Callable[[Any], bool]

_checks: dict[str, tuple[Check, Audience | None]] = {}


def register(name: str, check: Check, *, audience: Audience | None = None) -> None:
    """Add (or replace, by ``name``) a check."""
    _checks[name] = (check, audience)


def notices(user: Any = None) -> list[Notice]:
    """The notices of every check; with ``user``, only those of the checks meant for them. A check that fails
    is logged and skipped: a warning must never take a page down."""
    out: list[Notice] = []
    for name, (check, audience) in list(_checks.items()):
        try:
            if user is not None and audience is not None and not audience(user):
                continue
            out.extend(check())
        except Exception:
            logger.exception("Health check %s failed", name)
    return out
