"""The national procedure record → the local catalogue's fields, as configuration.

The national procedures database (*Cơ sở dữ liệu quốc gia về thủ tục hành chính*) publishes each procedure
with the parts Decree 63/2010/NĐ-CP Art. 8 requires (name, order and manner of implementation, dossier, time
limit, applicants, agency, result, fees, legal basis). Its exchange format is not public (domain note
``national-portal-sync.md``): the field names below are assumptions, so the whole mapping is a JSON file —
``data/mapping.json`` shipped with the package, replaced by the file named in
``MOTCUA_NATIONAL_CATALOGUE_MAPPING`` — and every code list (levels, online levels, applicant types, time units,
copy kinds, fee kinds) is a table in it (``docs/integrations-national-catalogue.md``).

A mapping file::

    {"schema": "motcua.national-catalogue-mapping/1",
     "records": "",                      # where the list is in the answer ("" = the answer is the list; "a.b")
     "date_formats": ["%Y-%m-%d", ...],
     "fields": {TARGET: SPEC, ...},       # TARGET: a local field (``TARGETS``, ``LIST_TARGETS``)
     "tables": {NAME: {"national value": "local value", ...}}}

    SPEC = {"from": "A.B" or ["A.B", "C"] (the first path present wins), "type": "text" | "int" | "decimal" |
            "date" | "list", "table": NAME, "many": bool, "required": bool, "item": {SUBTARGET: SPEC}}

What a record does not carry (the path is absent) is left out: it is neither compared nor changed. A record
with any bad field is reported as a whole — its code, the national field and the reason — and never applied.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from motcua.catalogue import exchange
from motcua.catalogue.choices import ApplicantType, CopyKind, FeeKind, Level, OnlineMode, TimeUnit
from motcua.core.errors import DomainError
from motcua.core.text import fold_vi, nfc

SCHEMA = "motcua.national-catalogue-mapping/1"
DEFAULT_MAPPING = Path(__file__).parent / "data" / "mapping.json"
TYPES = {"text", "int", "decimal", "date", "list"}

# The local fields a mapping may fill, with their type. ``agency_name`` (the national implementing agency, a
# name) and ``valid_from`` (the legal effective date) are read but never compared: the local agency is an
# organisation unit the administrator chooses, and the date only dates the new version.
TARGETS: dict[str, str] = {
    "code": "text", "name": "text", "field_code": "text", "field_name": "text", "level": "text",
    "agency_name": "text", "applicant_types": "text", "online_mode": "text", "result_name": "text",
    "valid_from": "date", "sequence": "text", "manner": "text", "requirements": "text",
    "legal_time_amount": "decimal", "legal_time_unit": "text", "legal_time_note": "text",
}
LIST_TARGETS: dict[str, dict[str, str]] = {
    "documents": {"name": "text", "copies": "int", "copy_kind": "text", "template_name": "text",
                  "condition": "text"},
    "fees": {"name": "text", "kind": "text", "amount_vnd": "int", "amount_rule": "text"},
    "legal_basis": {"instrument": "text", "articles": "text", "note": "text"},
}
# A code list must give values the catalogue knows.
CHOICES: dict[str, list[str]] = {
    "level": list(Level.values), "online_mode": list(OnlineMode.values),
    "applicant_types": list(ApplicantType.values), "legal_time_unit": list(TimeUnit.values),
    "documents.copy_kind": list(CopyKind.values), "fees.kind": list(FeeKind.values),
}


class MappingError(DomainError):
    """The mapping file itself is wrong (an operator's configuration error)."""

    code = "national_mapping_invalid"


@dataclass(frozen=True)
class Spec:
    paths: tuple[str, ...]
    type: str = "text"
    table: str = ""
    many: bool = False
    required: bool = False
    item: dict[str, Spec] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.paths[0]


@dataclass
class Mapping:
    records: str
    date_formats: list[str]
    fields: dict[str, Spec]
    tables: dict[str, dict[str, str]]  # keys folded (``fold_vi``) so that case and marks do not matter
    source: str = ""

    def national_path(self, target: str) -> str:
        """The national field a local target comes from (for messages and the docs)."""
        if "." in target:
            head, sub = target.split(".", 1)
            spec = self.fields.get(head)
            return f"{spec.path}[].{spec.item[sub].path}" if spec and sub in spec.item else target
        spec = self.fields.get(target)
        return spec.path if spec else target


@dataclass
class RecordError:
    record: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"record": self.record, "field": self.field, "message": self.message}


