"""Every write of the national catalogue joint: store a comparison (and tell the administrators when the local
catalogue is behind), apply a national change to the local catalogue.

Applying goes through the catalogue's own services — ``services.clone_version`` starts the next dated version
(copying the internal steps, participating agencies and the rest of the local version), and the catalogue's
JSON import (``exchange.import_catalogue``, all or nothing, with its checks: versions never overlap, steps within
the legal time, the publication check of Decree 63/2010 Art. 8) writes the national facts into it. Only the
mapped fields change; the internal steps, units, receiving units, participants, e-form, internal target and
local notes stay as the administrator set them. One transaction per procedure; each application is recorded
(``CatalogueApplication``: who, what, when, from where).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, holders_of
from motcua.catalogue import exchange
from motcua.catalogue import services as catalogue_services
from motcua.catalogue.models import Procedure, ProcedureVersion, RequiredDocument
from motcua.core import links
from motcua.core.errors import Conflict, DomainError
from motcua.notifications import defaults as notice_keys
from motcua.notifications.services import Recipient, notify

from ..models import CatalogueApplication, CatalogueComparison
from . import compare as comparing
from . import source as sources
from .mapping import Mapping, MappingError, NationalRecord, load_mapping, map_records, records_of

SOURCE_NAME = "Cơ sở dữ liệu quốc gia về thủ tục hành chính"


# --- comparing ------------------------------------------------------------------------------------------------


def _store(result: comparing.Comparison, mapped_records: list[NationalRecord], source: str,
           national_codes: list[str], comparison: CatalogueComparison | None = None) -> CatalogueComparison:
    pending = {e["code"] for e in result.new} | {e["code"] for e in result.changed}
    comparison = comparison or CatalogueComparison(source=source[:1000])
    counts = result.counts()
    comparison.ok, comparison.error = True, ""
    comparison.new_count, comparison.changed_count = counts["new"], counts["changed"]
    comparison.unchanged_count, comparison.local_only_count = counts["unchanged"], counts["local_only"]
    comparison.error_count = counts["errors"]
    comparison.diff = {**result.as_json(), "national_codes": national_codes}
    comparison.records = {r.code: r.raw for r in mapped_records if r.code in pending}
    comparison.fingerprint = result.fingerprint()
    comparison.save()
    return comparison


def compare_answer(answer: Any, *, source: str, tell: bool = False,
                   mapping: Mapping | None = None) -> CatalogueComparison:
    """Compare the national ``answer`` (parsed JSON) with the local catalogue and store the report. Changes
    nothing in the catalogue. With ``tell``, the administrators get a notice if the catalogue is behind and
    the difference is not the one they were last told of."""
    mapping = mapping or load_mapping()
    mapped = map_records(mapping, records_of(mapping, answer))
    result = comparing.compare(mapped.records, mapping, [e.as_dict() for e in mapped.errors])
    national_codes = sorted(r.code for r in mapped.records)
    with transaction.atomic():
        comparison = _store(result, mapped.records, source, national_codes)
        if tell and comparison.behind:
            last = CatalogueComparison.objects.filter(notified=True).exclude(pk=comparison.pk).first()
            if last is None or last.fingerprint != comparison.fingerprint:
                _tell_administrators(comparison)
                comparison.notified = True
                comparison.save(update_fields=["notified", "updated_at"])
    return comparison


def _failed(source: str, exc: DomainError) -> CatalogueComparison:
    return CatalogueComparison.objects.create(source=source[:1000], ok=False, error=exc.message)


def check(url: str | None = None) -> CatalogueComparison:
    """The scheduled comparison: read the national records at ``url`` (default: the setting), compare, store,
    tell the administrators. A source that cannot be read is stored as a failed comparison (the page says so)
    and raised: nothing in the catalogue changes."""
    url = url or sources.configured_url()
    try:
        mapping = load_mapping()
        answer = sources.fetch(url)
        return compare_answer(answer, source=url, tell=True, mapping=mapping)
    except (sources.SourceError, MappingError) as exc:
        _failed(url or "-", exc)
        raise


def compare_file(path: str) -> CatalogueComparison:
    mapping = load_mapping()
    return compare_answer(sources.read_file(path), source=path, mapping=mapping)


def refresh(comparison: CatalogueComparison, mapping: Mapping | None = None) -> CatalogueComparison:
    """Compare again the stored national records of ``comparison`` (its new and changed procedures) with the
    local catalogue as it is now — after some were applied — without reading the national data again."""
    mapping = mapping or load_mapping()
    mapped = map_records(mapping, list(comparison.records.values()))
    result = comparing.compare(mapped.records, mapping, comparison.diff.get("errors", []))
    national = set(comparison.diff.get("national_codes", [])) | {r.code for r in mapped.records}
    result.unchanged = sorted(set(comparison.diff.get("unchanged", [])) | set(result.unchanged))
    result.local_only = [{"code": c, "name": n} for c, n in Procedure.objects.exclude(code__in=national)
                         .order_by("code").values_list("code", "name")]
    with transaction.atomic():
        return _store(result, mapped.records, comparison.source, sorted(national), comparison)


def _tell_administrators(comparison: CatalogueComparison) -> None:
    """A notice to each catalogue administrator (``notifications.notify``: never raises, delivered after the
    commit)."""
    context = {"new_count": comparison.new_count, "changed_count": comparison.changed_count,
               "compared_at": comparison.created_at,
               "page_url": links.absolute(reverse("integrations:national-catalogue"))}
    for person in holders_of(Capability.MANAGE_CATALOGUE):
        recipient = Recipient.from_user(person)
        notify(recipient, notice_keys.NATIONAL_CATALOGUE_BEHIND, {**context, "recipient_name": recipient.name},
               related_object=comparison, subject_ref=f"national-catalogue:{comparison.pk}")


# --- applying -------------------------------------------------------------------------------------------------


@dataclass
class Applied:
    code: str
    action: str  # a ``CatalogueApplication.Action``, or "unchanged"
    valid_from: dt.date | None = None
    version_id: int | None = None
    published: bool = False
    changes: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


def _merge_items(target: str, local: list[dict[str, Any]], national: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The national list, each item keeping the local facts the national record does not carry (a document's
    condition, data-store flag and note; a fee's payer and online discount) where the item is the same."""
    key = comparing.ITEM_KEYS[target]
    by_key = {str(item.get(key, "")): item for item in local}
    out = []
    for item in national:
        base = {k: v for k, v in by_key.get(str(item.get(key, "")), {}).items() if k != "template_url"}
        out.append({**base, **{k: v for k, v in item.items()}})
    return out


