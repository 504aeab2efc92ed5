"""Every write on dossiers. Each service checks permission, runs in one transaction (a refused action
changes nothing), appends the event and enqueues the notification on commit."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability
from motcua.catalogue import eform
from motcua.catalogue import selectors as catalogue
from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.core.text import ascii_digits_only, fold_vi, nfc

from . import codes, deadlines, events, files, lifecycle, selectors
from .choices import ApplicantField, ApplicantKind, Channel, EventKind, Outcome, Status, SupplementProblem
from .models import Attachment, Dossier, DossierDocument, DossierEvent, HeldDocument
from .rules import rule_set_on, rules_at_receipt, switch
from .workflow import services as workflow
from .workflow.choices import ReturnMethod
from .workflow.models import Apology, Result

# re.ASCII: ``\d`` alone also matches Arabic-Indic, full-width and other scripts' digits; an ID number or a
# phone typed in them passed the check and never matched the tracking's last four digits nor a national
# register. Refused (not converted): the applicant sees what was stored, and no second spelling of a number
# exists to compare.
ID_NUMBER = re.compile(r"^\d{12}$", re.ASCII)
TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$", re.ASCII)
PHONE = re.compile(r"^\+?[\d .]{8,15}$", re.ASCII)


# --- input ------------------------------------------------------------------------------------------

@dataclass
class Applicant:
    kind: str = ApplicantKind.INDIVIDUAL
    name: str = ""
    id_number: str = ""
    tax_code: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class DocumentInput:
    order: int
    provided: bool = True
    scanned_at_desk: bool = False
    reused_digitised: bool = False
    note: str = ""
    # The number of a paper the applicant holds (``wallet``) that stands in for this document: it is taken from
    # their documents instead of a new copy (Decree 118/2025 Art. 4(2a)).
    reuse_of: str = ""


@dataclass
class MissingItem:
    """One item of a supplement request: a document of the dossier's list (``order``, its name then comes from
    the list) or a free item (``document``), with what is wrong with it (``kind``) and why (``reason``)."""

    document: str
    reason: str
    order: int | None = None
    kind: str = ""


@dataclass
class Intake:
    procedure: str
    applicant: Applicant
    representative: dict[str, str] = field(default_factory=dict)
    subject: str = ""
    sets: int = 1
    documents: list[DocumentInput] = field(default_factory=list)
    time_variant: str = ""
    receiving_unit: str = ""
    channel: str = Channel.DESK
    outcome: str = Outcome.RECEIVE
    reason: str = ""
    missing: list[MissingItem] = field(default_factory=list)
    # The time the applicant has to supplement, where sector law sets one (``supplement_deadline``).
    respond_working_days: int | None = None
    # How the applicant asks to receive the result (Decree 61/2018 Art. 20; ``workflow.choices.ReturnMethod``)
    # and, for the public postal service, where to (required then, dropped for the other methods).
    result_method: str = ""
    result_address: str = ""
    # The values of the application's e-form, when the procedure version declares one (``catalogue.eform``).
    form_data: dict[str, Any] | None = None


def _invalid(message: str, field_name: str) -> DomainError:
    return DomainError(message, code="invalid_input", details={"fields": [{"field": field_name, "message": message}]})


def clean_applicant(applicant: Applicant) -> Applicant:
    a = Applicant(**{k: nfc(str(v or "")) for k, v in applicant.__dict__.items()})
    if a.kind not in ApplicantKind.values:
        raise _invalid(_("Choose an individual or an organisation."), "applicant.kind")
    if not a.name:
        raise _invalid(_("Enter the applicant's name."), "applicant.name")
    for name in ("id_number", "tax_code", "phone"):
        if not ascii_digits_only(getattr(a, name)):
            raise _invalid(_("Type the numbers with the digits 0 to 9."), f"applicant.{name}")
    if a.kind == ApplicantKind.INDIVIDUAL and not ID_NUMBER.match(a.id_number):
        raise _invalid(_("The personal ID number has 12 digits."), "applicant.id_number")
    if a.id_number and not ID_NUMBER.match(a.id_number):
        raise _invalid(_("The personal ID number has 12 digits."), "applicant.id_number")
    if a.kind == ApplicantKind.ORGANISATION and not TAX_CODE.match(a.tax_code):
        raise _invalid(_("The tax code has 10 digits, or 10 digits, a hyphen and 3 digits."), "applicant.tax_code")
    if a.phone and not PHONE.match(a.phone):
        raise _invalid(_("Enter a valid phone number."), "applicant.phone")
    if a.email and ("@" not in a.email or len(a.email) > 254):
        raise _invalid(_("Enter a valid email address."), "applicant.email")
    return a


# --- helpers ----------------------------------------------------------------------------------------

def _now() -> dt.datetime:
    return timezone.now()


def _require(user: User, capability: Capability, unit: OrgUnit) -> None:
    if not has_capability(user, capability, unit):
        raise PermissionDenied(_("You may not do this for this dossier."), code="forbidden")


def _is_owner(user: User, dossier: Dossier) -> bool:
    return dossier.owner_id is not None and dossier.owner_id == user.pk


def _lock(dossier: Dossier) -> Dossier:
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins that select_related adds.
    return (Dossier.objects.select_for_update(of=("self",)).select_related("receiving_unit", "processing_unit")
            .get(pk=dossier.pk))


def set_status(dossier: Dossier, after: int, actor: User, *, reason: str = "", data: dict[str, Any] | None = None,
                extra_fields: tuple[str, ...] = (), at: dt.datetime | None = None) -> None:
    before = dossier.status
    lifecycle.check_transition(before, after)
    dossier.status = after
    dossier.save(update_fields=["status", *extra_fields])
    events.append(dossier, EventKind.STATUS_CHANGED, actor, status_before=before, status_after=after,
                  reason=reason, data=data, at=at)


def _agency_code(unit: OrgUnit) -> str:
    agency = unit.agency() or unit
    return agency.code


def _version_for(procedure_code: str, day: dt.date) -> tuple[Procedure, ProcedureVersion, dict[str, Any]]:
    """The procedure, its published version in force on ``day`` and a copy of that version's snapshot."""
    found = catalogue.receipt_version(procedure_code, day)
    if found is None:
        raise NotFound(_("There is no procedure with the code %(code)s.") % {"code": procedure_code},
                       code="procedure_not_found")
    if found.version is None or found.snapshot is None:
        raise DomainError(_("Procedure %(code)s has no published version in force on %(day)s.")
                          % {"code": procedure_code, "day": day.strftime("%d/%m/%Y")}, code="version_not_found")
    return found.procedure, found.version, found.snapshot