@dataclass
class NationalRecord:
    """One national record in local terms: ``values`` holds only what the record carries."""

    code: str
    name: str
    raw: dict[str, Any]
    values: dict[str, Any]


@dataclass
class Mapped:
    records: list[NationalRecord]
    errors: list[RecordError]


# --- loading the mapping --------------------------------------------------------------------------------------


def mapping_path() -> Path:
    configured = getattr(settings, "MOTCUA_NATIONAL_CATALOGUE_MAPPING", "")
    return Path(configured) if configured else DEFAULT_MAPPING


def load_mapping(path: str | Path | None = None) -> Mapping:
    """The mapping in ``path`` (default: the setting, else the shipped file); ``MappingError`` if it is bad."""
    where = Path(path) if path else mapping_path()
    try:
        raw = json.loads(where.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(_("The national catalogue mapping %(path)s cannot be read: %(reason)s")
                           % {"path": where, "reason": exc.strerror or exc}) from None
    except ValueError as exc:
        raise MappingError(_("The national catalogue mapping %(path)s is not valid JSON: %(reason)s")
                           % {"path": where, "reason": exc}) from None
    mapping = parse_mapping(raw)
    mapping.source = str(where)
    return mapping


def _bad(where: str, message: str) -> MappingError:
    return MappingError(_("The national catalogue mapping is wrong at %(where)s: %(message)s")
                        % {"where": where, "message": message})


def parse_mapping(raw: Any) -> Mapping:
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA:
        raise _bad("schema", _("expected %(schema)s") % {"schema": SCHEMA})
    unknown = set(raw) - {"schema", "records", "date_formats", "fields", "tables"}
    if unknown:
        raise _bad(", ".join(sorted(unknown)), _("unknown key"))
    tables_raw = raw.get("tables") or {}
    if not isinstance(tables_raw, dict):
        raise _bad("tables", _("expected an object"))
    tables: dict[str, dict[str, str]] = {}
    for name, table in tables_raw.items():
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise _bad(f"tables.{name}", _("expected an object of texts"))
        tables[name] = {fold_vi(str(k)): v for k, v in table.items()}
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, dict):
        raise _bad("fields", _("expected an object"))
    fields: dict[str, Spec] = {}
    for target, spec in fields_raw.items():
        if target in TARGETS:
            fields[target] = _spec(f"fields.{target}", spec, TARGETS[target], None, tables, target)
        elif target in LIST_TARGETS:
            fields[target] = _spec(f"fields.{target}", spec, "list", LIST_TARGETS[target], tables, target)
        else:
            raise _bad(f"fields.{target}", _("not a local field the mapping can fill"))
    for needed in ("code", "name"):
        if needed not in fields:
            raise _bad(f"fields.{needed}", _("required"))
    formats = raw.get("date_formats") or ["%Y-%m-%d"]
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise _bad("date_formats", _("expected a list of texts"))
    records = raw.get("records") or ""
    if not isinstance(records, str):
        raise _bad("records", _("expected a text"))
    return Mapping(records=records, date_formats=formats, fields=fields, tables=tables)


def _spec(where: str, raw: Any, kind: str, items: dict[str, str] | None, tables: dict[str, dict[str, str]],
          target: str) -> Spec:
    if not isinstance(raw, dict) or not raw.get("from"):
        raise _bad(where, _("expected an object with \"from\""))
    unknown = set(raw) - {"from", "type", "table", "many", "required", "item"}
    if unknown:
        raise _bad(where, _("unknown key %(key)s") % {"key": ", ".join(sorted(unknown))})
    paths = raw["from"] if isinstance(raw["from"], list) else [raw["from"]]
    if not paths or not all(isinstance(p, str) and p for p in paths):
        raise _bad(f"{where}.from", _("expected a path or a list of paths"))
    type_ = raw.get("type", kind)
    if type_ not in TYPES or (kind == "list") != (type_ == "list"):
        raise _bad(f"{where}.type", _("expected %(type)s") % {"type": kind})
    table = raw.get("table") or ""
    if table:
        if table not in tables:
            raise _bad(f"{where}.table", _("there is no table %(name)s") % {"name": table})
        allowed = CHOICES.get(target)
        wrong = sorted({v for v in tables[table].values() if allowed is not None and v not in allowed})
        if wrong:
            raise _bad(f"tables.{table}", _("%(values)s: not one of %(allowed)s")
                       % {"values": ", ".join(wrong), "allowed": ", ".join(allowed or [])})
    elif target in CHOICES:
        raise _bad(f"{where}.table", _("a code list needs a table"))
    item: dict[str, Spec] = {}
    if items is not None:
        if not isinstance(raw.get("item"), dict):
            raise _bad(f"{where}.item", _("expected an object"))
        for sub, sub_raw in raw["item"].items():
            if sub not in items:
                raise _bad(f"{where}.item.{sub}", _("not a local field the mapping can fill"))
            item[sub] = _spec(f"{where}.item.{sub}", sub_raw, items[sub], None, tables, f"{target}.{sub}")
    return Spec(paths=tuple(paths), type=type_, table=table, many=bool(raw.get("many")),
                required=bool(raw.get("required")), item=item)


