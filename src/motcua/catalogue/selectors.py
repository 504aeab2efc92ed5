"""Reads of the catalogue: which version applies when, who may see it, search, snapshots, diffs."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability
from motcua.calendars.selectors import compute_due
from motcua.core import revisions
from motcua.core.errors import DomainError, NotFound
from motcua.core.text import fold_vi

from . import eform, search
from .choices import ClockStart, Level, OnlineMode, VersionStatus
from .models import CatalogueRevision, Field, Participant, Procedure, ProcedureVersion, Step

SNAPSHOT_SCHEMA = "motcua.catalogue.snapshot/1"


def can_manage(user: User | Any) -> bool:
    """Administrators edit the catalogue and see drafts; everyone else reads published versions."""
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and has_capability(user, Capability.MANAGE_CATALOGUE))


def covering(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def visible_versions(include_drafts: bool) -> QuerySet[ProcedureVersion]:
    qs = ProcedureVersion.objects.all()
    return qs if include_drafts else qs.filter(status=VersionStatus.PUBLISHED)


def _version_parts() -> list[Any]:
    return [
        "documents", "fees", "legal_bases", "time_variants",
        Prefetch("steps", queryset=Step.objects.select_related("unit")),
        Prefetch("participants", queryset=Participant.objects.select_related("agency")),
    ]


def version_on(procedure: Procedure, day: dt.date, *, include_drafts: bool = False) -> ProcedureVersion | None:
    """The version of ``procedure`` in force on ``day`` (versions never overlap, so at most one)."""
    return (
        visible_versions(include_drafts).filter(covering(day), procedure=procedure)
        .select_related("procedure", "procedure__field", "procedure__agency")
        .prefetch_related(*_version_parts()).first()
    )


@dataclass(frozen=True)
class ReceiptVersion:
    """What a receipt needs of the catalogue: the procedure, its published version in force on the day and
    that version's snapshot (shared, read-only: ``receipt_version`` hands out a copy of the snapshot)."""

    procedure: Procedure
    version: ProcedureVersion | None
    snapshot: dict[str, Any] | None


# Kept per process under the catalogue's revision token, which every catalogue or unit change replaces
# (``services.bump_revision``, the signals in ``signals.py``).
_receipts = revisions.Cache(2048)
_listings = revisions.Cache(1024)
_pages = revisions.Cache(1024)


def revision_token() -> str:
    return revisions.read(CatalogueRevision)


def clear_receipt_cache() -> None:
    for cache in (_receipts, _listings, _pages):
        cache.clear()


def receipt_version(code: str, day: dt.date) -> ReceiptVersion | None:
    """The procedure ``code`` with its published version on ``day`` and its snapshot, or None if there is
    no such procedure (``version`` is None when none is in force).

    Every receipt asks this, and the catalogue changes rarely, so the answer is kept per process until
    the catalogue's revision token changes (``services.bump_revision``, on every catalogue or unit
    change). The token is read before the rows: a change committed in between leaves an entry under the
    old token, which the next call replaces.
    """
    token = revision_token()
    found: ReceiptVersion | None = _receipts.get((code, day), token)
    if found is None:
        procedure = Procedure.objects.select_related("agency").filter(code=code).first()
        if procedure is None:
            return None
        version = version_on(procedure, day)
        found = ReceiptVersion(procedure, version, snapshot(version) if version is not None else None)
        _receipts.put((code, day), token, found)
    return ReceiptVersion(found.procedure, found.version, copy.deepcopy(found.snapshot))


def today() -> dt.date:
    return timezone.localdate()


def receivable_procedures(unit_ids: set[int] | None, text: str = "") -> list[Procedure]:
    """The procedures a desk receives (those of ``unit_ids``, every one for ``None``) with a version in force
    today, matching every word of ``text`` in the code or the folded name (accents or not)."""
    in_force = visible_versions(False).filter(covering(today())).values("procedure_id")
    qs = Procedure.objects.filter(pk__in=in_force)
    if unit_ids is not None:
        qs = qs.filter(Q(receiving_units__in=unit_ids) | Q(agency_id__in=unit_ids))
    for word in fold_vi(text or "").split():
        qs = qs.filter(Q(code__icontains=word) | Q(name_folded__icontains=word))
    return list(qs.select_related("field").distinct().order_by("code"))


