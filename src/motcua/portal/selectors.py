"""Reads of the citizen side: public tracking, the citizen's own dossiers and drafts, the access log, what a
draft still lacks, and the context of the applicant's notices."""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.calendars.selectors import compute_due
from motcua.catalogue import eform
from motcua.catalogue import selectors as catalogue
from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.core import links
from motcua.core.errors import DomainError, NotFound
from motcua.dossiers import deadlines, serving
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers import services as dossier_services
from motcua.dossiers.choices import ApplicantKind, Channel, EventKind, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.pages import FORM_LABELS
from motcua.dossiers.wallet import selectors as wallet
from motcua.dossiers.workflow.choices import ReturnMethod
from motcua.dossiers.workflow.models import Result
from motcua.feedback.models import FeedbackItem
from motcua.integrations.payments import selectors as payments
from motcua.notifications.models import Message

from . import services
from .models import ContactPreference, CorrectionRequest, Draft

STEPS = ("applicant", "questions", "documents", "fees", "delivery", "review")


def absolute(path: str) -> str:
    return links.absolute(path)


def tracking_url(dossier: Dossier) -> str:
    return absolute(f"/tra-cuu?code={dossier.public_id}")


# --- public tracking ----------------------------------------------------------------------------------

@dataclass
class PublicStep:
    at: dt.datetime
    status: int
    status_label: str


@dataclass
class PublicStatus:
    """What anyone holding the code and the four digits may see: no personal data, no officer's name."""

    code: str
    procedure_code: str
    procedure_name: str
    status: int
    status_label: str
    channel: str
    receiving_unit: str
    processing_unit: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    due_explanation: str
    skipped_days: list[dict[str, str]] = field(default_factory=list)
    steps: list[PublicStep] = field(default_factory=list)
    returned_at: dt.datetime | None = None


def _last_four_candidates(dossier: Dossier) -> list[str]:
    values = [dossier.applicant_phone, dossier.applicant_id_number, dossier.applicant_tax_code]
    digits = [re.sub(r"\D", "", v or "") for v in values]
    return [d[-4:] for d in digits if len(d) >= 4]


def _digits_match(dossier: Dossier | None, verify: str) -> bool:
    """Constant-time comparison against every candidate, done even without a dossier so that an unknown
    code and wrong digits cost the same work."""
    candidates = _last_four_candidates(dossier) if dossier is not None else ["\x00\x00\x00\x00"]
    given = (verify or "").strip().encode()
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(given, candidate.encode())
    return matched and dossier is not None


def normalise_code(code: str) -> str:
    return (code or "").strip().upper()[:100]


def track(code: str, verify: str) -> PublicStatus | None:
    """The public status of the dossier with this code (or reference before it has a code) if the four
    digits match the end of the applicant's phone, ID number or tax code; otherwise None — the same None
    for an unknown code and for wrong digits, so that nobody learns which codes exist."""
    code = normalise_code(code)
    dossier = None
    if code and re.fullmatch(r"\d{4}", (verify or "").strip()):
        dossier = (Dossier.objects.select_related("procedure", "receiving_unit", "processing_unit")
                   .filter(Q(code=code) | Q(reference=code)).first())
    if not _digits_match(dossier, verify):
        return None
    assert dossier is not None
    return public_status(dossier)


def public_status(dossier: Dossier) -> PublicStatus:
    explanation, skipped = due_explanation(dossier)
    steps = [PublicStep(e.at, e.status_after, _step_label(e))
             for e in dossier.events.filter(kind__in=[EventKind.CREATED, EventKind.STATUS_CHANGED],
                                            status_after__isnull=False).order_by("seq")
             if e.status_after is not None]
    transferred = dossier.transferred_at is not None
    return PublicStatus(
        code=dossier.public_id, procedure_code=dossier.procedure.code,
        procedure_name=dossier.snapshot.get("procedure", {}).get("name") or dossier.procedure.name,
        status=dossier.status, status_label=dossier_selectors.status_label(dossier), channel=dossier.channel,
        receiving_unit=dossier.receiving_unit.name,
        processing_unit=dossier.processing_unit.name if transferred else "",
        submitted_at=dossier.submitted_at, received_at=dossier.received_at, due_at=dossier.due_at,
        due_explanation=explanation, skipped_days=skipped, steps=steps, returned_at=dossier.returned_at)