# --- mapping records ------------------------------------------------------------------------------------------

_MISSING = object()


def lookup(obj: Any, path: str) -> Any:
    """The value at the dotted ``path`` in ``obj``, or ``_MISSING``."""
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return _MISSING
        obj = obj[part]
    return obj


def records_of(mapping: Mapping, answer: Any) -> list[Any]:
    """The list of national records in a file or an HTTP answer."""
    found = lookup(answer, mapping.records) if mapping.records else answer
    if not isinstance(found, list):
        where = mapping.records or _("the top level")
        raise MappingError(_("No list of procedure records at %(where)s of the national answer.") % {"where": where})
    return found


class _Bad(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path, self.message = path, message


def _first(obj: Any, spec: Spec) -> tuple[str, Any]:
    for path in spec.paths:
        value = lookup(obj, path)
        if value is not _MISSING:
            return path, value
    return spec.path, _MISSING


_GROUPED = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        if _GROUPED.match(text):  # 150.000 or 150,000: thousands grouped, as Vietnamese text writes amounts
            return int(re.sub(r"\D", "", text))
    raise ValueError


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def _date(value: Any, formats: list[str]) -> dt.date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError
    for fmt in formats:
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | dict | list):
        raise ValueError
    return nfc(str(value)).strip()


def _through(mapping: Mapping, spec: Spec, value: Any, path: str) -> Any:
    table = mapping.tables[spec.table]

    def one(v: Any) -> str:
        key = fold_vi(_text(v))
        if key not in table:
            raise _Bad(path, _("the value “%(value)s” is not in the code list %(table)s of the mapping")
                       % {"value": _text(v), "table": spec.table})
        return table[key]

    if spec.many:
        items = value if isinstance(value, list) else [value] if value not in (None, "") else []
        return list(dict.fromkeys(one(v) for v in items))
    if isinstance(value, list):  # several levels at once, e.g. ["Cấp Tỉnh", "Cấp Xã"] → "Cấp Tỉnh, Cấp Xã"
        value = ", ".join(_text(v) for v in value)
    if value in (None, ""):
        return ""
    return one(value)


def _convert(mapping: Mapping, spec: Spec, value: Any, path: str) -> Any:
    if spec.table:
        return _through(mapping, spec, value, path)
    try:
        if spec.type == "int":
            return _int(value)
        if spec.type == "decimal":
            return _decimal(value)
        if spec.type == "date":
            return _date(value, mapping.date_formats)
        return _text(value)
    except ValueError:
        expected = {"int": _("a whole number"), "decimal": _("a number"), "date": _("a date"),
                    "text": _("a text")}[spec.type]
        raise _Bad(path, _("“%(value)s” is not %(expected)s") % {"value": value, "expected": expected}) from None


def _value(mapping: Mapping, spec: Spec, obj: Any, prefix: str = "") -> tuple[str, Any]:
    path, value = _first(obj, spec)
    full = prefix + path
    if value is _MISSING or (spec.required and value in (None, "")):
        if spec.required:
            raise _Bad(full, _("this field is required"))
        return full, _MISSING
    if spec.type == "list":
        if value is None:
            value = []
        if not isinstance(value, list):
            raise _Bad(full, _("expected a list"))
        items = []
        for i, element in enumerate(value):
            item: dict[str, Any] = {}
            for sub, sub_spec in spec.item.items():
                _p, v = _value(mapping, sub_spec, element, f"{full}[{i}].")
                if v is not _MISSING:
                    item[sub] = v
            items.append(item)
        return full, items
    return full, _convert(mapping, spec, value, full)