def published_procedure_and_version(code: str, user: User | Any, as_of: dt.date | None = None,
                                    ) -> tuple[Procedure, ProcedureVersion]:
    """``procedure_and_version`` for the procedure's public page and API: the public answer (no drafts) is kept
    per process under the catalogue's revision token like ``list_procedures``, so a published change shows at
    once. The rows (version with its parts prefetched) are shared: callers only read them."""
    if can_manage(user):
        return procedure_and_version(code, user, as_of)
    token = revision_token()
    key = (code, as_of or today())
    found: tuple[Procedure, ProcedureVersion] | None = _pages.get(key, token)
    if found is None:
        found = procedure_and_version(code, user, as_of)
        _pages.put(key, token, found)
    return found


def procedure_and_version(code: str, user: User | Any, as_of: dt.date | None = None,
                          ) -> tuple[Procedure, ProcedureVersion]:
    """The procedure with ``code`` and its version on ``as_of`` (today), or ``NotFound``."""
    include_drafts = can_manage(user)
    procedure = (
        Procedure.objects.select_related("field", "agency").prefetch_related("receiving_units")
        .filter(code=code).first()
    )
    if procedure is None:
        raise NotFound(_("There is no procedure with the code %(code)s.") % {"code": code},
                       code="procedure_not_found")
    day = as_of or today()
    version = version_on(procedure, day, include_drafts=include_drafts)
    if version is None:
        if not include_drafts and not visible_versions(False).filter(procedure=procedure).exists():
            # An unpublished procedure does not exist for the public, not even by its code.
            raise NotFound(_("There is no procedure with the code %(code)s.") % {"code": code},
                           code="procedure_not_found")
        raise NotFound(_("Procedure %(code)s has no version in force on %(day)s.")
                       % {"code": code, "day": day.strftime("%d/%m/%Y")},
                       code="version_not_found", details={"as_of": day.isoformat()})
    return procedure, version


def visible_procedure(code: str, user: User | Any) -> Procedure:
    """The procedure with ``code`` if the caller may see at least one of its versions."""
    procedure = Procedure.objects.select_related("field", "agency").filter(code=code).first()
    if procedure is None or not visible_versions(can_manage(user)).filter(procedure=procedure).exists():
        raise NotFound(_("There is no procedure with the code %(code)s.") % {"code": code},
                       code="procedure_not_found")
    return procedure


@dataclass
class Filters:
    q: str = ""
    field: str = ""
    level: str = ""
    online_mode: str = ""
    agency: str = ""
    as_of: dt.date | None = None


@dataclass
class Listing:
    count: int
    items: list[tuple[Procedure, ProcedureVersion]] = field(default_factory=list)


def _filtered(filters: Filters, include_drafts: bool) -> QuerySet[Procedure]:
    day = filters.as_of or today()
    in_force = visible_versions(include_drafts).filter(covering(day), procedure=OuterRef("pk"))
    qs = Procedure.objects.filter(Exists(in_force))
    if filters.field:
        by_field = Q(field__code=filters.field)
        if filters.field.isdigit():
            by_field |= Q(field__pk=int(filters.field))
        qs = qs.filter(by_field)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.online_mode:
        qs = qs.filter(online_mode=filters.online_mode)
    if filters.agency:
        qs = qs.filter(agency__code=filters.agency)
    return qs


def list_procedures(filters: Filters, user: User | Any, limit: int | None = 20, offset: int = 0) -> Listing:
    """Procedures with a version in force on ``filters.as_of`` matching the filters and the search.

    The public listing (no drafts) is what citizens open most, and the catalogue changes rarely: it is kept
    per process under the catalogue's revision token, which every catalogue or unit change replaces (the
    signals in ``signals.py``), so a published change shows at once. The token is read before the rows, as in
    ``receipt_version``. The cached rows are shared and read-only.
    """
    include_drafts = can_manage(user)
    if include_drafts:
        return _list_procedures(filters, True, limit, offset)
    token = revision_token()
    key = (filters.q, filters.field, filters.level, filters.online_mode, filters.agency,
           filters.as_of or today(), limit, offset)
    listing: Listing | None = _listings.get(key, token)
    if listing is None:
        listing = _list_procedures(filters, False, limit, offset)
        _listings.put(key, token, listing)
    return listing