def _step_label(event: DossierEvent) -> str:
    """A step's name; a supplement sent back to the desk is named as such, not "newly submitted" again."""
    if event.status_after is None:
        return ""
    if event.status_after == Status.NEW and event.status_before == Status.SUPPLEMENT_REQUESTED:
        return _("Supplement sent, awaiting intake")
    return str(Status(event.status_after).label)


def due_explanation(dossier: Dossier) -> tuple[str, list[dict[str, str]]]:
    """How the promised date was reached: the legal time, from when it counts, and the days off it skipped,
    all from the one clock (``calendars.selectors.compute_due``)."""
    clock = dossier.clock or {}
    if dossier.due_at is None:
        if dossier.status == Status.NEW:
            return _("The promised date is set when the one-stop desk accepts the dossier."), []
        if clock.get("paused_at"):
            return _("The time limit is paused while a supplement is awaited; it counts again from the start "
                     "when the complete dossier arrives."), []
        event = deadlines.waits_for(dossier)
        if event:
            label = deadlines.event_label(event)
            return _("The time limit counts from the %(event)s, not from the receipt: the promised date is set "
                     "when the %(event)s is recorded.") % {"event": str(label).lower()}, []
        return "", []
    if not clock.get("start") or not clock.get("amount"):
        return "", []
    start = dt.datetime.fromisoformat(clock["start"])
    skipped: list[dict[str, str]] = []
    try:
        agency = dossier.processing_unit.agency() or dossier.processing_unit
        result = compute_due(start, clock["amount"], clock["unit"], clock.get("policy") or "working_hours",
                             agency.code)
        skipped = [{"date": s.date.strftime("%d/%m/%Y"), "name": s.name} for s in result.skipped]
    except DomainError:
        pass
    amount = clock["amount"].rstrip("0").rstrip(".") if "." in clock["amount"] else clock["amount"]
    values = {"amount": amount, "start": timezone.localtime(start).strftime("%H:%M %d/%m/%Y"),
              "day": timezone.localtime(start).strftime("%d/%m/%Y")}
    if clock["unit"] == "days":
        # Calendar days count every day (Civil Code 2015 Art. 147(2): from the day after the event); only the
        # end moves, when the last day is a rest day or a holiday (Art. 148(5)).
        text = _("%(amount)s calendar days, counted from the day after %(day)s: Saturdays, Sundays and public "
                 "holidays count too. When the last day is a weekly rest day or a public holiday, the time limit "
                 "ends at the end of the next working day (Civil Code 2015, Articles 147 and 148).") % values
    elif (clock.get("policy") or "working_hours") == "end_of_day":
        text = _("%(amount)s working days after %(day)s, a day that is not counted; weekends and days off are not "
                 "counted, and the time limit ends with the working hours of the last of them.") % values
    else:
        units = {"working_days": _("working days"), "working_hours": _("working hours")}
        text = _("%(amount)s %(unit)s counted from %(start)s, without weekends and days off.") % {
            **values, "unit": units.get(clock["unit"], clock["unit"])}
    if clock.get("extended"):
        text += " " + _("The date was moved once, with an apology letter.")
    return text, skipped


# --- the citizen's own dossiers -----------------------------------------------------------------------

def own_dossiers(user: User) -> QuerySet[Dossier]:
    return (Dossier.objects.filter(owner=user).select_related("procedure", "receiving_unit")
            .order_by("-submitted_at", "-id"))


def applicant_defaults(user: User) -> dict[str, str]:
    """What the applicant step of a new draft starts with, all editable: the account's own details (name,
    phone, e-mail, organisation) and, for what the account has no field for — the personal ID number and
    the address — the citizen's latest dossier as the same kind of applicant, so that a citizen does not type
    them again at every submission. A convenience, not a legal rule: the applicant checks every field."""
    applicant = {"kind": user.applicant_kind or ApplicantKind.INDIVIDUAL.value, "name": user.full_name,
                 "phone": user.phone, "email": user.email, "id_number": "", "tax_code": "", "address": ""}
    if user.organisation_name:
        applicant.update(kind=ApplicantKind.ORGANISATION.value, name=user.organisation_name,
                         tax_code=user.organisation_tax_code)
    last = own_dossiers(user).filter(applicant_kind=applicant["kind"]).first()
    if last is not None:
        earlier = {"name": last.applicant_name, "id_number": last.applicant_id_number,
                   "tax_code": last.applicant_tax_code, "address": last.applicant_address,
                   "phone": last.applicant_phone, "email": last.applicant_email}
        applicant = {name: value or earlier.get(name, "") for name, value in applicant.items()}
    return applicant