def _merge(data: dict[str, Any], version: dict[str, Any], values: dict[str, Any]) -> None:
    """Write the mapped national ``values`` into the exported procedure ``data`` and its ``version``."""
    for key in ("name", "level", "online_mode", "applicant_types", "result_name"):
        if key in values and values[key] not in ("", None):
            data[key] = values[key]
    if values.get("field_name"):
        old = data.get("field") or {}
        same = old.get("name") == values["field_name"]
        data["field"] = {"name": values["field_name"],
                         "code": values.get("field_code") or (old.get("code", "") if same else "")}
    elif values.get("field_code") and data.get("field"):
        data["field"] = {**data["field"], "code": values["field_code"]}
    for key in ("sequence", "manner", "requirements", "legal_time_note", "fee_status"):
        if key in values:
            version[key] = values[key]
    if "legal_time" in values:
        time = values["legal_time"]
        version["legal_time"] = None if time is None else {"amount": str(time["amount"]), "unit": time["unit"]}
    for key in comparing.LIST_TARGETS:
        if key in values:
            version[key] = _merge_items(key, version.get(key) or [], values[key])


def _blank_version(valid_from: dt.date) -> dict[str, Any]:
    return {"valid_from": valid_from.isoformat(), "status": "draft"}


def _import(data: dict[str, Any], version: dict[str, Any], user: User | None) -> None:
    raw = {"schema": exchange.SCHEMA, "procedures": [{**data, "versions": [version]}]}
    try:
        exchange.import_catalogue(raw, user=user)
    except IntegrityError:
        raise Conflict(_("The national field code is already used by another field of the catalogue."),
                       code="national_field_code_taken") from None