def _receiving_unit_for_staff(user: User, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first() if code else user.unit
    if unit is None or not has_capability(user, Capability.RECEIVE_DOSSIERS, unit):
        raise PermissionDenied(_("You may not receive dossiers for this unit."), code="forbidden")
    return unit


def _receiving_unit_online(procedure: Procedure, code: str) -> OrgUnit:
    # Unless the applicant chooses, the desk of the agency that handles the procedure: the one that can act
    # on the dossier (``catalogue.receiving_units``), not the service centre that happens to come first.
    units = catalogue.receiving_units(procedure)
    if code:
        chosen = next((u for u in units if u.code == code), None) or (
            procedure.agency if procedure.agency and procedure.agency.code == code else None)
        if chosen is None:
            raise _invalid(_("This unit does not receive dossiers for this procedure."), "receiving_unit")
        return chosen
    unit = units[0] if units else procedure.agency
    if unit is None:
        raise DomainError(_("This procedure names no unit that receives dossiers."), code="no_receiving_unit")
    return unit


def _form_data(data: Intake, snapshot: dict[str, Any], status: int) -> dict[str, Any]:
    """The e-form's values checked against the form the version declares (Decree 118/2025 Art. 15); a version
    without a form takes none (its request stays the free-text ``subject``). A dossier the desk sends back for
    completion or refuses at intake may leave required fields empty: it is not received as complete."""
    declaration = eform.declared(snapshot)
    if not declaration:
        if data.form_data:
            raise _invalid(_("This procedure has no application e-form: describe the request in words."),
                           "form_data")
        return {}
    return eform.clean_values(declaration, data.form_data, complete=status in (Status.NEW, Status.RECEIVED))


def search_text(*parts: str | None) -> str:
    """The folded text the staff search reads (code, reference, applicant's name, ID number, tax code); the
    generator (``stats.generate``) fills it the same way."""
    return fold_vi(" ".join(filter(None, parts)))[:600]


def _search_text(dossier: Dossier) -> str:
    return search_text(dossier.code, dossier.reference, dossier.applicant_name, dossier.applicant_id_number,
                       dossier.applicant_tax_code)


def _documents_from_snapshot(dossier: Dossier, inputs: list[DocumentInput]) -> list[DossierDocument]:
    given = {d.order: d for d in inputs}
    known = dossier.snapshot["version"]["documents"]
    unknown = set(given) - set(range(1, len(known) + 1))
    if unknown:
        raise _invalid(_("The procedure has no document number %(order)s.") % {"order": min(unknown)}, "documents")
    rows = []
    for order, doc in enumerate(known, start=1):
        item = given.get(order)
        held = _held_for(dossier, doc, item.reuse_of) if item and item.reuse_of else None
        rows.append(DossierDocument(
            dossier=dossier, order=order, name=doc["name"], required=not doc.get("condition"),
            copies=doc.get("copies"), copy_kind=doc.get("copy_kind") or "",
            template_name=doc.get("template_name") or "",
            provided=bool(item and item.provided) or held is not None,
            scanned_at_desk=bool(item and item.scanned_at_desk),
            reused_digitised=bool(item and item.reused_digitised) or held is not None,
            note=nfc(item.note) if item else "",
            reused_from=held, source_code=held.number if held else "",
        ))
    return rows


def _held_for(dossier: Dossier, doc: dict[str, Any], number: str) -> HeldDocument:
    """The applicant's paper of number ``number`` that stands in for ``doc``: theirs (by the ID number or tax
    code the dossier is filed under, or their account), not withdrawn, of the kind the document asks for."""
    from .wallet import selectors as wallet

    holder = dossier.applicant_id_number or dossier.applicant_tax_code
    found = wallet.held_by(holder, dossier.owner).filter(number__iexact=nfc(number).strip()).first()
    if found is None:
        raise _invalid(_("The applicant holds no paper numbered %(number)s.") % {"number": number},
                       "documents.reuse_of")
    if doc.get("kind") and found.kind != doc["kind"]:
        raise _invalid(_("The paper %(number)s is not of the kind “%(name)s” asks for.")
                       % {"number": found.number, "name": doc["name"]}, "documents.reuse_of")
    return found


def _check_scans(documents: list[DocumentInput], names: dict[int, str], uploads: list[files.Upload],
                 attached: set[int] | frozenset[int] = frozenset()) -> None:
    """Refuse a document marked scanned at the desk ("đã số hóa") with no file for it.

    Digitising at the desk means keeping the electronic copy with the dossier (Decree 45/2020/NĐ-CP and
    Circular 01/2023/TT-VPCP on digitisation; domain note legal-timeline.md, article not pinned): the flag
    without a file would claim a copy that does not exist. The file comes with the same request or is already
    attached to the document.
    """
    with_file = {u.document_order for u in uploads if u.document_order is not None} | set(attached)
    for item in documents:
        if item.scanned_at_desk and item.order not in with_file:
            raise _invalid(_("“%(name)s” is marked scanned at the desk but has no file: upload the scan, or "
                             "untick it.") % {"name": names.get(item.order, str(item.order))},
                           f"documents.{item.order}.scanned_at_desk")


def _office_orders(snapshot: dict[str, Any]) -> set[int]:
    return {i for i, d in enumerate(snapshot["version"]["documents"], start=1) if d.get("template_name")}


def _attach(dossier: Dossier, uploads: list[files.Upload], stored: list[str], actor: User) -> None:
    if not uploads:
        return
    documents = {d.order: d for d in dossier.documents.all()}
    for upload, name in zip(uploads, stored, strict=True):
        document = documents.get(upload.document_order) if upload.document_order else None
        attachment = Attachment.objects.create(
            dossier=dossier, document=document, file=name, original_name=upload.safe_name,
            content_type=files.CONTENT_TYPES[upload.kind], size=upload.size, sha256=upload.sha256, uploaded_by=actor)
        if document is not None and not document.provided:
            DossierDocument.objects.filter(pk=document.pk).update(provided=True)
        events.append(dossier, EventKind.DOCUMENT_ADDED, actor, data={
            "attachment": attachment.pk, "document": upload.document_order, "name": upload.safe_name,
            "size": upload.size, "sha256": upload.sha256})


def _missing_items(dossier_docs: list[DossierDocument], given: list[MissingItem]) -> list[dict[str, Any]]:
    """Everything missing, at once (*một lần đầy đủ, chính xác*, Decree 61/2018 Art. 17; Decree 118/2025
    Art. 17(2)(a) as amended by Decree 309/2026): the required documents not provided are added to what the
    officer lists. An item of the dossier's list is named by its order and keeps it, so that the applicant
    is asked to upload exactly that document; its reason starts with what is wrong (missing, wrong, not
    valid), so that every notice and form 02 that print ``reason`` say it."""
    by_order = {d.order: d for d in dossier_docs}
    items: list[dict[str, Any]] = []
    listed: set[str] = set()
    for m in given:
        kind = str(m.kind or "")
        if kind and kind not in SupplementProblem.values:
            raise _invalid(_("Say what is wrong with the document: missing, wrong or not valid."), "missing")
        if m.order is not None:
            doc = by_order.get(m.order)
            if doc is None:
                raise _invalid(_("Document %(order)s is not in this dossier's list.") % {"order": m.order},
                               "missing")
            name = doc.name
        else:
            name = nfc(m.document)
        if not name:
            raise _invalid(_("Name each item to supplement, or give the order of a document of the dossier's list."),
                           "missing")
        if fold_vi(name) in listed:
            continue
        text = nfc(m.reason)
        label = str(SupplementProblem(kind).label) if kind else ""
        reason = f"{label} — {text}" if label and text else (label or text)
        if not reason:
            raise _invalid(_("Give the reason to supplement %(document)s.") % {"document": name}, "missing")
        listed.add(fold_vi(name))
        items.append({"document": name, "reason": reason, "order": m.order, "kind": kind, "detail": text})
    for doc in dossier_docs:
        if doc.required and not doc.provided and fold_vi(doc.name) not in listed:
            items.append({"document": doc.name, "reason": _("Not submitted"), "order": doc.order,
                          "kind": SupplementProblem.MISSING.value, "detail": ""})
    if not items:
        raise _invalid(_("List what must be supplemented."), "missing")
    return items


MAX_RESPOND_DAYS = 30


def supplement_deadline(at: dt.datetime, days: int | None, agency_code: str | None) -> str:
    """The end of the time the applicant has to supplement, as an ISO instant, or "" where no rule gives one.
    General law sets none at intake (Decree 61/2018 Art. 17; Decree 118/2025 Art. 17); sector law may: for a
    construction permit the applicant has 2 working days, 1 for an extension or re-issue (Decree 217/2026
    Art. 54). Whole working days after the day of the request, to the end of the last one (Civil Code Arts.
    147-148), on the processing agency's calendar."""
    if days is None:
        return ""
    if not 1 <= int(days) <= MAX_RESPOND_DAYS:
        raise _invalid(_("The time to supplement must be between 1 and %(n)s working days.")
                       % {"n": MAX_RESPOND_DAYS}, "respond_working_days")
    return deadlines.whole_working_days_end(at, int(days), agency_code).isoformat()


def _start_receipt(dossier: Dossier, received_at: dt.datetime, clock_from: dt.datetime, variant: str) -> None:
    """Code, promised date and transfer deadline at receipt (Decree 118/2025 Art. 17(3) as amended by Decree
    309/2026: the processing time starts at receipt of the complete dossier; one code per dossier).
    ``dossier.rules`` already holds the rules in force on the receipt day (``_keep_rules``).

    Where the procedure version's time counts from a later event (a CCHN's notice of the evaluation result,
    Decree 212/2026 Arts. 30-31), the clock waits for it: no start, no promised date, until an officer records
    the event (``start_clock``)."""
    rules = dossier.rules
    agency = _agency_code(dossier.receiving_unit)
    # The receiving agency's register numbers through the year, whoever resolves the dossier.
    dossier.register_number = codes.next_register_number(agency, timezone.localdate(received_at).year)
    if rules.get("central"):  # Circular 04/2025: the code names the agency that resolves the dossier
        agency = _agency_code(dossier.processing_unit)
    dossier.code = codes.issue_code(rules, agency, timezone.localdate(received_at))
    dossier.received_at = received_at
    calendar_code = _agency_code(dossier.processing_unit)
    limit = deadlines.legal_time(dossier.snapshot, variant)
    event = deadlines.clock_event(dossier.snapshot)
    if event == deadlines.RECEIPT and received_elsewhere(dossier):
        event = deadlines.ARRIVAL
    if event != deadlines.RECEIPT:
        dossier.clock_start_at, dossier.due_at = None, None
        dossier.clock = {"waits_for": event, "variant": variant}
        if limit is not None:
            dossier.clock.update(amount=str(limit[0]), unit=limit[1], policy=limit[2])
    else:
        dossier.clock_start_at = deadlines.effective_start(clock_from, calendar_code)
        if limit is not None:
            dossier.clock, dossier.due_at = deadlines.start(clock_from, limit, calendar_code)
            dossier.clock["variant"] = variant
    dossier.transfer_due_at = deadlines.transfer_due(received_at, calendar_code, rules.get("transfer_cutoff", "15:00"))
    dossier.search_folded = _search_text(dossier)


def received_elsewhere(dossier: Dossier) -> bool:
    """Whether the dossier of a procedure on the list received regardless of administrative boundary (Decree
    118/2025 Art. 14(4) as added by Decree 309/2026 Art. 7) was received at a centre that is not one of the
    procedure's own desks nor a unit of the competent agency: its time then counts from the competent agency's
    receipt (Art. 17(3) as amended), and both instants are kept."""
    procedure = dossier.snapshot.get("procedure") or {}
    if not procedure.get("receipt_anywhere"):
        return False
    unit = dossier.receiving_unit
    own = {u.get("code") for u in procedure.get("receiving_units") or [] if isinstance(u, dict)}
    agency = dossier.processing_unit.agency() or dossier.processing_unit
    return unit.code not in own and not (agency.path and unit.path.startswith(agency.path))


def _keep_rules(dossier: Dossier, received_at: dt.datetime) -> None:
    """The dossier keeps the rule set in force on the day its complete dossier is received, with its
    procedure version's exceptions, for good (legal-timeline.md §1): the copy made at submission (forms
    of an intake supplement request or refusal) is replaced by the one of the receipt day."""
    dossier.rules = rules_at_receipt(timezone.localdate(received_at), dossier.snapshot)


def _keep_version(dossier: Dossier, received_at: dt.datetime) -> int | None:
    """The procedure version in force on the day the complete dossier is received, not the one of a first,
    incomplete submission (legal-timeline.md §1: a dossier keeps the rules of its receipt date, the date on
    the receipt): an online dossier submitted on 30/06/2026, returned for completion and accepted on
    02/07/2026 is a construction-permit dossier of Decree 217/2026 Art. 54 (10 working days), not of the
    Construction Law 2014 (20 days). Its time limit, steps, switches and clock follow the new version; the
    documents stay as they were handed in and checked. Returns the id of the version it replaced, if any."""
    _procedure, version, snapshot = _version_for(dossier.procedure.code, timezone.localdate(received_at))
    if version.pk == dossier.procedure_version_id:
        return None  # a published version is frozen: its snapshot is still the one kept
    before = dossier.procedure_version_id
    dossier.procedure_version = version
    dossier.snapshot = snapshot
    return before


def _clock_data(dossier: Dossier) -> dict[str, Any]:
    return {"code": dossier.code, "register_number": dossier.register_number, "received_at": dossier.received_at,
            "clock_start_at": dossier.clock_start_at, "due_at": dossier.due_at,
            "transfer_due_at": dossier.transfer_due_at}


# --- intake -----------------------------------------------------------------------------------------

def _result_address(data: Intake) -> str:
    """The postal address the result is sent to: required when the applicant asks for the result by public
    postal service (Decree 61/2018 Art. 20), not kept for the other methods (personal data only as needed)."""
    if data.result_method and data.result_method not in ReturnMethod.values:
        raise _invalid(_("Choose how the result is returned."), "result_method")
    if data.result_method != ReturnMethod.POST:
        return ""
    address = nfc(str(data.result_address or ""))
    if not address:
        raise _invalid(_("Enter the postal address the result is to be sent to."), "result_address")
    if len(address) > 500:
        raise _invalid(_("The postal address may have at most 500 characters."), "result_address")
    return address


def _new_dossier(data: Intake, procedure: Procedure, version: ProcedureVersion, snapshot: dict[str, Any],
                 receiving: OrgUnit, *, channel: str, status: int, owner: User | None, now: dt.datetime) -> Dossier:
    applicant = clean_applicant(data.applicant)
    if data.sets < 1 or data.sets > 50:
        raise _invalid(_("The number of sets must be between 1 and 50."), "sets")
    result_address = _result_address(data)
    form_data = _form_data(data, snapshot, status)
    processing = procedure.agency or receiving.agency() or receiving
    dossier = Dossier(
        reference=secrets.token_hex(8).upper(), procedure=procedure, procedure_version=version,
        snapshot=snapshot, rules=rule_set_on(timezone.localdate(now)), receiving_unit=receiving,
        processing_unit=processing, channel=channel, status=status, owner=owner, applicant_kind=applicant.kind,
        applicant_name=applicant.name, applicant_id_number=applicant.id_number, applicant_tax_code=applicant.tax_code,
        applicant_address=applicant.address, applicant_phone=applicant.phone, applicant_email=applicant.email,
        representative={k: nfc(str(v)) for k, v in (data.representative or {}).items() if v},
        subject=nfc(data.subject) or procedure.name[:1000], sets=data.sets, submitted_at=now,
        fees_due_vnd=sum(f.get("amount_vnd") or 0 for f in snapshot["version"]["fees"]),
        result_method=data.result_method, result_address=result_address, form_data=form_data,
        form_search=eform.index_text(eform.declared(snapshot), form_data)[:1000],
    )
    dossier.search_folded = _search_text(dossier)
    return dossier


def _create(actor: User, data: Intake, uploads: list[files.Upload], *, receiving: OrgUnit | None, owner: User | None,
            channel: str, status: int, now: dt.datetime, identity_level: str = "") -> Dossier:
    procedure, version, snapshot = _version_for(data.procedure, timezone.localdate(now))
    if receiving is None:
        receiving = _receiving_unit_online(procedure, data.receiving_unit)
    dossier = _new_dossier(data, procedure, version, snapshot, receiving, channel=channel, status=status,
                           owner=owner, now=now)
    dossier.identity_level = identity_level
    # Check everything before writing anything; then write the files durably; then the rows.
    doc_rows = _documents_from_snapshot(dossier, data.documents)
    _check_scans(data.documents, {row.order: row.name for row in doc_rows}, uploads)
    files.check(uploads, office_allowed=_office_orders(dossier.snapshot))
    for upload in uploads:
        if upload.document_order is not None and not 1 <= upload.document_order <= len(doc_rows):
            raise _invalid(_("The procedure has no document number %(order)s.") % {"order": upload.document_order},
                           "files")
    folder = files.new_folder(dossier.reference)
    stored: list[str] = []
    try:
        for upload in uploads:
            stored.append(files.store(upload, folder))
        # The receipt asks the agency's calendar for the clock's start, the promised date and the transfer
        # deadline: look it up once.
        with deadlines.calendars_fixed(), transaction.atomic():
            _write_intake(actor, dossier, doc_rows, data, uploads, stored, now)
    except BaseException:
        files.discard(stored)
        raise
    return dossier


def _write_intake(actor: User, dossier: Dossier, doc_rows: list[DossierDocument], data: Intake,
                  uploads: list[files.Upload], stored: list[str], now: dt.datetime) -> None:
    outcome_status = dossier.status
    if outcome_status == Status.RECEIVED:
        _keep_rules(dossier, now)
        _start_receipt(dossier, now, now, data.time_variant)
    missing: list[dict[str, Any]] = []
    respond_by = ""
    if outcome_status == Status.SUPPLEMENT_REQUESTED:
        for row in doc_rows:  # files count as provided
            row.provided = row.provided or any(u.document_order == row.order for u in uploads)
        missing = _missing_items(doc_rows, data.missing)
        respond_by = supplement_deadline(now, data.respond_working_days, _agency_code(dossier.processing_unit))
        dossier.intake_supplements = 1
    if outcome_status == Status.NOT_RECEIVED:
        if not nfc(data.reason):
            raise _invalid(_("Give the reason for refusing the dossier."), "reason")
        dossier.refused_at = now
    dossier.save(force_insert=True)
    DossierDocument.objects.bulk_create(doc_rows)
    events.append(dossier, EventKind.CREATED, actor, status_after=outcome_status, at=now,
                  reason=nfc(data.reason), data={
                      "channel": dossier.channel, "procedure": dossier.procedure.code,
                      "version": dossier.procedure_version_id, "rule_set": dossier.rules.get("key"),
                      "receiving_unit": dossier.receiving_unit.code, "missing": missing,
                      **({"respond_by": respond_by} if respond_by else {}),
                      **(_clock_data(dossier) if dossier.code else {}),
                      # The applicant's fields bound to the history: ``audit`` detects a later change of the row.
                      "applicant_mac": events.applicant_mac(dossier)})
    _attach(dossier, uploads, stored, actor)


def receive_at_desk(user: User, data: Intake, uploads: list[files.Upload] | None = None, *,
                    at: dt.datetime | None = None) -> Dossier:
    """A desk officer checks a paper (or postal) dossier against the procedure version and receives it,
    asks once for everything missing (form 02) or refuses it with a reason (form 03) (Decree 61/2018
    Art. 17; Decree 118/2025 Art. 17(1))."""
    receiving = _receiving_unit_for_staff(user, data.receiving_unit)
    status = {Outcome.RECEIVE.value: Status.RECEIVED, Outcome.SUPPLEMENT.value: Status.SUPPLEMENT_REQUESTED,
              Outcome.REFUSE.value: Status.NOT_RECEIVED}.get(str(data.outcome))
    if status is None:
        raise _invalid(_("Choose receive, supplement or refuse."), "outcome")
    channel = data.channel if data.channel in (Channel.DESK, Channel.POST) else Channel.DESK
    return _create(user, data, uploads or [], receiving=receiving, owner=None, channel=channel, status=status,
                   now=at or _now())


def submit_online(user: User, data: Intake, uploads: list[files.Upload] | None = None, *,
                  at: dt.datetime | None = None) -> Dossier:
    """A citizen files online: status 1, to be checked by the desk within the working day."""
    if not has_capability(user, Capability.SUBMIT_DOSSIERS):
        raise PermissionDenied(_("Only a citizen account may submit a dossier online."), code="forbidden")
    now = at or _now()
    dossier = _create(user, data, uploads or [], receiving=None, owner=user, channel=Channel.ONLINE,
                      status=Status.NEW, now=now, identity_level=user.identity_level)
    return dossier


def _online_clock_from(dossier: Dossier, now: dt.datetime) -> dt.datetime:
    """An online dossier counts from its (last complete) submission, or from the acceptance where the
    dossier's rule set reads the rules that way (``online_clock_from``: "submission" or "acceptance");
    a submission outside working hours counts from the next working period (domain note §4)."""
    if switch(dossier.rules, "online_clock_from") == "acceptance":
        return now
    complete = dossier.clock.get("complete_at") if dossier.clock else None
    return dt.datetime.fromisoformat(complete) if complete else dossier.submitted_at


def accept(user: User, dossier: Dossier, *, time_variant: str = "", at: dt.datetime | None = None) -> Dossier:
    """The desk accepts a checked online dossier (1 → 2): code, promised date, transfer deadline."""
    _require(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)
    with transaction.atomic():
        dossier = _lock(dossier)
        lifecycle.check_action("accept", dossier.status)
        now = at or _now()
        replaced = _keep_version(dossier, now)
        _keep_rules(dossier, now)
        clock_from = _online_clock_from(dossier, now) if dossier.channel == Channel.ONLINE else now
        variant = time_variant or (dossier.clock or {}).get("variant", "")
        if replaced and variant and variant not in {
                v["label"] for v in dossier.snapshot["version"].get("time_variants") or []}:
            variant = ""  # the case named at submission does not exist in the version of the receipt day
        _start_receipt(dossier, now, clock_from, variant)
        dossier.save(update_fields=["procedure_version", "snapshot", "rules", "code", "register_number",
                                    "received_at", "clock_start_at", "clock", "due_at", "transfer_due_at",
                                    "search_folded"])
        data = _clock_data(dossier)
        if replaced:
            data.update(version=dossier.procedure_version_id, version_at_submission=replaced)
        events.append(dossier, EventKind.CODE_ASSIGNED, user, data=data, at=now)
        set_status(dossier, Status.RECEIVED, user, at=now)
    return dossier


def refuse_intake(user: User, dossier: Dossier, reason: str) -> Dossier:
    """Refusal at intake with the reason (form 03, *Phiếu từ chối tiếp nhận giải quyết hồ sơ*)."""
    _require(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)
    reason = nfc(reason or "")
    if not reason:
        raise _invalid(_("Give the reason for refusing the dossier."), "reason")
    with transaction.atomic():
        dossier = _lock(dossier)
        lifecycle.check_action("refuse", dossier.status)
        dossier.refused_at = _now()
        set_status(dossier, Status.NOT_RECEIVED, user, reason=reason, extra_fields=("refused_at",),
                   at=dossier.refused_at)
    return dossier


def check_missing(dossier: Dossier, missing: list[MissingItem]) -> None:
    """Refuse a list the request itself would refuse (an item without its reason, nothing to supplement): run
    when a supplement request during processing is drafted, so that the signature cannot fail on it."""
    _missing_items(list(dossier.documents.all()), missing)


def request_supplement(user: User, dossier: Dossier, missing: list[MissingItem], reason: str = "", *,
                       at: dt.datetime | None = None, signed: dict[str, Any] | None = None,
                       respond_working_days: int | None = None) -> Dossier:
    """Ask once for everything missing (form 02). At intake the desk may ask only once (Decree 118/2025,
    staff duties of Arts. 11-12); during appraisal the processing unit may ask once, within 3 working days
    of receipt (Decree 61/2018 Art. 19(4)), and the clock stops until the complete dossier arrives; it then
    restarts or resumes as the procedure version's supplement rule says (``workflow.services``).

    During processing the request is sent by the leader's signature on the draft the officer wrote and the head
    approved (``workflow.services.sign_supplement``, which checked the signer and passes the chain as
    ``signed``); the action ``request-supplement`` only drafts it."""
    with transaction.atomic():
        dossier = _lock(dossier)
        lifecycle.check_action("request-supplement", dossier.status)
        processing = dossier.status == Status.IN_PROGRESS
        if processing:
            if signed is None:
                workflow.check_processing_supplement(user, dossier, None)
        else:
            _require(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)
        count = dossier.processing_supplements if processing else dossier.intake_supplements
        if count >= 1:
            raise DomainError(_("A supplement has already been requested once: it may not be requested again."),
                              code="supplement_already_requested", status=409)
        if processing:
            workflow.check_processing_supplement(user, dossier, at or _now())
        items = _missing_items(list(dossier.documents.all()), missing)
        now = at or _now()
        respond_by = supplement_deadline(now, respond_working_days, _agency_code(dossier.processing_unit))
        fields: tuple[str, ...]
        if processing:
            dossier.processing_supplements += 1
            before = dossier.due_at
            fields = ("processing_supplements", "clock", "due_at")
            # A clock still waiting for its later event (a CCHN's evaluation result) has nothing to pause.
            if not deadlines.waits_for(dossier):
                dossier.clock = {**deadlines.pause(dossier.clock, now, _agency_code(dossier.processing_unit)),
                                 "variant": dossier.clock.get("variant", "")} if dossier.clock else {}
                dossier.due_at = None if dossier.clock else dossier.due_at
                events.append(dossier, EventKind.CLOCK, user, reason="paused", data={"due_before": before}, at=now)
        else:
            dossier.intake_supplements += 1
            fields = ("intake_supplements",)
        set_status(dossier, Status.SUPPLEMENT_REQUESTED, user, reason=nfc(reason),
                    data={"missing": items, "phase": "processing" if processing else "intake",
                          **({"signed_off": signed} if signed else {}),
                          **({"respond_by": respond_by} if respond_by else {})}, extra_fields=fields,
                    at=now)
    return dossier


def _may_act_for_applicant(user: User, dossier: Dossier) -> bool:
    return _is_owner(user, dossier) or has_capability(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)


def submit_supplement(user: User, dossier: Dossier, documents: list[DocumentInput] | None = None,
                      uploads: list[files.Upload] | None = None, note: str = "", *,
                      at: dt.datetime | None = None) -> Dossier:
    """The supplement arrives: back to checking (5 → 1) at intake, or back to processing (5 → 4) with the
    full legal time counted again (Decree 61/2018 Art. 19(4))."""
    if not _may_act_for_applicant(user, dossier):
        raise PermissionDenied(_("You may not do this for this dossier."), code="forbidden")
    uploads = uploads or []
    already = sum(Attachment.objects.filter(dossier=dossier).values_list("size", flat=True))
    # The documents as handed in (their rows), which the snapshot of the version of the receipt day may list
    # otherwise (``_keep_version``).
    office = set(dossier.documents.exclude(template_name="").values_list("order", flat=True))
    _check_scans(documents or [], dict(dossier.documents.values_list("order", "name")), uploads,
                 set(Attachment.objects.filter(dossier=dossier, document__isnull=False)
                     .values_list("document__order", flat=True)))
    files.check(uploads, office_allowed=office, already=already)
    stored: list[str] = []
    try:
        folder = files.new_folder(dossier.reference)
        for upload in uploads:
            stored.append(files.store(upload, folder))
        with transaction.atomic():
            dossier = _lock(dossier)
            lifecycle.check_action("submit-supplement", dossier.status)
            _write_supplement(user, dossier, documents or [], uploads, stored, note, at or _now())
    except BaseException:
        files.discard(stored)
        raise
    return dossier


def _write_supplement(user: User, dossier: Dossier, documents: list[DocumentInput], uploads: list[files.Upload],
                      stored: list[str], note: str, now: dt.datetime) -> None:
    for item in documents:
        DossierDocument.objects.filter(dossier=dossier, order=item.order).update(
            provided=item.provided, scanned_at_desk=item.scanned_at_desk, reused_digitised=item.reused_digitised)
    _attach(dossier, uploads, stored, user)
    if dossier.received_at is None:
        dossier.clock = {**(dossier.clock or {}), "complete_at": now.isoformat()}
        set_status(dossier, Status.NEW, user, reason=nfc(note), extra_fields=("clock",), at=now)
        return
    before = dossier.due_at
    if dossier.clock.get("start"):
        rule = workflow.supplement_rule(dossier)
        clock_op = deadlines.resume if rule == "pause" else deadlines.restart
        state, dossier.due_at = clock_op(dossier.clock, now, _agency_code(dossier.processing_unit))
        dossier.clock = {**state, "variant": dossier.clock.get("variant", "")}
        events.append(dossier, EventKind.CLOCK, user, reason="resumed" if rule == "pause" else "restarted",
                      data={"due_before": before, "due_at": dossier.due_at, "rule": rule}, at=now)
    set_status(dossier, Status.IN_PROGRESS, user, reason=nfc(note), extra_fields=("clock", "due_at"), at=now)
    if dossier.clock.get("start"):
        workflow.after_supplement(dossier, now)


def transfer(user: User, dossier: Dossier, *, at: dt.datetime | None = None) -> Dossier:
    """The desk hands the dossier to the processing unit (2 → 4), by the transfer deadline; the steps of
    the internal process start (``workflow.services.start_processing``)."""
    _require(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)
    with transaction.atomic():
        dossier = _lock(dossier)
        lifecycle.check_action("transfer", dossier.status)
        dossier.transferred_at = at or _now()
        late = dossier.transfer_due_at is not None and dossier.transferred_at > dossier.transfer_due_at
        if deadlines.waits_for(dossier) == deadlines.ARRIVAL:
            _start_at_arrival(user, dossier, dossier.transferred_at)
        set_status(dossier, Status.IN_PROGRESS, user, extra_fields=("transferred_at",), data={
            "from_unit": dossier.receiving_unit.code, "to_unit": dossier.processing_unit.code,
            "transfer_due_at": dossier.transfer_due_at, "late": late}, at=dossier.transferred_at)
        workflow.start_processing(user, dossier, at=dossier.transferred_at)
    return dossier


def _start_late_clock(dossier: Dossier, event: str, event_at: dt.datetime) -> None:
    """Start a clock that waited for a later event (``event`` at ``event_at``), on the processing agency's
    calendar as at a receipt; the promised date follows."""
    variant = dossier.clock.get("variant", "")
    limit = deadlines.legal_time(dossier.snapshot, variant)
    calendar_code = _agency_code(dossier.processing_unit)
    dossier.clock_start_at = deadlines.effective_start(event_at, calendar_code)
    if limit is not None:
        dossier.clock, dossier.due_at = deadlines.start(event_at, limit, calendar_code)
    else:
        dossier.clock = {}
    dossier.clock.update(variant=variant, start_event=event)
    dossier.save(update_fields=["clock_start_at", "clock", "due_at"])


def _start_at_arrival(user: User, dossier: Dossier, at: dt.datetime) -> None:
    """The competent agency receives a dossier received elsewhere (``received_elsewhere``): its time limit
    starts now, on the agency's calendar, and the applicant gets the promised date (Decree 118/2025 Art. 17(3)
    as amended by Decree 309/2026). The receipt keeps its own instant (``received_at``)."""
    _start_late_clock(dossier, deadlines.ARRIVAL, at)
    events.append(dossier, EventKind.CLOCK, user, reason="started", at=at, data={
        "event": deadlines.ARRIVAL, "event_at": at, "received_at": dossier.received_at,
        "clock_start_at": dossier.clock_start_at, "due_at": dossier.due_at})


def start_clock(user: User, dossier: Dossier, *, event_at: dt.datetime, reference: str = "", note: str = "",
                at: dt.datetime | None = None) -> Dossier:
    """An officer records the event from which the time limit counts, for a procedure version that names one
    later than the receipt (``ProcedureVersion.clock_start``): for a new practising certificate, the notice of
    the evaluation result (Decree 212/2026 Arts. 30-31: 6 working days from it). The legal clock starts at that
    instant, on the processing agency's calendar as at a receipt, and the dossier gets its promised date; the
    applicant is told through the event. Once only; never for a clock that counts from the receipt."""
    if not (has_capability(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)
            or selectors.processes(user, dossier)):
        raise PermissionDenied(_("You may not do this for this dossier."), code="forbidden")
    now = at or _now()
    reference, note = nfc(reference or ""), nfc(note or "")
    if len(reference) > 100:
        raise _invalid(_("The number of the notice may have at most 100 characters."), "reference")
    if event_at.tzinfo is None:
        raise _invalid(_("Give the date and time with its time zone."), "event_at")
    if event_at > now:
        raise _invalid(_("The event cannot be in the future."), "event_at")
    with transaction.atomic():
        dossier = _lock(dossier)
        lifecycle.check_action("start-clock", dossier.status)
        event = deadlines.waits_for(dossier)
        if not event or event == deadlines.ARRIVAL:
            raise DomainError(_("The time limit of this dossier does not wait for a later event: it counts from "
                                "the receipt, or has already started."), code="clock_not_waiting", status=409)
        assert dossier.received_at is not None
        if event_at < dossier.received_at:
            raise _invalid(_("The event cannot be earlier than the receipt of the dossier."), "event_at")
        _start_late_clock(dossier, event, event_at)
        events.append(dossier, EventKind.CLOCK, user, reason="started", at=now, data={
            "event": event, "event_at": event_at, "reference": reference, "note": note,
            "clock_start_at": dossier.clock_start_at, "due_at": dossier.due_at})
        workflow.after_clock_started(dossier, now)
    return dossier


def request_withdrawal(user: User, dossier: Dossier, reason: str = "", *, at: dt.datetime | None = None) -> Dossier:
    """The applicant asks to stop (Decree 118/2025 Art. 21(1)-(2)): online by the owner, or recorded by the
    desk when made in person or by post."""
    if not _may_act_for_applicant(user, dossier):
        raise PermissionDenied(_("You may not do this for this dossier."), code="forbidden")
    with transaction.atomic():
        dossier = _lock(dossier)
        lifecycle.check_action("request-withdrawal", dossier.status)
        set_status(dossier, Status.WITHDRAWAL_REQUESTED, user, reason=nfc(reason or ""), at=at)
    return dossier


def stop(user: User, dossier: Dossier, reason: str = "", *, at: dt.datetime | None = None) -> Dossier:
    """The desk that received the dossier checks that no decision was issued and issues the stop notice
    (Circular 03/2025 Art. 7(1)); 7 → 8."""
    _require(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)
    with transaction.atomic():
        dossier = _lock(dossier)
        lifecycle.check_action("stop", dossier.status)
        dossier.stopped_at = at or _now()
        dossier.processing_ended_at = dossier.stopped_at
        set_status(dossier, Status.STOPPED, user, reason=nfc(reason or ""),
                    extra_fields=("stopped_at", "processing_ended_at"), at=dossier.stopped_at)
        workflow.close_steps(dossier, user, dossier.stopped_at, "stopped")
    return dossier


def record_personal_data_view(user: User, dossier: Dossier, where: str, what: str = "personal", *,
                              masked: bool = False, attachment: Attachment | None = None) -> None:
    """Every read of a dossier by staff is logged (DESIGN.md, Privacy: personal data is shown to those who need
    it, masked elsewhere, and every read is logged): ``what`` says what was read ("personal": the unmasked data
    on the page or through the API; "form:<role>": a paper; "register": a row of an exported register;
    "page": the dossier page; "file": one of its files, named in ``file``), ``masked`` whether the reader got
    it masked. The citizen sees these in "Ai đã xem hồ sơ của tôi" (``portal.selectors.access_log``)."""
    data: dict[str, Any] = {"where": where, "what": what, "masked": masked}
    if attachment is not None:
        data.update(what="file", file={"id": attachment.pk, "name": attachment.original_name})
    with transaction.atomic():
        locked = _lock(dossier)
        events.append(locked, EventKind.PERSONAL_DATA_VIEWED, user, data=data)
        dossier.event_count, dossier.last_event_hash = locked.event_count, locked.last_event_hash


LOG_CHUNK = 50


def rows_for_export(user: User, dossiers: list[Dossier], where: str) -> list[Dossier]:
    """The dossiers of an export (the register, form 06/07; its sheet of the periodic report) as ``user`` may
    read them: each row is personal data (address, phone), masked for a reader who may not see it, as on the
    page (``selectors.for_reader``); each dossier's appearance in it is logged, once a day per officer."""
    readable = selectors.for_reader(user, dossiers)
    masked = {whole.pk: shown is not whole for whole, shown in zip(dossiers, readable, strict=True)}
    wanted = [d.pk for d in dossiers if d.owner_id != user.pk]
    day_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)

    def logged(ids: list[int]) -> set[int]:
        found: set[int] = set()
        for chunk in range(0, len(ids), 500):  # SQLite allows only so many parameters in one query
            found.update(DossierEvent.objects.filter(
                dossier_id__in=ids[chunk:chunk + 500], kind=EventKind.PERSONAL_DATA_VIEWED, actor=user,
                at__gte=day_start, data__what="register").values_list("dossier_id", flat=True))
        return found

    already = logged(wanted)  # the common case (a second export the same day) takes no lock
    todo = [pk for pk in wanted if pk not in already]
    # A few transactions of LOG_CHUNK dossiers, not one for the whole register: on SQLite a transaction that
    # writes blocks every other writer, and a year's register (hundreds of rows, each an event) held the lock
    # long enough for a concurrent request to give up ("database is locked", bench/bench_exports.py). Rows are
    # locked in id order within a chunk, so two exports at once cannot deadlock; checked again under the locks,
    # as ``record_opening`` does.
    for chunk in range(0, len(todo), LOG_CHUNK):
        part = todo[chunk:chunk + LOG_CHUNK]
        with transaction.atomic():
            locked = list(Dossier.objects.select_for_update(of=("self",)).filter(pk__in=part).order_by("pk")
                          .only("pk", "event_count", "last_event_hash"))
            again = logged(part)
            locked = [d for d in locked if d.pk not in again]
            events.append_many(locked, EventKind.PERSONAL_DATA_VIEWED, user,
                               [{"where": where, "what": "register", "masked": masked[d.pk]} for d in locked])
    return readable


