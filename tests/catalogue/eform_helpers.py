"""A building-permit e-form for the tests, and a helper that declares it on a procedure's versions."""

from __future__ import annotations

from typing import Any

from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.catalogue.services import bump_revision


def _label(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


EFORM: list[dict[str, Any]] = [
    {"key": "plot_number", "type": "text", "label": _label("Thửa đất số", "Plot number"), "required": True,
     "max_length": 50, "search": True},
    {"key": "map_sheet", "type": "text", "label": _label("Tờ bản đồ số", "Map sheet number"), "required": True,
     "max_length": 50, "search": True},
    {"key": "plot_area", "type": "decimal", "label": _label("Diện tích thửa đất", "Plot area"), "required": True,
     "min": 0.1, "max": 100000000, "unit": "m²"},
    {"key": "floors", "type": "integer", "label": _label("Số tầng", "Number of floors"), "required": True,
     "min": 1, "max": 200},
    {"key": "works_grade", "type": "choice", "label": _label("Cấp công trình", "Grade of works"), "required": True,
     "choices": [{"value": "I", "label": _label("Cấp I", "Grade I")},
                 {"value": "II", "label": _label("Cấp II", "Grade II")}]},
]

VALUES = {"plot_number": "125", "map_sheet": "7", "plot_area": "120,5", "floors": "3", "works_grade": "II"}
STORED = {"plot_number": "125", "map_sheet": "7", "plot_area": 120.5, "floors": 3, "works_grade": "II"}


def declare(procedure: Procedure, declaration: list[dict[str, Any]] | None = None) -> None:
    """Give every version of ``procedure`` the form (as if published with it: the rows are frozen)."""
    ProcedureVersion.objects.filter(procedure=procedure).update(eform=declaration if declaration is not None else EFORM)
    bump_revision()  # update() sends no signal: the receipt cache must see the new snapshot
