"""Sections that apps above ``dossiers`` add to the staff dossier page, without ``dossiers`` importing them.

An app registers, in its ``AppConfig.ready()``, a function of the officer and the dossier that returns the
template to include and its context, or None to show nothing (the national portal's synchronisation status,
``integrations``)::

    from motcua.dossiers import panels
    panels.register("integrations.sync", sync_panel)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from motcua.accounts.models import User

from .models import Dossier


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]


PanelFn = Callable[[User, Dossier], Panel | None]
_panels: dict[str, PanelFn] = {}


def register(name: str, fn: PanelFn) -> None:
    _panels[name] = fn


def collect(user: User, dossier: Dossier) -> list[Panel]:
    """The panels to show to ``user`` on ``dossier``'s page, in the order they were registered."""
    shown = []
    for fn in _panels.values():
        panel = fn(user, dossier)
        if panel is not None:
            shown.append(panel)
    return shown