def record_opening(user: User, dossier: Dossier, where: str, what: str = "page", *, masked: bool = True) -> bool:
    """A staff member opened the dossier (its page, or its row of an export): logged once per officer, dossier,
    kind of opening and day, so that the log says who looked at the dossier on which day without a line per
    reload. The applicant's own openings are not logged. True when a line was added."""
    if dossier.owner_id == user.pk:
        return False
    day_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    logged = DossierEvent.objects.filter(dossier_id=dossier.pk, kind=EventKind.PERSONAL_DATA_VIEWED, actor=user,
                                         at__gte=day_start, data__what=what)
    if logged.exists():  # the common case, without taking the dossier's lock
        return False
    with transaction.atomic():
        locked = _lock(dossier)
        if logged.exists():  # again under the lock: two tabs opened at once log one line
            return False
        events.append(locked, EventKind.PERSONAL_DATA_VIEWED, user,
                      data={"where": where, "what": what, "masked": masked})
        dossier.event_count, dossier.last_event_hash = locked.event_count, locked.last_event_hash
    return True


# --- correction of the applicant's details (Law 91/2025/QH15 Art. 4) -----------------------------------------

def correct_applicant(user: User, dossier: Dossier, field_name: str, value: str, reason: str) -> Dossier:
    """Correct one of the applicant's details on the dossier (a citizen's correction request accepted by the
    agency, ``portal.services.answer_correction``): checked as at intake (``clean_applicant``), written to the
    row and recorded by an ``applicant_corrected`` event that names the item (not its values: the log is
    append-only and kept with the dossier) and binds the corrected fields with a new ``applicant_mac``, so that
    ``audit verify`` checks the row against the last binding. Only those who may correct the dossier
    (``selectors.may_correct_applicant``); anyone else gets ``NotFound``, as for a dossier they cannot see."""
    if field_name not in ApplicantField.values:
        raise _invalid(_("Choose the item to correct."), "field")
    why = nfc(reason or "").strip()
    if not why:
        raise _invalid(_("Give the reason for the correction."), "reason")
    if not selectors.may_correct_applicant(user, dossier):
        raise selectors._not_found(dossier.public_id)
    with transaction.atomic():
        locked = _lock(dossier)
        current = Applicant(**{f: getattr(locked, f"applicant_{f}") for f in Applicant.__dataclass_fields__})
        setattr(current, field_name, value)
        cleaned = clean_applicant(current)
        new_value = getattr(cleaned, field_name)
        if new_value == (getattr(locked, f"applicant_{field_name}") or ""):
            raise _invalid(_("This is already the value held: nothing to correct."), "value")
        setattr(locked, f"applicant_{field_name}", new_value)
        locked.search_folded = _search_text(locked)
        locked.save(update_fields=[f"applicant_{field_name}", "search_folded"])
        events.append(locked, EventKind.APPLICANT_CORRECTED, user, reason=why[:2000], data={
            "field": field_name, "applicant_mac": events.applicant_mac(locked)})
    return locked