def _list_procedures(filters: Filters, include_drafts: bool, limit: int | None, offset: int) -> Listing:
    base = _filtered(filters, include_drafts)
    found = search.search_ids(base, filters.q, limit, offset)
    if found is None:
        count = base.count()
        end = None if limit is None else offset + limit
        ids = list(base.order_by("code").values_list("pk", flat=True)[offset:end])
    else:
        count, ids = found
    day = filters.as_of or today()
    procedures = Procedure.objects.select_related("field", "agency").in_bulk(ids)
    versions = {
        v.procedure_id: v
        for v in visible_versions(include_drafts).filter(covering(day), procedure_id__in=ids)
        .prefetch_related("time_variants")
    }
    return Listing(count=count, items=[(procedures[i], versions[i]) for i in ids if i in versions])


def unpublished_count(as_of: dt.date | None = None) -> int:
    """How many procedures have a version on ``as_of`` that is still a draft (shown as a number only)."""
    day = as_of or today()
    published = visible_versions(False).filter(covering(day), procedure=OuterRef("pk"))
    drafts = ProcedureVersion.objects.filter(covering(day), procedure=OuterRef("pk"), status=VersionStatus.DRAFT)
    return Procedure.objects.filter(Exists(drafts)).exclude(Exists(published)).count()


def filter_choices() -> dict[str, Any]:
    """The options of the catalogue's filter form."""
    return {
        "fields": list(Field.objects.filter(procedures__isnull=False).distinct().order_by("name")),
        "levels": Level.choices,
        "online_modes": OnlineMode.choices,
        "agencies": list(OrgUnit.objects.filter(procedures__isnull=False).distinct().order_by("name")),
    }


def searchable_form_fields() -> list[tuple[str, str]]:
    """The e-form fields that staff may search by (``"search": true``), as (key, label in the active language),
    from every version that declares a form, each key once (the first label found)."""
    found: dict[str, str] = {}
    for declaration in ProcedureVersion.objects.exclude(eform=[]).order_by("-valid_from").values_list("eform",
                                                                                                       flat=True):
        for spec in declaration or []:
            if isinstance(spec, dict) and spec.get("search") and spec.get("key") not in found:
                found[str(spec["key"])] = eform.text_in(spec.get("label"))
    return sorted(found.items(), key=lambda item: item[1])


# --- snapshots ----------------------------------------------------------------------------------


def _num(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _time(amount: Decimal | None, unit: str) -> dict[str, Any] | None:
    if amount is None or not unit:
        return None
    return {"amount": _num(amount), "unit": unit}


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _unit(unit: Any) -> dict[str, str] | None:
    return None if unit is None else {"code": unit.code, "name": unit.name}


def receiving_units(procedure: Procedure) -> list[OrgUnit]:
    """The units that receive the procedure's dossiers, the one an online dossier goes to by default first:
    the desk of the agency that handles the procedure (which can act on what it receives), then the other
    units of that agency, then the others (the province's service centre, which receives for every agency
    on paper). A citizen may still choose another of them."""
    agency = procedure.agency

    def rank(unit: OrgUnit) -> tuple[bool, bool, str]:
        own = agency is not None and bool(agency.path) and unit.path.startswith(agency.path)
        return (not own, unit.kind != UnitKind.DESK, unit.path)

    return sorted(procedure.receiving_units.all(), key=rank)


def summary(procedure: Procedure, version: ProcedureVersion) -> dict[str, Any]:
    """A line of the catalogue's list: what a search result shows, built from the rows ``list_procedures``
    fetched (procedure with its field and agency, version with its time variants), no query per line. The
    full ``snapshot`` (documents, fees, steps, legal bases) is for the procedure's own page and for dossiers."""
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": None if procedure.field is None else {"code": procedure.field.code, "name": procedure.field.name},
        "level": procedure.level,
        "online_mode": procedure.online_mode,
        "result_type": procedure.result_type,
        "agency": _unit(procedure.agency),
        "legal_time": _time(version.legal_time_amount, version.legal_time_unit),
        "time_variants": [
            {"label": v.label, "amount": _num(v.amount), "unit": v.unit} for v in version.time_variants.all()
        ],
        "valid_from": _date(version.valid_from),
        "valid_to": _date(version.valid_to),
        "status": version.status,
    }