def _source_note(source: str) -> str:
    day = timezone.localdate().strftime("%d/%m/%Y")
    return f"{SOURCE_NAME} ({source}), {day}" if source else f"{SOURCE_NAME}, {day}"


def apply_record(record: NationalRecord, mapping: Mapping, *, user: User | None = None, publish: bool = False,
                 source: str = "") -> Applied:
    """Bring the local procedure ``record.code`` in step with ``record``: nothing if it already is, a new
    draft procedure if it is not in the catalogue, otherwise a new dated version (or the current draft
    updated). One transaction: on any error nothing is written."""
    catalogue_services.require_manager(user)
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().filter(code=record.code).first()
        if procedure is None:
            applied = _create(record, mapping, user, source)
        else:
            applied = _update(procedure, record, mapping, user, publish, source)
        if applied.action != "unchanged":
            _audit(applied, user, source)
    return applied


def _create(record: NationalRecord, mapping: Mapping, user: User | None, source: str) -> Applied:
    """A procedure new to the catalogue starts as a draft: the administrator completes its agency, receiving
    units and internal steps (local decisions the national record does not hold) before publishing it."""
    values = record.values
    valid_from = values.get("valid_from") or timezone.localdate()
    data: dict[str, Any] = {"code": record.code, "name": record.name, "receiving_units": [], "agency": ""}
    agency = values.get("agency_name") or "-"
    data["notes"] = _("Created from the national procedures database; national implementing agency: %(agency)s. "
                      "Complete the implementing agency, the receiving units and the internal steps before "
                      "publishing.") % {"agency": agency}
    version = _blank_version(valid_from)
    _merge(data, version, values)
    version["status"] = "draft"
    version["source"] = _source_note(source)
    _import(data, version, user)
    created = ProcedureVersion.objects.get(procedure__code=record.code, valid_from=valid_from)
    changes = [{"field": k, "new": v} for k, v in comparing.canon_all(values, mapping).items()]
    return Applied(record.code, CatalogueApplication.Action.CREATED, valid_from, created.pk, False, changes)


def _start_day(record: NationalRecord, latest: ProcedureVersion) -> tuple[dt.date, str]:
    """Where the new version starts: the record's legal effective date when it comes after the local version;
    otherwise today, since a published version is frozen (a dossier may have been received under it)."""
    today = timezone.localdate()
    wanted = record.values.get("valid_from")
    if wanted is not None and wanted > latest.valid_from:
        return wanted, ""
    if today > latest.valid_from:
        note = "" if wanted is None else _(
            "The national record takes effect on %(day)s, not after the local version of %(local)s, which is "
            "published and stays as it is: the change applies from today.") % {
            "day": wanted.strftime("%d/%m/%Y"), "local": latest.valid_from.strftime("%d/%m/%Y")}
        return today, note
    raise Conflict(_("The local version of %(local)s starts later than today and is published: unpublish it, or "
                     "apply the change by hand.") % {"local": latest.valid_from.strftime("%d/%m/%Y")},
                   code="national_change_no_date")