# --- digitising at the desk ---------------------------------------------------------------------------------

DIGITISE_STATUSES = frozenset({Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED,
                               Status.PAYMENT_REQUESTED})


def digitise(user: User, dossier: Dossier, order: int, uploads: list[files.Upload], *, checked: bool = False,
             at: dt.datetime | None = None) -> DossierDocument:
    """The desk scans a paper component of a received dossier (Decree 118/2025 Art. 17(1)(c); Circular 03/2025
    Art. 5: every original scanned, checked against the paper, then marked digitised): the scans are attached to
    the component, which is then marked scanned at the desk; with ``checked`` the officer confirms the scan
    matches the original (who and when are kept). A component without a file cannot be marked checked."""
    _require(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)
    if dossier.status not in DIGITISE_STATUSES:
        raise DomainError(_("Only a received dossier is digitised at the desk."), code="invalid_status", status=409)
    document = DossierDocument.objects.filter(dossier=dossier, order=order).first()
    if document is None:
        raise _invalid(_("The dossier has no document number %(order)s.") % {"order": order}, "order")
    for u in uploads:
        u.document_order = order
    already = sum(a.size for a in dossier.attachments.all())
    files.check(uploads, office_allowed=set(), already=already)
    stored = [files.store(u, files.new_folder(dossier.reference)) for u in uploads]
    try:
        with transaction.atomic():
            dossier = _lock(dossier)
            _attach(dossier, uploads, stored, user)
            has_file = Attachment.objects.filter(dossier=dossier, document=document).exists()
            if checked and not has_file:
                raise _invalid(_("Upload the scan before marking it checked."), "checked")
            fields = []
            if has_file and not document.scanned_at_desk:
                document.scanned_at_desk, document.provided = True, True
                fields += ["scanned_at_desk", "provided"]
            if checked and document.scan_checked_at is None:
                document.scan_checked_at, document.scan_checked_by = at or _now(), user
                fields += ["scan_checked_at", "scan_checked_by"]
            if fields:
                document.save(update_fields=fields)
    except BaseException:
        files.discard(stored)
        raise
    return document