def snapshot(version: ProcedureVersion) -> dict[str, Any]:
    """Everything a dossier needs to keep of the version it was received under, as plain JSON.

    The dossier stores this dict so that a later change of the catalogue changes neither its due date,
    nor its documents, fees or steps (domain note legal-timeline.md §1).
    """
    procedure = version.procedure
    return {
        "schema": SNAPSHOT_SCHEMA,
        "procedure": {
            "code": procedure.code,
            "name": procedure.name,
            "field": None if procedure.field is None else {"code": procedure.field.code,
                                                          "name": procedure.field.name},
            "level": procedure.level,
            "agency": _unit(procedure.agency),
            "receiving_units": [_unit(u) for u in receiving_units(procedure)],
            "applicant_types": procedure.applicant_types(),
            "online_mode": procedure.online_mode,
            "partial_online_reason": procedure.partial_online_reason,
            "result_type": procedure.result_type,
            "result_name": procedure.result_name,
            "result_is_paper": procedure.result_is_paper,
            # Decree 118/2025 Art. 14(4): received at any centre; the time counts from the competent agency's
            # receipt (Art. 17(3) as amended by Decree 309/2026).
            "receipt_anywhere": procedure.receipt_anywhere,
            "result_kind": procedure.result_kind,
        },
        "version": {
            "id": version.pk,
            "label": version.label,
            "valid_from": _date(version.valid_from),
            "valid_to": _date(version.valid_to),
            "status": version.status,
            "published_at": version.published_at.isoformat() if version.published_at else None,
            "sequence": version.sequence,
            "manner": version.manner,
            "dossier_sets": version.dossier_sets,
            "legal_time": _time(version.legal_time_amount, version.legal_time_unit),
            "time_variants": [
                {"label": v.label, "amount": _num(v.amount), "unit": v.unit} for v in version.time_variants.all()
            ],
            "legal_time_note": version.legal_time_note,
            "target_time": _time(version.target_time_amount, version.target_time_unit),
            "deadline_policy": version.deadline_policy,
            # The event the time limit counts from ("receipt", or a later event that an officer records).
            "clock_start": version.clock_start,
            # Exceptions of sector law to the general rule set; empty/None = the rule set's value.
            "supplement_rule": version.supplement_rule,
            "supplement_working_days": version.supplement_working_days,
            "requirements": version.requirements,
            "fee_status": version.fee_status,
            "fees": [
                {
                    "name": f.name, "kind": f.kind, "amount_vnd": f.amount_vnd, "amount_rule": f.amount_rule,
                    "payer": f.payer, "online_discount_percent": _num(f.online_discount_percent),
                    "discount_valid_from": _date(f.discount_valid_from),
                    "discount_valid_to": _date(f.discount_valid_to), "basis": f.basis,
                }
                for f in version.fees.all()
            ],
            "documents": [
                {
                    "name": d.name, "copies": d.copies, "copy_kind": d.copy_kind, "condition": d.condition,
                    "template_name": d.template_name,
                    "template_url": d.template_file.url if d.template_file else None,
                    "from_data_store": d.from_data_store, "kind": d.kind, "note": d.note,
                }
                for d in version.documents.all()
            ],
            "steps": [
                {
                    "order": s.order, "name": s.name, "unit": _unit(s.unit), "role": s.role,
                    "budget": _time(s.budget_amount, s.budget_unit), "produces": list(s.produces or []),
                    "note": s.note,
                }
                for s in version.steps.all()
            ],
            # One-stop inter-agency: how the dossier travels and each agency's part and share of the time.
            "interagency_mode": version.interagency_mode,
            "participants": [
                {"agency": _unit(p.agency), "lead": p.lead, "order": p.order, "part": p.part,
                 "share": _time(p.share_amount, p.share_unit)}
                for p in version.participants.all()
            ],
            "legal_basis": [
                {"instrument": b.instrument, "articles": b.articles, "note": b.note}
                for b in version.legal_bases.all()
            ],
            "source": version.source,
            "notes": version.notes,
            # The application's e-form (Decree 118/2025 Art. 15): the dossier's values are checked against it.
            "eform": list(version.eform or []),
        },
    }