def returned_results(dossier: Dossier) -> list[Result]:
    """The results handed to the applicant (the permit, or the refusal after appraisal), with their files: what
    the citizen's page offers to download once the desk has returned them (Decree 61/2018 Arts. 20-21)."""
    return list(dossier.results.filter(returned_at__isnull=False).select_related("attachment")
                .order_by("recorded_at", "id"))


def withheld_files(dossier: Dossier) -> set[int]:
    """The files of results not yet returned: signed inside the agency but not yet the applicant's (the desk
    hands them over, online or on paper), so not served to the applicant before the return."""
    return set(dossier.results.filter(returned_at__isnull=True, attachment__isnull=False)
               .values_list("attachment_id", flat=True))


def result_files(dossier: Dossier) -> set[int]:
    return set(dossier.results.filter(attachment__isnull=False).values_list("attachment_id", flat=True))


def result_url(dossier: Dossier) -> str:
    """The notice's absolute link to the result's file on the applicant's own pages (served after signing in,
    to the owner only, as the dossier's other files): an online dossier's owner only, a walk-in applicant
    having no account; "" when no returned result has a file."""
    if dossier.owner_id is None:
        return ""
    last = next((r for r in reversed(returned_results(dossier)) if r.attachment_id), None)
    if last is None:
        return ""
    return links.absolute(f"/cong-dan/ho-so/{dossier.public_id}/tep/{last.attachment_id}/?tai-ve=1")


def result_method_label(method: str) -> str:
    """How the applicant asked to receive the result (``Dossier.result_method``), in the wizard's words."""
    labels = {ReturnMethod.DESK.value: _("At the one-stop desk"),
              ReturnMethod.POST.value: _("By public postal service"), ReturnMethod.ONLINE.value: _("Online")}
    return labels.get(method, method)