def _record_name(raw: Any, index: int, mapping: Mapping) -> str:
    code = lookup(raw, mapping.fields["code"].path) if isinstance(raw, dict) else _MISSING
    shown = code if isinstance(code, str | int) and code != "" else "?"
    return _("national record %(code)s (#%(n)d)") % {"code": shown, "n": index + 1}


def map_records(mapping: Mapping, raws: list[Any]) -> Mapped:
    """Map every national record; a record with any bad field is reported (all its errors) and left out."""
    out = Mapped([], [])
    seen: set[str] = set()
    for index, raw in enumerate(raws):
        record = _record_name(raw, index, mapping)
        if not isinstance(raw, dict):
            out.errors.append(RecordError(record, "", _("expected an object")))
            continue
        values, errors = _map_one(mapping, raw)
        if not errors and values["code"] in seen:
            errors = [RecordError("", mapping.fields["code"].path, _("the code appears twice in the national data"))]
        if errors:
            out.errors.extend(RecordError(record, e.field, e.message) for e in errors)
            continue
        seen.add(values["code"])
        out.records.append(NationalRecord(code=values["code"], name=values["name"], raw=raw, values=values))
    return out


def _map_one(mapping: Mapping, raw: dict[str, Any]) -> tuple[dict[str, Any], list[RecordError]]:
    values: dict[str, Any] = {}
    errors: list[RecordError] = []
    for target, spec in mapping.fields.items():
        try:
            _p, value = _value(mapping, spec, raw)
        except _Bad as bad:
            errors.append(RecordError("", bad.path, bad.message))
            continue
        if value is not _MISSING:
            values[target] = value
    if errors:
        return values, errors
    _combine(values)
    errors = _check(mapping, values)
    return values, errors


def _combine(values: dict[str, Any]) -> None:
    """Local shapes from the national pieces: the time limit as TIME, the fee status from the fee list."""
    amount = values.pop("legal_time_amount", _MISSING)
    unit = values.pop("legal_time_unit", _MISSING)
    if amount is not _MISSING:
        values["legal_time"] = None if amount is None else {"amount": amount, "unit": "" if unit is _MISSING
                                                            else unit}
    if "fees" in values:
        # Decree 63/2010 Art. 8(3): the fee part says whether fees apply; an empty national list says none do.
        values["fee_status"] = "charged" if values["fees"] else "free"


def _check(mapping: Mapping, values: dict[str, Any]) -> list[RecordError]:
    """Run the catalogue's own import rules (``exchange.ProcedureIn``) on what the record would write, so that a
    record that maps is one that imports; errors name the national field."""
    candidate: dict[str, Any] = {k: values[k] for k in ("code", "name", "level", "online_mode", "applicant_types",
                                                        "result_name") if k in values and values[k] != ""}
    if values.get("field_name"):
        candidate["field"] = {"name": values["field_name"], "code": values.get("field_code", "")}
    version: dict[str, Any] = {"valid_from": values.get("valid_from") or timezone.localdate()}
    for key in ("sequence", "manner", "requirements", "legal_time", "legal_time_note", "fee_status", "documents",
                "fees", "legal_basis"):
        if key in values:
            version[key] = values[key]
    candidate["versions"] = [version]
    try:
        exchange.ProcedureIn.model_validate(candidate)
    except ValidationError as exc:
        return [RecordError("", _national_loc(mapping, tuple(err["loc"])), err["msg"]) for err in exc.errors()]
    return []


def _national_loc(mapping: Mapping, loc: tuple[Any, ...]) -> str:
    if not loc:
        return ""
    if loc[0] == "field":
        return mapping.national_path("field_name" if loc[-1] == "name" else "field_code")
    if loc[0] != "versions" or len(loc) < 3:
        return mapping.national_path(str(loc[0]))
    part = str(loc[2])
    if part == "legal_time":
        return mapping.national_path("legal_time_unit" if loc[-1] == "unit" else "legal_time_amount")
    if part in LIST_TARGETS and len(loc) >= 5 and isinstance(loc[3], int):
        spec = mapping.fields[part]
        sub = spec.item.get(str(loc[4]))
        return f"{spec.path}[{loc[3]}].{sub.path if sub else loc[4]}"
    if part == "fee_status":
        return mapping.national_path("fees")
    return mapping.national_path(part)