# --- what changed between two versions -----------------------------------------------------------

_SCALARS = ("label", "sequence", "manner", "dossier_sets", "legal_time", "time_variants", "legal_time_note",
            "target_time", "deadline_policy", "clock_start", "supplement_rule", "supplement_working_days",
            "requirements", "fee_status", "interagency_mode")
# The e-form's fields by their key: what was added, removed or changed, not the whole declaration.
_LISTS = {"documents": "name", "fees": "name", "steps": "name", "legal_basis": "instrument", "eform": "key",
          "participants": "part"}


@dataclass
class Change:
    part: str
    kind: str  # "changed", "added" or "removed"
    key: str = ""
    old: Any = None
    new: Any = None


def diff_snapshots(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    a, b = old["version"], new["version"]
    for name in _SCALARS:
        if a.get(name) != b.get(name):
            changes.append(Change(name, "changed", old=a.get(name), new=b.get(name)))
    for part, key in _LISTS.items():
        before = {str(item[key]): item for item in a.get(part, [])}
        after = {str(item[key]): item for item in b.get(part, [])}
        for name in before.keys() - after.keys():
            changes.append(Change(part, "removed", name, old=before[name]))
        for name in after.keys() - before.keys():
            changes.append(Change(part, "added", name, new=after[name]))
        for name in before.keys() & after.keys():
            if before[name] != after[name]:
                changes.append(Change(part, "changed", name, old=before[name], new=after[name]))
    order = [*_SCALARS, *_LISTS]
    return sorted(changes, key=lambda c: (order.index(c.part), c.kind, c.key))


def diff_versions(old: ProcedureVersion, new: ProcedureVersion) -> list[Change]:
    return diff_snapshots(snapshot(old), snapshot(new))


@dataclass
class HistoryEntry:
    version: ProcedureVersion
    changes: list[Change]
    previous: ProcedureVersion | None


def history(procedure: Procedure, user: User | Any) -> list[HistoryEntry]:
    """The visible versions of ``procedure``, oldest first, each with what changed from the one before."""
    versions = list(
        visible_versions(can_manage(user)).filter(procedure=procedure).select_related("procedure")
        .prefetch_related(*_version_parts()).order_by("valid_from")
    )
    entries: list[HistoryEntry] = []
    previous: ProcedureVersion | None = None
    for version in versions:
        entries.append(HistoryEntry(version, diff_versions(previous, version) if previous else [], previous))
        previous = version
    return entries


def get_version(pk: int) -> ProcedureVersion:
    version = (
        ProcedureVersion.objects.select_related("procedure", "procedure__field", "procedure__agency")
        .prefetch_related(*_version_parts()).filter(pk=pk).first()
    )
    if version is None:
        raise NotFound(_("There is no such procedure version."), code="version_not_found")
    return version


# --- the promised date --------------------------------------------------------------------------


@dataclass
class ResultPromise:
    label: str
    due_at: dt.datetime
    skipped: list[Any]
    unit: str = "working_days"


def promised_results(version: ProcedureVersion, now: dt.datetime | None = None) -> list[ResultPromise]:
    """When the result is due if a complete dossier is received ``now``, from the legal clock.

    The dates come from the legal clock (``motcua.calendars``), never from other arithmetic (DESIGN.md,
    "One clock").
    """
    if version.clock_start != ClockStart.RECEIPT:
        # The time counts from a later event (the notice of the evaluation result…): no date can be promised
        # at receipt, and a date counted from now would be wrong.
        return []
    start = now or timezone.now()
    agency_code = version.procedure.agency.code if version.procedure.agency else None
    cases: list[tuple[str, Decimal, str]] = []
    if version.legal_time_amount is not None and version.legal_time_unit:
        cases.append(("", version.legal_time_amount, version.legal_time_unit))
    cases += [(v.label, v.amount, v.unit) for v in version.time_variants.all()]
    promises = []
    for label, amount, unit in cases:
        try:
            result = compute_due(start, amount, unit, version.deadline_policy, agency_code)
        except DomainError:
            continue  # e.g. outside the calendar's years: better no promise than a wrong one
        promises.append(ResultPromise(label, result.due_at, list(getattr(result, "skipped", []) or []), unit))
    return promises