def fees_summary(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The fees of the version snapshot for the wizard: the list, and ``state`` with ``total``.

    ``state`` is "free" when the catalogue says the procedure has no fee, "total" when it says fees apply
    and every fee has an amount (``total`` is then their sum), "unknown" otherwise: a fee part not captured
    (``fee_status`` "", Decree 63/2010 Art. 8(3) makes it a missing part) or a fee given only as a rule
    (``amount_vnd`` None) has no amount, and summing it as 0 would tell the citizen the procedure is free.
    """
    version = snapshot.get("version", {})
    fees = list(version.get("fees") or [])
    status = version.get("fee_status", "")
    if status == "free":
        return {"fees": [], "state": "free", "total": None}
    if status == "charged" and fees and all(f.get("amount_vnd") is not None for f in fees):
        return {"fees": fees, "state": "total", "total": sum(f["amount_vnd"] for f in fees)}
    return {"fees": fees, "state": "unknown", "total": None}


def document_state(dossier: Dossier, provided: bool, reused_digitised: bool, has_files: bool) -> str:
    """What the citizen's dossier page says of one document: "provided" only when it is.

    An online dossier holds only what was uploaded, so there a document counts as submitted only when a file
    is attached to it (a tick with no file would tell the citizen the agency has a document it never got);
    ``provided`` alone is the desk's tick on a paper dossier (desk or post channel): "handed in on paper".
    """
    if has_files:
        return _("provided")
    if reused_digitised:
        return _("taken from digitised data")
    if provided and dossier.channel != Channel.ONLINE:
        return _("handed in on paper")
    return _("not provided")


def own_drafts(user: User) -> QuerySet[Draft]:
    return Draft.objects.filter(owner=user).select_related("procedure").order_by("-updated_at")


def get_own_dossier(user: User, public_id: str) -> Dossier:
    """The citizen's own dossier, else ``NotFound`` — also when it belongs to someone else."""
    dossier = (own_dossiers(user).select_related("processing_unit", "owner")
               .filter(Q(code=public_id) | Q(reference=public_id)).first()) if user.is_authenticated else None
    if dossier is None:
        raise NotFound(_("There is no dossier %(code)s.") % {"code": public_id[:100]}, code="dossier_not_found")
    return dossier


def get_own_draft(user: User, key: str) -> Draft:
    draft = (Draft.objects.filter(owner=user, key=key).select_related("procedure").first()
             if user.is_authenticated else None)
    if draft is None:
        raise NotFound(_("There is no such draft."), code="not_found")
    return draft


@dataclass
class Access:
    at: dt.datetime
    officer: str
    unit: str
    action: str


ACTION_LABELS = {
    EventKind.CREATED: "created", EventKind.STATUS_CHANGED: "status", EventKind.CODE_ASSIGNED: "code",
    EventKind.CLOCK: "clock", EventKind.DOCUMENT_ADDED: "document", EventKind.FORM_ISSUED: "form",
    EventKind.PERSONAL_DATA_VIEWED: "viewed", EventKind.ASSIGNED: "assigned",
}


def _opening_label(data: dict[str, Any]) -> str:
    """What a staff member opened (``dossiers.services.record_personal_data_view``: the page, a paper, a row of
    an exported register, a file), and whether they saw the personal data or it was masked for them."""
    what, masked = str(data.get("what") or "personal"), bool(data.get("masked"))
    opened = data.get("file")
    if isinstance(opened, dict):
        return _("Opened your file “%(name)s”") % {"name": opened.get("name", "")}
    if what == "page":
        return _("Opened the dossier (your personal data masked)")
    if what.startswith("form:"):
        paper = str(FORM_LABELS.get(what[5:], what[5:]))
        return (_("Opened the paper “%(paper)s” (your personal data masked)") if masked
                else _("Opened the paper “%(paper)s” with your personal data")) % {"paper": paper}
    if what == "register":
        return (_("Exported the dossier register (your personal data masked)") if masked
                else _("Exported the dossier register with your address and phone"))
    return _("Opened the dossier and read your personal data")


def _action_label(event: DossierEvent) -> str:
    if event.kind == EventKind.PERSONAL_DATA_VIEWED:
        return _opening_label(event.data or {})
    if event.kind == EventKind.STATUS_CHANGED and event.status_after:
        return _("Changed the status to “%(status)s”") % {"status": Status(event.status_after).label}
    if event.kind == EventKind.CREATED:
        return _("Entered the dossier")
    return _("Changed the dossier: %(what)s") % {"what": EventKind(event.kind).label}


def access_log(dossier: Dossier) -> list[Access]:
    """Who among the staff opened or changed the dossier, and when (every action names a natural person),
    newest first; the applicant's own actions are left out."""
    events = (dossier.events.exclude(actor_id=dossier.owner_id).select_related("actor", "actor__unit")
              .order_by("-seq"))
    return [Access(e.at, e.actor.get_full_name(), e.actor.unit.name if e.actor.unit else "", _action_label(e))
            for e in events]


# --- the submission wizard ----------------------------------------------------------------------------

def submission_target(code: str) -> tuple[Procedure, ProcedureVersion, dict[str, Any]]:
    """The procedure, its version in force today and the version's snapshot, for the wizard."""
    procedure = Procedure.objects.filter(code=code).select_related("agency").first()
    version = catalogue.version_on(procedure, catalogue.today()) if procedure else None
    if procedure is None or version is None:
        raise NotFound(_("This procedure cannot be submitted online now."), code="procedure_not_found")
    return procedure, version, catalogue.snapshot(version)


def data_store_orders(snapshot: dict[str, Any]) -> list[int]:
    return [i for i, d in enumerate(snapshot["version"]["documents"], start=1) if d.get("from_data_store")]


def office_orders(snapshot: dict[str, Any]) -> set[int]:
    return {i for i, d in enumerate(snapshot["version"]["documents"], start=1) if d.get("template_name")}


@dataclass
class DocumentRow:
    order: int
    name: str
    copies: int | None
    copy_kind: str
    condition: str
    template_name: str
    template_url: str | None
    note: str
    from_data_store: bool
    needed: bool
    file_name: str = ""
    file_size: int = 0
    error: str = ""
    # A paper the citizen already holds (``Giấy tờ của tôi``) that stands in for this document: not asked again.
    held_number: str = ""
    held_title: str = ""


def document_rows(draft: Draft, snapshot: dict[str, Any]) -> list[DocumentRow]:
    """The procedure's documents with whether this draft needs an upload for each (a conditional one only
    when the citizen said its condition applies) and the file already uploaded."""
    applies = set(draft.data.get("questions", {}).get("conditions", []))
    uploaded = {f.document_order: f for f in draft.files.all()}
    held = held_orders(draft, snapshot)
    rows = []
    for order, doc in enumerate(snapshot["version"]["documents"], start=1):
        mine = held.get(order)
        needed = not doc.get("from_data_store") and mine is None and (not doc.get("condition") or order in applies)
        f = uploaded.get(order)
        rows.append(DocumentRow(order, doc["name"], doc.get("copies"), doc.get("copy_kind") or "",
                                doc.get("condition") or "", doc.get("template_name") or "", doc.get("template_url"),
                                doc.get("note") or "", bool(doc.get("from_data_store")), needed,
                                f.original_name if f else "", f.size if f else 0,
                                held_number=mine.number if mine else "", held_title=mine.title if mine else ""))
    return rows


def held_orders(draft: Draft, snapshot: dict[str, Any]) -> dict[int, Any]:
    """The documents of the procedure that a paper the citizen holds stands in for (the most recent of its kind):
    not asked again (Decree 118/2025 Art. 4(2a) as added by Decree 309/2026)."""
    return {order: found[0] for order, found in wallet.offers(snapshot, "", draft.owner).items() if found}


def applicant_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Every problem of the applicant's details, by field (the dossier app stops at the first one)."""
    kind = data.get("kind") or ""
    found: list[tuple[str, str]] = []
    if kind not in ApplicantKind.values:
        found.append(("kind", _("Choose an individual or an organisation.")))
    if not (data.get("name") or "").strip():
        found.append(("name", _("Enter the applicant's name.")))
    id_number = data.get("id_number") or ""
    if (kind == ApplicantKind.INDIVIDUAL or id_number) and not dossier_services.ID_NUMBER.match(id_number):
        found.append(("id_number", _("The personal ID number has 12 digits.")))
    if kind == ApplicantKind.ORGANISATION and not dossier_services.TAX_CODE.match(data.get("tax_code") or ""):
        found.append(("tax_code", _("The tax code has 10 digits, or 10 digits, a hyphen and 3 digits.")))
    phone = data.get("phone") or ""
    if not phone:
        found.append(("phone", _("Enter a phone number: it is needed to track the dossier.")))
    elif not dossier_services.PHONE.match(phone):
        found.append(("phone", _("Enter a valid phone number.")))
    email = data.get("email") or ""
    if email and ("@" not in email or len(email) > 254):
        found.append(("email", _("Enter a valid email address.")))
    if not (data.get("address") or "").strip():
        found.append(("address", _("Enter the address.")))
    return found


def draft_problems(draft: Draft, snapshot: dict[str, Any]) -> list[services.Problem]:
    """Everything that stops the draft from being submitted, at once, by step."""
    data = draft.data
    problems = [services.Problem("applicant", f, m) for f, m in applicant_problems(data.get("applicant", {}))]
    questions = data.get("questions")
    variants = [v["label"] for v in snapshot["version"].get("time_variants") or []]
    if questions is None:
        problems.append(services.Problem("questions", "subject", _("Answer the questions about your request.")))
    elif variants and questions.get("time_variant") not in variants:
        problems.append(services.Problem("questions", "time_variant", _("Choose the case that applies to you.")))
    declared = eform.declared(snapshot)
    if questions is not None and declared:
        # The form may have changed since the step was saved (a new version): check the values again.
        try:
            eform.clean_values(declared, questions.get("form_data") or {})
        except DomainError as exc:
            for item in exc.details.get("fields", []):
                problems.append(services.Problem("questions", str(item["field"]), str(item["message"])))
    for row in document_rows(draft, snapshot):
        if row.needed and not row.file_name:
            problems.append(services.Problem("documents", f"document_{row.order}",
                                    _("Attach “%(name)s”.") % {"name": row.name}))
    if "fees" not in data.get("done", []):
        problems.append(services.Problem("fees", "fees", _("Read and confirm the fees.")))
    if "delivery" not in data:
        problems.append(services.Problem("delivery", "method", _("Choose how to receive the result.")))
    elif data["delivery"].get("method") not in ReturnMethod.values:
        problems.append(services.Problem("delivery", "method",
                                _("Choose how to receive the result: at the one-stop desk, by post or online.")))
    elif data["delivery"].get("method") == ReturnMethod.POST and not (data["delivery"].get("address") or "").strip():
        problems.append(services.Problem("delivery", "address", _("Enter the address the result is to be posted to.")))
    return problems


# --- the context of notices ---------------------------------------------------------------------------

def _first_actor(dossier: Dossier, status: int) -> str:
    event = (dossier.events.filter(status_after=status).select_related("actor").order_by("seq").first())
    return event.actor.get_full_name() if event else ""


def notice_context(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """What Decree 224/2026 Art. 15 asks a status notice to carry: the receiving and processing agency and
    person, and the times of receipt, processing and return. Call it under the recipient's language.

    The processing person is the officer the dossier is assigned to at its current step, never the officer
    whose action caused the notice (the desk officer who hands it over is not the one processing it); the
    processing unit is the unit of the current step, else the processing agency, once the dossier left the
    desk."""
    status = event.status_after or dossier.status
    processing_now = status in (Status.IN_PROGRESS, Status.PAYMENT_REQUESTED, Status.DONE) or (
        status == Status.SUPPLEMENT_REQUESTED and dossier.received_at is not None)
    transferred = dossier.transferred_at is not None
    officer = dossier.assigned_to if transferred and processing_now else None
    return {
        "recipient_name": dossier.applicant_name, "dossier_code": dossier.public_id,
        "procedure_name": dossier.snapshot.get("procedure", {}).get("name") or dossier.procedure.name,
        "lookup_url": tracking_url(dossier), "hotline": settings.MOTCUA_SITE.get("hotline", ""),
        "agency_name": (dossier.processing_unit.agency() or dossier.processing_unit).name,
        "status_label": str(Status(status).label), "receiving_unit": dossier.receiving_unit.name,
        "receiving_officer": _first_actor(dossier, Status.RECEIVED),
        "processing_unit": (dossier.current_unit or dossier.processing_unit).name if transferred else "",
        "processing_officer": officer.get_full_name() if officer is not None else "",
        "received_at": dossier.received_at, "changed_at": event.at, "due_at": dossier.due_at,
        "note": event.reason,
    }


class MissingDocument(str):
    """One missing item of a supplement request (form 02): prints as the document's name, so that a template
    written for a list of names still reads; ``reason`` says what is wrong with it."""

    document: str
    reason: str

    def __new__(cls, document: str, reason: str = "") -> MissingDocument:
        item = super().__new__(cls, document)
        item.document, item.reason = document, reason
        return item


def supplement_context(event: DossierEvent) -> dict[str, Any]:
    """Each missing item with its own reason (Decree 61/2018 Art. 19(4): the request says what to supply and
    why, once) and the officer's cover note apart. ``reason`` keeps the joined reasons for templates edited
    before ``missing`` carried them."""
    missing = [MissingDocument(str(m.get("document") or ""), str(m.get("reason") or ""))
               for m in (event.data or {}).get("missing") or []]
    return {"missing": missing, "cover_note": event.reason or "",
            "reason": "; ".join(f"{m.document}: {m.reason}" if m.reason else m.document for m in missing),
            "contact_name": event.actor.get_full_name(), "contact_phone": "",
            # The last day to supplement, where sector law sets a time (``dossiers.services.supplement_deadline``).
            "respond_by": _last_day((event.data or {}).get("respond_by"))}


def _last_day(respond_by: str | None) -> dt.date | None:
    if not respond_by:
        return None
    return timezone.localtime(dt.datetime.fromisoformat(respond_by) - dt.timedelta(microseconds=1)).date()


def payment_context(dossier: Dossier) -> dict[str, Any]:
    fees = dossier.snapshot.get("version", {}).get("fees") or []
    # With online payment on, the notice links the applicant's dossier page, where the button is.
    pay_url = (links.absolute(reverse("portal:dossier", args=[dossier.public_id]))
               if payments.enabled() and dossier.owner_id else "")
    return {"fee_name": ", ".join(f["name"] for f in fees) or _("fees"),
            "amount_vnd": max(0, dossier.fees_due_vnd - dossier.fees_paid_vnd), "pay_url": pay_url, "pay_by": None}


# --- personal data rights (Law 91/2025/QH15 on Personal Data Protection, Art. 4) -----------------------------

EXPORT_FORMAT = "motcua.personal-data/1"


def processing_log(user: User) -> list[tuple[Dossier, Access]]:
    """Every staff access to every dossier of the citizen (``access_log`` of each), newest first: who among the
    staff opened or changed the citizen's data, in which unit, and when."""
    entries = [(d, a) for d in own_dossiers(user).select_related("owner") for a in access_log(d)]
    entries.sort(key=lambda pair: pair[1].at, reverse=True)
    return entries


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _digits_tail(value: str) -> str:
    return re.sub(r"\D", "", value or "")[-9:]


def _notices(user: User, dossiers: list[Dossier]) -> list[dict[str, Any]]:
    """The notices sent to the citizen: about their account, and about their dossiers and feedback when addressed
    to the citizen (to the account's or the applicant's e-mail or phone: staff notices about the same dossier are the
    officers'). Addresses masked, bodies kept."""
    sent = list(FeedbackItem.objects.filter(sender_account=user).values_list("sender_email", "sender_phone"))
    emails = {e.lower() for e in [user.email, *(d.applicant_email for d in dossiers), *(s[0] for s in sent)] if e}
    phones = {_digits_tail(p) for p in [user.phone, *(d.applicant_phone for d in dossiers), *(s[1] for s in sent)]
              if p}
    refs = [f"dossier:{d.public_id}" for d in dossiers] + [f"dossier:{d.reference}" for d in dossiers] + [
        f"feedback:{code}" for code in FeedbackItem.objects.filter(sender_account=user).values_list("code", flat=True)]
    found = []
    for m in Message.objects.filter(Q(subject_ref__in=refs) | Q(subject_ref=f"account:{user.pk}")).order_by(
            "created_at", "id"):
        addresses = {k: str(v) for k, v in (m.addresses or {}).items()}
        mine = m.subject_ref == f"account:{user.pk}" or any(
            (kind == "email" and a.lower() in emails) or (kind != "email" and _digits_tail(a) in phones)
            for kind, a in addresses.items())
        if not mine:
            continue
        found.append({"subject_ref": m.subject_ref, "key": m.key, "created_at": _iso(m.created_at),
                      "channel": m.channel, "status": m.status,
                      "to": {kind: dossier_selectors.mask(a, 2, 4) for kind, a in addresses.items()},
                      "subject": m.subject, "body": m.body})
    return found


def _file(name: str, size: int, sha256: str, path: str) -> dict[str, Any]:
    return {"name": name, "size": size, "sha256": sha256, "path_in_zip": path}


def _dossier_export(dossier: Dossier) -> dict[str, Any]:
    """One dossier as its owner sees it on their page: the applicant's details, the request, the application
    form, the dates, the public steps, the files they may download and the papers addressed to them. Not the
    staff's internal work (notes, assignments, the internal control sheet)."""
    withheld = withheld_files(dossier)
    files = [_file(a.original_name, a.size, a.sha256, f"files/{dossier.public_id}/{a.pk}-{a.original_name}")
             for a in dossier.attachments.order_by("id") if a.pk not in withheld]
    papers = [{"role": f.role, "label": str(FORM_LABELS.get(f.role, f.role)), "number": f.number,
               "reference": f.reference, "issued_at": _iso(f.issued_at),
               **_file(f"{f.role}.pdf", f.file.size if _exists(f.file) else 0, f.sha256,
                       f"files/{dossier.public_id}/paper-{f.role}.pdf")}
              for f in serving.applicant_papers(dossier)]
    public = public_status(dossier)
    return {
        "code": dossier.public_id, "reference": dossier.reference, "procedure_code": public.procedure_code,
        "procedure_name": public.procedure_name, "channel": dossier.channel, "status": dossier.status,
        "status_label": public.status_label,
        "applicant": {"kind": dossier.applicant_kind, "name": dossier.applicant_name,
                      "id_number": dossier.applicant_id_number, "tax_code": dossier.applicant_tax_code,
                      "address": dossier.applicant_address, "phone": dossier.applicant_phone,
                      "email": dossier.applicant_email},
        "representative": dict(dossier.representative or {}),
        "subject": dossier.subject, "form_data": dossier.form_data,
        "result_method": dossier.result_method, "result_address": dossier.result_address,
        "collector": {"name": dossier.collector_name, "id_number": dossier.collector_id_number},
        "fees_due_vnd": dossier.fees_due_vnd, "fees_paid_vnd": dossier.fees_paid_vnd,
        "receiving_unit": public.receiving_unit, "processing_unit": public.processing_unit,
        "submitted_at": _iso(dossier.submitted_at), "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at), "returned_at": _iso(dossier.returned_at),
        "steps": [{"at": _iso(s.at), "status": s.status, "label": s.status_label} for s in public.steps],
        "files": files, "papers": papers,
        "access_log": [{"at": _iso(a.at), "officer": a.officer, "unit": a.unit, "action": a.action}
                       for a in access_log(dossier)],
    }


def _exists(f: Any) -> bool:
    try:
        return bool(f) and f.storage.exists(f.name)
    except OSError:
        return False


def _feedback_export(user: User) -> list[dict[str, Any]]:
    return [{"code": i.code, "agency": i.agency.name, "topic": i.topic, "title": i.title, "content": i.content,
             "proposal": i.proposal, "place": i.address_string, "status": i.status,
             "received_at": _iso(i.received_at),
             "sender": {"name": i.sender_name, "id_number": i.sender_id_number, "phone": i.sender_phone,
                        "email": i.sender_email, "address": i.sender_address},
             # The answer is the sender's once approved (``feedback.services.approve_answer``).
             "answer": i.answer if i.approved_at else ""}
            for i in FeedbackItem.objects.filter(sender_account=user).select_related("agency").order_by("received_at")]


def personal_data_export(user: User) -> dict[str, Any]:
    """Everything the system holds about the signed-in citizen, as one JSON-ready dict (docs/portal.md,
    "Download my data"; Law 91/2025/QH15 Art. 4: to view and to ask for a copy of one's data). Built only from
    rows tied to the account: the account, its consents and contact preference, the dossiers it owns, the
    feedback it sent, the notices addressed to it, its correction requests and the staff accesses to its
    dossiers. Satisfaction answers are stored without the person or the dossier (``surveys``), so none is
    tied to the account and none is exported."""
    dossiers = list(own_dossiers(user).select_related("processing_unit", "owner"))
    preference = ContactPreference.objects.filter(user=user).first()
    return {
        "format": EXPORT_FORMAT,
        "generated_at": _iso(timezone.now()),
        "account": {
            "username": user.username, "full_name": user.full_name, "email": user.email, "phone": user.phone,
            "applicant_kind": user.applicant_kind, "organisation_name": user.organisation_name,
            "organisation_tax_code": user.organisation_tax_code, "preferred_language": user.preferred_language,
            "identity_level": user.identity_level, "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "contact_channels": list(preference.channels) if preference else [],
            "consents": [{"purpose": c.purpose, "version": c.version, "given_at": _iso(c.given_at),
                          "withdrawn_at": _iso(c.withdrawn_at)} for c in user.consents.all()],
        },
        "dossiers": [_dossier_export(d) for d in dossiers],
        "drafts": [{"procedure_code": d.procedure.code, "updated_at": _iso(d.updated_at), "data": d.data,
                    "files": [{"name": f.original_name, "size": f.size, "sha256": f.sha256} for f in d.files.all()]}
                   for d in own_drafts(user)],
        "feedback": _feedback_export(user),
        "notices": _notices(user, dossiers),
        "correction_requests": [
            {"dossier": r.dossier.public_id, "kind": r.kind, "field": r.field, "current_value": r.current_value,
             "requested_value": r.requested_value, "reason": r.reason, "state": r.state, "answer": r.answer,
             "created_at": _iso(r.created_at), "due_at": _iso(r.due_at), "handled_at": _iso(r.handled_at)}
            for r in CorrectionRequest.objects.filter(user=user).select_related("dossier")],
        "survey_answers": [],
    }


def export_files(user: User) -> list[tuple[str, Any]]:
    """The files the export lists, as (path in the ZIP, stored file): the dossiers' files the citizen may
    download and the papers addressed to them. A file missing from the store is left out (its row stays in
    the JSON with its hash)."""
    found: list[tuple[str, Any]] = []
    for dossier in own_dossiers(user):
        withheld = withheld_files(dossier)
        for a in dossier.attachments.order_by("id"):
            if a.pk not in withheld and _exists(a.file):
                found.append((f"files/{dossier.public_id}/{a.pk}-{a.original_name}", a.file))
        for f in serving.applicant_papers(dossier):
            if _exists(f.file):
                found.append((f"files/{dossier.public_id}/paper-{f.role}.pdf", f.file))
    return found


def applicant_value(dossier: Dossier, field_name: str) -> str:
    return str(getattr(dossier, f"applicant_{field_name}", "") or "")


def correction_queue(user: User, state: str = "open") -> QuerySet[CorrectionRequest]:
    """The agency's work queue: the requests about the data of the dossiers ``user`` may correct
    (``dossiers.selectors.correctable``), open ones first by due date; ``state`` "" for every state."""
    qs = CorrectionRequest.objects.filter(dossier__in=dossier_selectors.correctable(user)).select_related(
        "dossier", "dossier__procedure", "handled_by")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("due_at", "created_at", "id")


def queue_item(user: User, pk: int) -> CorrectionRequest:
    """One request of the user's queue, or ``NotFound`` (also when it exists outside their scope)."""
    item = correction_queue(user, state="").filter(pk=pk).first()
    if item is None:
        raise NotFound(_("There is no such request."), code="not_found")
    return item


def may_answer_requests(user: User) -> bool:
    """Whether ``user`` works on personal-data requests at all (the queue page is theirs): an officer who
    receives or processes dossiers somewhere."""
    return dossier_selectors.correctable_q(user) is not None