# --- retention: the applicant's data removed once the period has passed -----------------------------------------

# The dossier's own fields that hold personal data: the applicant's, the representative's, the request and the
# e-form as filled in, who collected the result and where it was posted. Everything else (code, procedure, units,
# statuses, dates, fees, channel, identification level) stays: the statistics and the indices read only those.
ANONYMISED_BLANK = ("applicant_name", "applicant_id_number", "applicant_tax_code", "applicant_address",
                    "applicant_phone", "applicant_email", "subject", "form_search", "result_address",
                    "collector_name", "collector_id_number", "postal_tracking")


@dataclass
class Anonymised:
    dossier: Dossier
    files: list[str] = field(default_factory=list)
    changed: bool = True


def anonymise_dossier(actor: User, dossier: Dossier, *, destruction_list: int, dry_run: bool = False) -> Anonymised:
    """Remove the personal data of a closed dossier whose retention period has passed, on a destruction list the
    head of the agency approved (``retention.carry_out``; Law on Archives 33/2024/QH15: records past their period
    are destroyed only on the head's decision). Blanks the applicant's and the representative's details, the
    request, the e-form, the collector and the postal address; deletes the uploaded files, the results' files and
    the issued papers (from the store after the commit: ``files.discard``), except a result recorded among the
    papers issued to their holder (``HeldDocument``: another kind of record, reused by later procedures, whose
    period is not set here); unlinks the citizen's account. Keeps the code, procedure, units, statuses, dates,
    fees and the events, so that the statistics and the indices do not move. Appends an ``applicant_anonymised``
    event that binds the blanked fields with a new ``applicant_mac`` (``audit verify`` checks the row against it,
    as after a correction); the notices about the dossier lose their text through the event's handler
    (``portal``). Idempotent: an anonymised dossier is left alone (``changed`` False). ``actor`` is the one who
    approved the list."""
    if dossier.anonymised_at is not None:
        return Anonymised(dossier, changed=False)
    if dossier.status not in (Status.NOT_RECEIVED, Status.STOPPED, Status.RETURNED):
        raise DomainError(_("Only a closed dossier can have its personal data removed."), code="invalid_status",
                          status=409)
    held = set(HeldDocument.objects.filter(attachment__dossier=dossier).values_list("attachment_id", flat=True))
    attachments = list(Attachment.objects.filter(dossier=dossier).exclude(pk__in=held))
    forms = list(dossier.issued_forms.all())  # type: ignore[attr-defined]
    names = [a.file.name for a in attachments] + [f.file.name for f in forms]
    if dry_run:
        return Anonymised(dossier, files=names)
    with transaction.atomic():
        locked = _lock(dossier)
        if locked.anonymised_at is not None:
            return Anonymised(locked, changed=False)
        for name in ANONYMISED_BLANK:
            setattr(locked, name, "")
        locked.representative, locked.form_data, locked.owner = {}, {}, None
        locked.collector_signed = None
        locked.search_folded = search_text(locked.code, locked.reference)
        locked.anonymised_at = _now()
        locked.save(update_fields=[*ANONYMISED_BLANK, "representative", "form_data", "owner", "collector_signed",
                                   "search_folded", "anonymised_at"])
        DossierDocument.objects.filter(dossier=locked).update(note="", source_code="", reused_from=None)
        Result.objects.filter(dossier=locked, attachment__in=attachments).update(attachment=None)
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
        Apology.objects.filter(dossier=locked, form__in=forms).update(form=None)
        locked.issued_forms.filter(pk__in=[f.pk for f in forms]).delete()  # type: ignore[attr-defined]
        events.append(locked, EventKind.APPLICANT_ANONYMISED, actor, at=locked.anonymised_at, data={
            "destruction_list": destruction_list, "files": len(names),
            "applicant_mac": events.applicant_mac(locked)})
        transaction.on_commit(lambda: files.discard(names))
    return Anonymised(locked, files=names)
