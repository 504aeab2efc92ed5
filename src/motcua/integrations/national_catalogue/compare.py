"""What differs between the national records and the local catalogue, procedure by procedure.

Each national procedure is compared with the local procedure of the same code and its latest version (the
newest ``valid_from``, draft or published: what the administrator last prepared). Only the fields the mapping
fills and the record carries are compared (``COMPARED``); the local internal steps, units, receiving units,
participating agencies, e-form, internal target and notes are local decisions, never part of the comparison
(and never overwritten when a change is applied, ``services``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from dataclasses import field as default
from decimal import Decimal
from typing import Any

from motcua.catalogue import selectors as catalogue_selectors
from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.core.text import nfc

from .mapping import LIST_TARGETS, Mapping, NationalRecord

PROCEDURE_FIELDS = ["name", "field_name", "field_code", "level", "online_mode", "applicant_types", "result_name"]
VERSION_FIELDS = ["sequence", "manner", "requirements", "legal_time", "legal_time_note", "fee_status", "documents",
                  "fees", "legal_basis"]
COMPARED = PROCEDURE_FIELDS + VERSION_FIELDS
# The key that names an item of a list in the report (added, removed, changed).
ITEM_KEYS = {"documents": "name", "fees": "name", "legal_basis": "instrument"}


def _num(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        return int(number) if number == number.to_integral_value() else float(number)
    return value


def _scalar(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value).strip()
    return _num(value)


def _items(target: str, items: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    types = LIST_TARGETS[target]
    out = []
    for item in items or []:
        row = {}
        for key in keys:
            value = item.get(key)
            row[key] = ("" if value is None else _scalar(value)) if types[key] == "text" else _scalar(value)
        out.append(row)
    return out


def canon(target: str, value: Any, mapping: Mapping) -> Any:
    """``value`` of ``target`` in one comparable, JSON-ready form (national or local)."""
    if target in LIST_TARGETS:
        return _items(target, value, list(mapping.fields[target].item))
    if target == "legal_time":
        return None if not value else {"amount": _num(value.get("amount")), "unit": value.get("unit") or ""}
    if target == "applicant_types":
        return sorted(value or [])
    return "" if value is None else _scalar(value)


def canon_all(values: dict[str, Any], mapping: Mapping) -> dict[str, Any]:
    """Every compared field a mapped record carries, in comparable form."""
    return {t: canon(t, values[t], mapping) for t in COMPARED if t in values}


def local_values(procedure: Procedure, version: ProcedureVersion | None) -> dict[str, Any]:
    """The local side in the same terms as a mapped national record (from the catalogue's snapshot)."""
    out: dict[str, Any] = {
        "name": procedure.name, "field_name": procedure.field.name if procedure.field else "",
        "field_code": procedure.field.code if procedure.field else "", "level": procedure.level,
        "online_mode": procedure.online_mode, "applicant_types": procedure.applicant_types(),
        "result_name": procedure.result_name,
    }
    if version is not None:
        v = catalogue_selectors.snapshot(version)["version"]
        out.update({key: v[key] for key in ("sequence", "manner", "requirements", "legal_time", "legal_time_note",
                                              "fee_status", "documents", "fees", "legal_basis")})
    return out


def latest_version(procedure: Procedure) -> ProcedureVersion | None:
    latest = procedure.versions.order_by("-valid_from").first()
    return catalogue_selectors.get_version(latest.pk) if latest is not None else None


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any
    added: list[str] = default(default_factory=list)
    removed: list[str] = default(default_factory=list)
    modified: list[str] = default(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new, "added": self.added,
                "removed": self.removed, "modified": self.modified}


def _list_delta(target: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[list[str], ...]:
    key = ITEM_KEYS[target]
    before = {str(i.get(key, "")): i for i in old}
    after = {str(i.get(key, "")): i for i in new}
    added = [k for k in after if k not in before]
    removed = [k for k in before if k not in after]
    modified = [k for k in after if k in before and before[k] != after[k]]
    return added, removed, modified


def changes(record: NationalRecord, local: dict[str, Any], mapping: Mapping) -> list[FieldChange]:
    """Field by field, old (local) → new (national), for the compared fields the record carries."""
    out = []
    for target in COMPARED:
        if target not in record.values:
            continue
        new = canon(target, record.values[target], mapping)
        if target == "field_code" and not new:
            continue  # the national data not naming a field code does not clear the local one
        if target in VERSION_FIELDS and target not in local:
            old: Any = [] if target in LIST_TARGETS else None if target == "legal_time" else ""
        else:
            old = canon(target, local.get(target), mapping)
        if old == new:
            continue
        change = FieldChange(target, old, new)
        if target in LIST_TARGETS:
            change.added, change.removed, change.modified = _list_delta(target, old, new)
        out.append(change)
    return out


@dataclass
class Comparison:
    new: list[dict[str, Any]] = default(default_factory=list)
    changed: list[dict[str, Any]] = default(default_factory=list)
    unchanged: list[str] = default(default_factory=list)
    local_only: list[dict[str, Any]] = default(default_factory=list)
    errors: list[dict[str, str]] = default(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "changed": len(self.changed), "unchanged": len(self.unchanged),
                "local_only": len(self.local_only), "errors": len(self.errors)}

    @property
    def behind(self) -> bool:
        """The national data have procedures or facts the local catalogue has not taken yet."""
        return bool(self.new or self.changed)

    def as_json(self) -> dict[str, Any]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "local_only": self.local_only, "errors": self.errors}

    def fingerprint(self) -> str:
        """Changes only when what is behind changes: the administrators are told once per new difference."""
        behind = {"new": self.new, "changed": self.changed}
        return hashlib.sha256(json.dumps(behind, sort_keys=True, ensure_ascii=False, default=str).encode()
                              ).hexdigest()


def _new_entry(record: NationalRecord, mapping: Mapping) -> dict[str, Any]:
    values = canon_all(record.values, mapping)
    valid_from = record.values.get("valid_from")
    return {"code": record.code, "name": record.name, "values": values,
            "agency_name": record.values.get("agency_name", ""),
            "valid_from": valid_from.isoformat() if valid_from else None}


def compare(records: list[NationalRecord], mapping: Mapping, errors: list[dict[str, str]] | None = None
            ) -> Comparison:
    """Compare the national ``records`` with the whole local catalogue."""
    result = Comparison(errors=list(errors or []))
    codes = {r.code for r in records}
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=codes).select_related("field", "agency")}
    for record in sorted(records, key=lambda r: r.code):
        procedure = procedures.get(record.code)
        if procedure is None:
            result.new.append(_new_entry(record, mapping))
            continue
        version = latest_version(procedure)
        found = changes(record, local_values(procedure, version), mapping)
        if not found:
            result.unchanged.append(record.code)
            continue
        result.changed.append({
            "code": record.code, "name": procedure.name,
            "version": None if version is None else {"valid_from": version.valid_from.isoformat(),
                                                     "status": version.status},
            "valid_from": record.values["valid_from"].isoformat() if record.values.get("valid_from") else None,
            "changes": [c.as_dict() for c in found],
        })
    result.local_only = [{"code": code, "name": name} for code, name in
                         Procedure.objects.exclude(code__in=codes).order_by("code").values_list("code", "name")]
    return result