def _update(procedure: Procedure, record: NationalRecord, mapping: Mapping, user: User | None, publish: bool,
            source: str) -> Applied:
    latest = comparing.latest_version(procedure)
    found = comparing.changes(record, comparing.local_values(procedure, latest), mapping)
    if not found:
        return Applied(record.code, "unchanged")
    note = ""
    if latest is None:
        valid_from, action = record.values.get("valid_from") or timezone.localdate(), \
            CatalogueApplication.Action.UPDATED
    elif not latest.is_published:
        # A draft is the administrator's work in progress: it is brought in step where it is, keeping its date.
        valid_from, action = latest.valid_from, CatalogueApplication.Action.UPDATED_DRAFT
    else:
        valid_from, note = _start_day(record, latest)
        # As a change of law does: the published version ends the day before, the new one copies it — internal
        # steps and all — and the national facts are then written over the copy.
        catalogue_services.clone_version(latest, valid_from=valid_from, user=user)
        action = CatalogueApplication.Action.UPDATED
    forms = {d.name: d.template_file.name for d in (latest.documents.all() if latest else []) if d.template_file}
    data = exchange.export_data(Procedure.objects.filter(pk=procedure.pk))["procedures"][0]
    version = next((copy.deepcopy(v) for v in data["versions"] if v["valid_from"] == valid_from.isoformat()),
                   _blank_version(valid_from))
    _merge(data, version, record.values)
    version["status"] = "published" if publish else "draft"
    version["source"] = _source_note(source)
    _import(data, version, user)
    target = ProcedureVersion.objects.get(procedure=procedure, valid_from=valid_from)
    # The catalogue's import writes documents afresh; the uploaded form files of the documents that stay are
    # the local administrator's, and are kept.
    for name, file in forms.items():
        RequiredDocument.objects.filter(version=target, name=name, template_file="").update(template_file=file)
    return Applied(record.code, action, valid_from, target.pk, target.is_published, [c.as_dict() for c in found],
                   note)


def _audit(applied: Applied, user: User | None, source: str) -> None:
    assert applied.valid_from is not None
    CatalogueApplication.objects.create(
        applied_by=user, applied_by_name=(user.get_full_name() or user.get_username()) if user else "system",
        code=applied.code, procedure=Procedure.objects.filter(code=applied.code).first(),
        version_id=applied.version_id, action=applied.action, valid_from=applied.valid_from,
        published=applied.published, changes=applied.changes, source=source[:1000], note=applied.note)


@dataclass
class Outcome:
    applied: list[Applied] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)  # {"code", "message"}


def _messages(exc: DomainError) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        return "; ".join(f"{e['field']}: {e['message']}" if e.get("field") else e["message"] for e in errors)
    return exc.message


def apply_answer(answer: Any, *, codes: list[str] | None = None, user: User | None = None, publish: bool = False,
                 source: str = "", mapping: Mapping | None = None) -> Outcome:
    """Apply the national records in ``answer`` (a file's or the service's JSON; all its records, or those of
    ``codes``), one procedure per transaction. Bad records and refused procedures are reported in ``errors``;
    the others are applied."""
    mapping = mapping or load_mapping()
    return apply_records(records_of(mapping, answer), codes=codes, user=user, publish=publish, source=source,
                         mapping=mapping)


def apply_records(raws: list[Any], *, codes: list[str] | None = None, user: User | None = None,
                  publish: bool = False, source: str = "", mapping: Mapping | None = None) -> Outcome:
    catalogue_services.require_manager(user)
    mapping = mapping or load_mapping()
    mapped = map_records(mapping, raws)
    outcome = Outcome()
    outcome.errors = [{"code": e.record, "message": f"{e.field}: {e.message}" if e.field else e.message}
                      for e in mapped.errors]
    wanted = set(codes) if codes else None
    known = {r.code for r in mapped.records}
    for code in sorted((wanted or set()) - known):
        outcome.errors.append({"code": code, "message": _("No usable national record has this code.")})
    for record in mapped.records:
        if wanted is not None and record.code not in wanted:
            continue
        try:
            outcome.applied.append(apply_record(record, mapping, user=user, publish=publish, source=source))
        except DomainError as exc:
            outcome.errors.append({"code": record.code, "message": _messages(exc)})
    return outcome


def apply_from_comparison(comparison: CatalogueComparison, *, codes: list[str] | None = None,
                          user: User | None = None, publish: bool = False) -> Outcome:
    """Apply what the administrator saw on the page (the stored national records), then compare again."""
    catalogue_services.require_manager(user)
    mapping = load_mapping()
    records = comparison.records
    chosen = [records[c] for c in codes if c in records] if codes else list(records.values())
    outcome = apply_records(chosen, user=user, publish=publish, source=comparison.source, mapping=mapping)
    if codes:
        outcome.errors += [{"code": c, "message": _("This procedure is not among the differences found.")}
                           for c in codes if c not in records]
    refresh(comparison, mapping)
    return outcome
