"""Import and export of the catalogue in the JSON schema of docs/catalogue-schema.md; CSV and XLSX export.

An import is all or nothing: the file is validated as a whole (structure first, then references and the
rules of ``services``), every error names its record and field, and nothing is written unless every
record is good.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from motcua.accounts.choices import Role
from motcua.accounts.models import OrgUnit, User
from motcua.core.errors import DomainError

from . import selectors, services
from .choices import (
    ApplicantType,
    ClockStart,
    CopyKind,
    DeadlinePolicy,
    FeeKind,
    InteragencyMode,
    Level,
    OnlineMode,
    Payer,
    ResultType,
    SupplementRule,
    TimeUnit,
    VersionStatus,
)
from .models import Fee, LegalBasis, Participant, Procedure, ProcedureVersion, RequiredDocument, Step, TimeVariant

SCHEMA = "motcua.catalogue/1"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TimeIn(_In):
    amount: Decimal = Field(gt=0, max_digits=6, decimal_places=2)
    unit: TimeUnit


class TimeVariantIn(TimeIn):
    label: str = Field(min_length=1, max_length=255)


class LegalBasisIn(_In):
    instrument: str = Field(min_length=1, max_length=255)
    articles: str = Field(default="", max_length=255)
    note: str = Field(default="", max_length=500)


class DocumentIn(_In):
    name: str = Field(min_length=1)
    copies: int | None = Field(default=None, ge=1, le=100)
    copy_kind: CopyKind | Literal[""] = ""
    condition: str = ""
    template_name: str = Field(default="", max_length=255)
    from_data_store: bool = False
    kind: str = Field(default="", max_length=60)
    note: str = ""


class FeeIn(_In):
    name: str = Field(min_length=1, max_length=500)
    kind: FeeKind = FeeKind.FEE
    amount_vnd: int | None = Field(default=None, ge=0)
    amount_rule: str = ""
    payer: Payer = Payer.ALL
    online_discount_percent: Decimal | None = Field(default=None, ge=0, le=100)
    discount_valid_from: dt.date | None = None
    discount_valid_to: dt.date | None = None
    basis: str = Field(default="", max_length=255)


class StepIn(_In):
    order: int = Field(ge=1, le=100)
    name: str = Field(min_length=1, max_length=500)
    unit: str = ""
    role: Role | Literal[""] = ""
    budget: TimeIn | None = None
    produces: list[str] = []
    note: str = ""


class ParticipantIn(_In):
    """An agency taking part in an inter-agency procedure: its code, its part, its share of the time."""

    order: int = Field(ge=1, le=100)
    agency: str = Field(min_length=1)
    lead: bool = False
    part: str = Field(min_length=1, max_length=500)
    share: TimeIn | None = None


class VersionIn(_In):
    valid_from: dt.date
    valid_to: dt.date | None = None
    status: Literal["draft", "published"] = "draft"
    label: str = Field(default="", max_length=255)
    sequence: str = ""
    manner: str = ""
    dossier_sets: int | None = Field(default=None, ge=1, le=100)
    legal_time: TimeIn | None = None
    time_variants: list[TimeVariantIn] = []
    legal_time_note: str = ""
    target_time: TimeIn | None = None
    deadline_policy: DeadlinePolicy = DeadlinePolicy.WORKING_HOURS
    clock_start: ClockStart = ClockStart.RECEIPT
    supplement_rule: SupplementRule | Literal[""] = ""
    supplement_working_days: int | None = Field(default=None, ge=1, le=30)
    requirements: str = ""
    fee_status: Literal["", "free", "charged"] = ""
    fees: list[FeeIn] = []
    documents: list[DocumentIn] = []
    steps: list[StepIn] = []
    # One-stop inter-agency: how the dossier travels and the agencies that take part.
    interagency_mode: InteragencyMode | Literal[""] = ""
    participants: list[ParticipantIn] = []
    legal_basis: list[LegalBasisIn] = []
    source: str = ""
    notes: str = ""
    # The application's e-form (Decree 118/2025 Art. 15), checked by ``eform.check_declaration`` on save.
    eform: list[dict[str, Any]] = []


class FieldIn(_In):
    name: str = Field(min_length=1, max_length=255)
    code: str = Field(default="", max_length=40)


class ProcedureIn(_In):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z.\-_]+$")
    name: str = Field(min_length=1, max_length=500)
    field: FieldIn | None = None
    level: Level = Level.PROVINCE
    agency: str = ""
    receiving_units: list[str] = []
    applicant_types: list[ApplicantType] = []
    online_mode: OnlineMode = OnlineMode.PARTIAL
    partial_online_reason: str = ""
    result_type: ResultType | Literal[""] = ""
    result_name: str = Field(default="", max_length=500)
    result_is_paper: bool | None = None
    # Decree 118/2025 Art. 14(4): on the published list of procedures received regardless of boundary.
    result_kind: str = Field(default="", max_length=60)
    receipt_anywhere: bool = False
    receipt_anywhere_basis: str = Field(default="", max_length=255)
    notes: str = ""
    versions: list[VersionIn] = Field(min_length=1)


class CatalogueIn(_In):
    schema_: Literal["motcua.catalogue/1"] = Field(alias="schema")
    procedures: list[ProcedureIn]

    @field_validator("procedures")
    @classmethod
    def _unique_codes(cls, value: list[ProcedureIn]) -> list[ProcedureIn]:
        seen: set[str] = set()
        for item in value:
            if item.code in seen:
                raise ValueError(f"the code {item.code} appears twice")
            seen.add(item.code)
        return value


class CatalogueImportError(DomainError):
    status = 400
    code = "import_invalid"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(_("Nothing was imported: %(count)d error(s) in the file.") % {"count": len(errors)},
                         details={"errors": errors})
        self.errors = errors


def _record(raw: Any, loc: tuple[Any, ...]) -> tuple[str, str]:
    """Name the record an error location points into, and the field path within it."""
    if len(loc) < 2 or loc[0] != "procedures" or not isinstance(loc[1], int):
        return _("file"), ".".join(str(p) for p in loc)
    index = loc[1]
    try:
        proc = raw["procedures"][index]
        code = proc.get("code", "?") if isinstance(proc, dict) else "?"
    except (KeyError, IndexError, TypeError):
        code = "?"
    record = _("procedure %(code)s (#%(n)d)") % {"code": code, "n": index + 1}
    rest = loc[2:]
    if len(rest) >= 2 and rest[0] == "versions" and isinstance(rest[1], int):
        try:
            start = raw["procedures"][index]["versions"][rest[1]].get("valid_from", "?")
        except (KeyError, IndexError, TypeError, AttributeError):
            start = "?"
        record += ", " + _("version from %(day)s (#%(n)d)") % {"day": start, "n": rest[1] + 1}
        rest = rest[2:]
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest).lstrip(".")
    return record, path


def _error(record: str, field: str, message: str) -> dict[str, str]:
    return {"record": record, "field": field, "message": message}


def parse(raw: Any) -> CatalogueIn:
    """Validate the structure of ``raw``; raise ``CatalogueImportError`` naming every bad record."""
    try:
        return CatalogueIn.model_validate(raw)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            record, path = _record(raw, tuple(err["loc"]))
            errors.append(_error(record, path, err["msg"]))
        raise CatalogueImportError(errors) from None


def _unit_codes(data: CatalogueIn) -> set[str]:
    codes = set()
    for proc in data.procedures:
        codes |= {proc.agency, *proc.receiving_units}
        codes |= {step.unit for version in proc.versions for step in version.steps}
        codes |= {p.agency for version in proc.versions for p in version.participants}
    return codes - {""}


def _check_references(data: CatalogueIn, units: dict[str, OrgUnit]) -> list[dict[str, str]]:
    errors = []
    for i, proc in enumerate(data.procedures):
        record = _("procedure %(code)s (#%(n)d)") % {"code": proc.code, "n": i + 1}
        message = _("There is no organisation unit with the code %(code)s.")
        if proc.agency and proc.agency not in units:
            errors.append(_error(record, "agency", message % {"code": proc.agency}))
        for k, code in enumerate(proc.receiving_units):
            if code not in units:
                errors.append(_error(record, f"receiving_units[{k}]", message % {"code": code}))
        for j, version in enumerate(proc.versions):
            for k, step in enumerate(version.steps):
                if step.unit and step.unit not in units:
                    vrecord = record + ", " + _("version from %(day)s (#%(n)d)") % {
                        "day": version.valid_from.isoformat(), "n": j + 1}
                    errors.append(_error(vrecord, f"steps[{k}].unit", message % {"code": step.unit}))
            for k, p in enumerate(version.participants):
                if p.agency not in units:
                    vrecord = record + ", " + _("version from %(day)s (#%(n)d)") % {
                        "day": version.valid_from.isoformat(), "n": j + 1}
                    errors.append(_error(vrecord, f"participants[{k}].agency", message % {"code": p.agency}))
    return errors


def _save_procedure(item: ProcedureIn, units: dict[str, OrgUnit], existing: Procedure | None) -> Procedure:
    procedure = existing or Procedure(code=item.code)
    procedure.name = item.name
    procedure.field = services.save_field(item.field.name, item.field.code) if item.field else None
    procedure.level = item.level
    procedure.agency = units.get(item.agency) if item.agency else None
    procedure.for_individuals = ApplicantType.INDIVIDUAL in item.applicant_types
    procedure.for_organisations = ApplicantType.ORGANISATION in item.applicant_types
    procedure.online_mode = item.online_mode
    procedure.partial_online_reason = item.partial_online_reason
    procedure.result_type = item.result_type
    procedure.result_name = item.result_name
    procedure.result_is_paper = item.result_is_paper
    procedure.result_kind = item.result_kind
    procedure.receipt_anywhere = item.receipt_anywhere
    procedure.receipt_anywhere_basis = item.receipt_anywhere_basis
    procedure.notes = item.notes
    services.save_procedure(procedure)
    procedure.receiving_units.set([units[c] for c in item.receiving_units])
    return procedure


def _time_fields(time: TimeIn | None) -> tuple[Decimal | None, str]:
    return (None, "") if time is None else (time.amount, time.unit.value)


def _save_version(procedure: Procedure, item: VersionIn, units: dict[str, OrgUnit]) -> ProcedureVersion:
    version = ProcedureVersion.objects.filter(procedure=procedure, valid_from=item.valid_from).first()
    if version is not None and version.is_published:
        services.unpublish_version(version)
    version = version or ProcedureVersion(procedure=procedure, valid_from=item.valid_from)
    version.valid_to = item.valid_to
    for name in ("label", "sequence", "manner", "dossier_sets", "legal_time_note", "requirements", "fee_status",
                 "source", "notes", "supplement_rule", "supplement_working_days"):
        setattr(version, name, getattr(item, name))
    version.deadline_policy = item.deadline_policy
    version.clock_start = item.clock_start
    version.interagency_mode = item.interagency_mode
    version.eform = item.eform
    version.legal_time_amount, version.legal_time_unit = _time_fields(item.legal_time)
    version.target_time_amount, version.target_time_unit = _time_fields(item.target_time)
    services.save_version(version)
    _replace_parts(version, item, units)
    services.after_parts_saved(version)
    if item.status == VersionStatus.PUBLISHED:
        services.publish_version(version)
    return version


def _replace_parts(version: ProcedureVersion, item: VersionIn, units: dict[str, OrgUnit]) -> None:
    for related in ("documents", "fees", "steps", "legal_bases", "time_variants", "participants"):
        getattr(version, related).all().delete()
    TimeVariant.objects.bulk_create(
        TimeVariant(version=version, order=n, label=v.label, amount=v.amount, unit=v.unit)
        for n, v in enumerate(item.time_variants, 1))
    LegalBasis.objects.bulk_create(
        LegalBasis(version=version, order=n, **b.model_dump()) for n, b in enumerate(item.legal_basis, 1))
    RequiredDocument.objects.bulk_create(
        RequiredDocument(version=version, order=n, **d.model_dump()) for n, d in enumerate(item.documents, 1))
    Fee.objects.bulk_create(Fee(version=version, order=n, **f.model_dump()) for n, f in enumerate(item.fees, 1))
    Step.objects.bulk_create(
        Step(version=version, order=s.order, name=s.name, unit=units.get(s.unit) if s.unit else None,
             role=s.role, budget_amount=s.budget.amount if s.budget else None,
             budget_unit=s.budget.unit if s.budget else "", produces=list(s.produces), note=s.note)
        for s in item.steps)
    Participant.objects.bulk_create(
        Participant(version=version, order=p.order, agency=units[p.agency], lead=p.lead, part=p.part,
                    share_amount=p.share.amount if p.share else None, share_unit=p.share.unit if p.share else "")
        for p in item.participants)
    services.bump_revision()  # bulk_create sends no signal


def import_catalogue(raw: Any, *, user: User | None = None, skip_existing: bool = False) -> dict[str, int]:
    """Import ``raw`` (the parsed JSON). All or nothing; returns counts of what was written."""
    services.require_manager(user)
    data = parse(raw)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=_unit_codes(data))}
    errors = _check_references(data, units)
    if errors:
        raise CatalogueImportError(errors)
    counts = {"procedures": 0, "versions": 0, "skipped": 0}
    with transaction.atomic():
        for i, item in enumerate(data.procedures):
            existing = Procedure.objects.filter(code=item.code).first()
            if existing is not None and skip_existing:
                counts["skipped"] += 1
                continue
            errors += _import_one(i, item, units, existing, counts)
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise CatalogueImportError(errors)
    return counts


def _import_one(i: int, item: ProcedureIn, units: dict[str, OrgUnit], existing: Procedure | None,
                counts: dict[str, int]) -> list[dict[str, str]]:
    record = _("procedure %(code)s (#%(n)d)") % {"code": item.code, "n": i + 1}
    try:
        with transaction.atomic():
            procedure = _save_procedure(item, units, existing)
    except (DomainError, ValueError) as exc:
        return [_error(record, _field_of(exc), _message_of(exc))]
    counts["procedures"] += 1
    errors = []
    for version in sorted(item.versions, key=lambda v: v.valid_from):
        vrecord = record + ", " + _("version from %(day)s (#%(n)d)") % {
            "day": version.valid_from.isoformat(), "n": item.versions.index(version) + 1}
        try:
            with transaction.atomic():
                _save_version(procedure, version, units)
            counts["versions"] += 1
        except (DomainError, ValueError) as exc:
            errors.append(_error(vrecord, _field_of(exc), _message_of(exc)))
    return errors


def _field_of(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        if "field" in exc.details:
            return str(exc.details["field"])
        if "missing" in exc.details:
            return ", ".join(exc.details["missing"])
    return ""


def _message_of(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    messages = getattr(exc, "message_dict", None)
    return json.dumps(messages, ensure_ascii=False) if messages else str(exc)


def import_file(path: str, *, user: User | None = None, skip_existing: bool = False) -> dict[str, int]:
    try:
        with open(path, encoding="utf-8") as handle:
            raw = json.load(handle)
    except json.JSONDecodeError as exc:
        raise CatalogueImportError([_error(_("file"), f"line {exc.lineno}", exc.msg)]) from None
    return import_catalogue(raw, user=user, skip_existing=skip_existing)


# --- export -------------------------------------------------------------------------------------


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


def _version_out(snap: dict[str, Any]) -> dict[str, Any]:
    v = snap["version"]
    return {
        "valid_from": v["valid_from"], "valid_to": v["valid_to"], "status": v["status"], "label": v["label"],
        "sequence": v["sequence"], "manner": v["manner"], "dossier_sets": v["dossier_sets"],
        "legal_time": v["legal_time"], "time_variants": v["time_variants"], "legal_time_note": v["legal_time_note"],
        "target_time": v["target_time"], "deadline_policy": v["deadline_policy"],
        "clock_start": v.get("clock_start", "receipt"),
        "supplement_rule": v.get("supplement_rule", ""), "supplement_working_days": v.get("supplement_working_days"),
        "requirements": v["requirements"], "fee_status": v["fee_status"], "fees": v["fees"],
        "documents": [{k: d[k] for k in d if k != "template_url"} for d in v["documents"]],
        "steps": [{**s, "unit": s["unit"]["code"] if s["unit"] else ""} for s in v["steps"]],
        "legal_basis": v["legal_basis"], "source": v["source"], "notes": v["notes"],
        "eform": v.get("eform", []),
        "interagency_mode": v.get("interagency_mode", ""),
        "participants": [{**p, "agency": p["agency"]["code"]} for p in v.get("participants", [])],
    }


def export_data(procedures: QuerySet[Procedure] | None = None) -> dict[str, Any]:
    """The catalogue (or the given procedures) in the import schema: export then import is identity."""
    qs = procedures if procedures is not None else Procedure.objects.all()
    qs = qs.select_related("field", "agency").prefetch_related("receiving_units").order_by("code")
    out = []
    for procedure in qs:
        versions = [selectors.get_version(v.pk) for v in procedure.versions.order_by("valid_from")]
        snaps = [selectors.snapshot(v) for v in versions]
        out.append({
            "code": procedure.code, "name": procedure.name,
            "field": None if procedure.field is None else {"name": procedure.field.name,
                                                           "code": procedure.field.code},
            "level": procedure.level, "agency": procedure.agency.code if procedure.agency else "",
            "receiving_units": [u.code for u in procedure.receiving_units.all()],
            "applicant_types": procedure.applicant_types(), "online_mode": procedure.online_mode,
            "partial_online_reason": procedure.partial_online_reason, "result_type": procedure.result_type,
            "result_name": procedure.result_name, "result_is_paper": procedure.result_is_paper,
            "result_kind": procedure.result_kind, "receipt_anywhere": procedure.receipt_anywhere,
            "receipt_anywhere_basis": procedure.receipt_anywhere_basis,
            "notes": procedure.notes,
            "versions": [_version_out(s) for s in snaps],
        })
    return {"schema": SCHEMA, "procedures": out}


CSV_COLUMNS = ["code", "name", "field", "field_code", "level", "online_mode", "agency", "applicant_types",
               "result_name", "valid_from", "valid_to", "status", "label", "legal_time", "legal_time_unit",
               "time_variants", "target_time", "target_time_unit", "fee_status", "fees", "documents", "steps",
               "legal_basis"]


def _rows(data: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for p in data["procedures"]:
        for v in p["versions"]:
            legal, target = v["legal_time"] or {}, v["target_time"] or {}
            rows.append([
                p["code"], p["name"], (p["field"] or {}).get("name", ""), (p["field"] or {}).get("code", ""),
                p["level"], p["online_mode"], p["agency"], " ".join(p["applicant_types"]), p["result_name"],
                v["valid_from"], v["valid_to"] or "", v["status"], v["label"], legal.get("amount", ""),
                legal.get("unit", ""),
                "; ".join(f'{t["label"]}: {t["amount"]} {t["unit"]}' for t in v["time_variants"]),
                target.get("amount", ""), target.get("unit", ""), v["fee_status"],
                "; ".join(f'{f["name"]}: {f["amount_vnd"] if f["amount_vnd"] is not None else f["amount_rule"]}'
                          for f in v["fees"]),
                len(v["documents"]), len(v["steps"]),
                "; ".join(f'{b["instrument"]} {b["articles"]}'.strip() for b in v["legal_basis"]),
            ])
    return rows


def export_csv(data: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_rows(data))
    # A byte-order mark so that spreadsheet programs read the Vietnamese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(data: dict[str, Any]) -> bytes:
    import xlsxwriter  # type: ignore[import-untyped]

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    sheets: dict[str, tuple[list[str], list[list[Any]]]] = {
        "procedures": (CSV_COLUMNS, _rows(data)),
        "documents": (["code", "valid_from", "order", "name", "copies", "copy_kind", "condition",
                       "template_name", "from_data_store"], []),
        "fees": (["code", "valid_from", "name", "kind", "amount_vnd", "amount_rule", "payer",
                  "online_discount_percent", "discount_valid_from", "discount_valid_to", "basis"], []),
        "steps": (["code", "valid_from", "order", "name", "unit", "role", "budget", "budget_unit", "produces"], []),
    }
    for p in data["procedures"]:
        for v in p["versions"]:
            key = [p["code"], v["valid_from"]]
            sheets["documents"][1].extend(
                [*key, n, d["name"], d["copies"], d["copy_kind"], d["condition"], d["template_name"],
                 d["from_data_store"]] for n, d in enumerate(v["documents"], 1))
            sheets["fees"][1].extend(
                [*key, f["name"], f["kind"], f["amount_vnd"], f["amount_rule"], f["payer"],
                 f["online_discount_percent"], f["discount_valid_from"], f["discount_valid_to"], f["basis"]]
                for f in v["fees"])
            sheets["steps"][1].extend(
                [*key, s["order"], s["name"], s["unit"], s["role"], (s["budget"] or {}).get("amount"),
                 (s["budget"] or {}).get("unit", ""), "; ".join(s["produces"])] for s in v["steps"])
    for name, (header, rows) in sheets.items():
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, header, bold)
        for r, row in enumerate(rows, 1):
            sheet.write_row(r, 0, ["" if cell is None else cell for cell in row])
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def export_bytes(fmt: str, procedures: QuerySet[Procedure] | None = None) -> tuple[bytes, str, str]:
    """The export in ``fmt`` as (content, content type, file extension)."""
    data = export_data(procedures)
    if fmt == ExportFormat.CSV:
        return export_csv(data), "text/csv; charset=utf-8", "csv"
    if fmt == ExportFormat.XLSX:
        return (export_xlsx(data), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return body, "application/json; charset=utf-8", "json"
