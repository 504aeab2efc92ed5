"""Issuing legal forms: which forms apply to a dossier (decided here), their issue as a service action (a
number, a stored file and an event, once), and previews. The PDF is rendered by the renderer the documents
app registers in its ``AppConfig.ready()`` (``register_renderer``): this app never imports it.

Every paper is numbered in a register of its kind and year kept by the agency that issues it
(``paper_reference``; Decree 30/2020 Art. 15: numbers from 01 on 1 January, continuous through the year): the
receipt by the dossier's register number, taken at receipt; any other kind, including kinds added later, by
``codes.next_paper_number``. The number is printed on the PDF, so it is taken first, in a short transaction
under the dossier's lock, and kept with the dossier (``PaperNumber``, one per role and version).

An issue then renders, with no lock held (WeasyPrint takes a while), then under the dossier's lock checks
again whether the form was issued meanwhile and, if so, returns that one and discards its own rendering: a
second click or ten concurrent requests give one issued form, one number and no error; a rendering that fails
leaves the number reserved for the retry, so the register has no gap. Reading (a GET) never issues: it
serves the issued copy or renders a preview marked as such, without a number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any, Protocol

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit, User
from motcua.core.errors import Conflict, DomainError
from motcua.core.text import fold_vi

from . import codes, events, files, selectors, signatures
from .choices import EventKind, Status
from .models import Dossier, IssuedForm, PaperNumber
from .rules import AGENCY_PAPERS, form_info, role_for

TRAIL_KINDS = (EventKind.CREATED, EventKind.STATUS_CHANGED, EventKind.CLOCK, EventKind.CODE_ASSIGNED)
# The line printed across a preview (a form not issued: no number, no record).
PREVIEW_MARK = "BẢN XEM TRƯỚC — CHƯA PHÁT HÀNH"
# The response header that says a PDF is a preview (web page and API).
PREVIEW_HEADER = "X-Form-Preview"


class FormRenderer(Protocol):
    """What the documents app provides (``motcua.documents.services``)."""

    def render_form(self, dossier: Dossier, role: str, *, base_url: str, at: dt.datetime,
                    preview: bool, number: str = "") -> bytes: ...

    def register_pdf(self, user: User, dossiers: list[Dossier], first: dt.date, last: dt.date) -> bytes: ...

    def register_xlsx(self, dossiers: list[Dossier], first: dt.date, last: dt.date) -> bytes: ...

    def transfer_slip_pdf(self, dossier: Dossier, part: Any, sender: OrgUnit, parts: list[Any]) -> bytes: ...


_renderer: list[FormRenderer] = []


def register_renderer(renderer: FormRenderer) -> None:
    """Called by the documents app's ``ready()``: the one renderer of legal forms."""
    _renderer[:] = [renderer]


def renderer() -> FormRenderer:
    if not _renderer:
        raise RuntimeError("No renderer of legal forms is registered (is motcua.documents installed?).")
    return _renderer[0]


def _render(dossier: Dossier, role: str, *, base_url: str, at: dt.datetime, preview: bool,
            number: str = "") -> bytes:
    return renderer().render_form(dossier, role, base_url=base_url, at=at, preview=preview, number=number)


# --- numbers and issuing units: the one place that knows them for every kind of paper -----------------------

# The symbol after the number of each kind of paper ("Số: 05/YCBS"; Decree 30/2020 Art. 15(2) and Annex
# III: the number, then the symbol of the kind). A kind not listed (a paper added later) gets the initials
# of its role, so it is numbered all the same.
PAPER_SYMBOLS = {"receipt": "TNHS", "supplement-request": "YCBS", "refusal": "TCHS", "apology": "XLHS",
                 "stop-notice": "DGQ", "control-sheet": "PKS", "report": "BC", "refusal-answer": "TB"}
# Papers the one-stop desk issues in the name of the unit that received the dossier (Decree 61/2018 Arts.
# 15-17); every other paper is the processing agency's (its apology, its answers), signed by its leader.
DESK_PAPERS = frozenset({"receipt", "refusal", "stop-notice", "control-sheet"})
# Papers reissued as one paper brought up to date (the control sheet's trail grows): the number stays.
KEPT_NUMBER = frozenset({"control-sheet"})


# The titles of the papers as printed (the signed record and its verification page name them so).
FORM_TITLES = {"receipt": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "supplement-request": "Phiếu yêu cầu bổ sung, "
               "hoàn thiện hồ sơ", "refusal": "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "apology": "Văn bản xin lỗi "
               "và hẹn lại ngày trả kết quả", "stop-notice": "Thông báo dừng giải quyết hồ sơ", "control-sheet":
               "Phiếu kiểm soát quá trình giải quyết hồ sơ", "refusal-answer": "Thông báo trả lời hồ sơ"}


def paper_symbol(role: str) -> str:
    return PAPER_SYMBOLS.get(role) or "".join(word[:1] for word in role.split("-")).upper()


def format_number(number: int) -> str:
    """The number as printed: Arabic digits, a 0 before numbers under 10 (Decree 30/2020 Annex I)."""
    return f"{number:02d}"


def paper_reference(number: int, role: str) -> str:
    return f"{format_number(number)}/{paper_symbol(role)}"


def issuing_unit(dossier: Dossier, role: str) -> OrgUnit:
    """The unit in whose name the paper is issued: its header and the register that numbers it. The desk's
    papers: the receiving unit; a supplement request: the unit of the officer who asked for it (the desk at
    intake, the division during processing, Decree 61/2018 Art. 19(4)); any other paper: the processing
    agency, whose leader signs it."""
    if role in DESK_PAPERS:
        return dossier.receiving_unit
    if role == "supplement-request":
        event = dossier.events.filter(kind=EventKind.STATUS_CHANGED, status_after=Status.SUPPLEMENT_REQUESTED).order_by(
            "-seq").select_related("actor__unit").first()
        unit = event.actor.unit if event is not None and event.actor is not None else None
        return unit or dossier.receiving_unit
    return dossier.processing_unit.agency() or dossier.processing_unit


def register_agency(unit: OrgUnit) -> str:
    """The code of the agency whose registers number the papers issued in the name of ``unit``."""
    return (unit.agency() or unit).code


def _reserve(dossier: Dossier, role: str, at: dt.datetime) -> tuple[IssuedForm | None, str]:
    """(the current issued form, "") if it exists, else (None, the number and symbol for the next issue),
    taken in a short transaction of its own under the dossier's lock: a concurrent request for the same issue
    finds the same reservation."""
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        last = _last(locked, role)
        if last is not None and _still_current(last, locked):
            return last, ""
        if role == "receipt":  # the receipt carries the register number given at receipt (``codes``)
            return None, paper_reference(locked.register_number or 0, role)
        if last is not None and role in KEPT_NUMBER and last.reference:
            return None, last.reference
        version = (last.version + 1) if last else 1
        kept = PaperNumber.objects.filter(dossier=locked, role=role, version=version).first()
        if kept is not None:
            return None, kept.reference
        agency, year = register_agency(issuing_unit(locked, role)), timezone.localdate(at).year
        number = codes.next_paper_number(agency, role, year)
        kept = PaperNumber.objects.create(dossier=locked, role=role, version=version, agency_code=agency, year=year,
                                          number=number, reference=paper_reference(number, role))
        return None, kept.reference


def applicable_forms(d: Dossier, event_statuses: Iterable[int | None], *, has_refusal_result: bool,
                     has_apology: bool) -> list[str]:
    """The forms that apply to the dossier in its present state, in the order of the set: the one rule, used
    by ``issue`` and by the dossier page (which passes what it has already loaded, so it costs no query).

    ``event_statuses`` are the statuses set by the dossier's creation and status-change events. A form the
    dossier's rule set does not have (the 2018 set has no stop notice) never applies.
    """
    statuses = set(event_statuses)
    wanted = {
        "receipt": d.code is not None,
        "supplement-request": Status.SUPPLEMENT_REQUESTED in statuses,
        # Form 03 is the desk's refusal at intake (Decree 61/2018 Art. 17); after appraisal the agency answers
        # with its own signed notice (Art. 19(8); ``rules.AGENCY_PAPERS``).
        "refusal": d.status == Status.NOT_RECEIVED,
        "refusal-answer": has_refusal_result,
        "apology": has_apology,
        "stop-notice": d.status == Status.STOPPED,
        "control-sheet": d.code is not None,
    }
    in_set = (d.rules or {}).get("forms") or {}
    return [role for role, applies in wanted.items()
            if applies and (not in_set or role in in_set or role in AGENCY_PAPERS)]


def next_paper_number(dossier: Dossier, role: str, at: dt.datetime) -> str:
    """The number of one of the agency's own papers (``rules.AGENCY_PAPERS``), taken inside the transaction of
    the signature that makes it (the caller holds the dossier's lock): from the issuing agency's register of that
    kind for the year (``codes.next_paper_number``, from 01, Decree 30/2020 Art. 15(1)), with the document
    type's symbol and the agency's abbreviation ("07/TB-SXD", Art. 15(2), Annex III). Kept as the reservation of
    the paper's next issue, so that ``issue`` prints this number and takes no second one."""
    info = AGENCY_PAPERS[role]
    unit = issuing_unit(dossier, role)
    agency = unit.agency() or unit
    year = timezone.localdate(at).year
    number = codes.next_paper_number(agency.code, role, year)
    reference = f"{format_number(number)}/{info['symbol']}-{agency_symbol(agency)}"
    last = _last(dossier, role)
    PaperNumber.objects.create(dossier=dossier, role=role, version=(last.version + 1) if last else 1,
                               agency_code=agency.code, year=year, number=number, reference=reference)
    return reference


def agency_symbol(agency: OrgUnit) -> str:
    """The issuing agency's abbreviation: its short name, else the initials of its name without marks ("Sở
    Xây dựng" → "SXD")."""
    # A short name that is one word is already an abbreviation ("SXD"); one of several words ("Sở Xây dựng")
    # is a shorter name, abbreviated like the full one.
    short = (agency.short_name or "").strip()
    if short and " " not in short:
        return fold_vi(short).upper()
    return "".join(w[0] for w in fold_vi(short or agency.name).split() if w[:1].isalpha()).upper()


def _available(d: Dossier, role: str) -> bool:
    statuses = d.events.filter(kind__in=(EventKind.STATUS_CHANGED, EventKind.CREATED)).values_list(
        "status_after", flat=True)
    # The apology letter exists once the head of the agency has signed it; a draft is not a form yet.
    apology = getattr(d, "apology", None)
    return role in applicable_forms(d, statuses, has_refusal_result=d.results.filter(kind="refusal").exists(),
                                    has_apology=apology is not None and apology.issued)


def resolve_role(d: Dossier, name: str) -> str:
    """The role of the form named ``name`` (its role or its number in the dossier's form set)."""
    role = role_for(d.rules, name)
    if role is None:
        raise DomainError(_("The dossier's form set has no form “%(name)s”.") % {"name": name}, code="unknown_form",
                          status=404)
    return role


def _check(d: Dossier, role: str) -> None:
    if role == "register":
        raise Conflict(_("This form is not issued from the dossier page."), code="form_not_available")
    if not _available(d, role):
        raise Conflict(_("This form does not apply to the dossier in its present state."), code="form_not_available")


def _trail_basis(d: Dossier) -> str:
    last = d.events.filter(kind__in=TRAIL_KINDS).order_by("-seq").values_list("hash", flat=True).first()
    return last or ""


def _last(dossier: Dossier, role: str) -> IssuedForm | None:
    return IssuedForm.objects.filter(dossier=dossier, role=role).order_by("-version").first()


def _still_current(form: IssuedForm, dossier: Dossier) -> bool:
    # The control sheet is issued again once the trail has grown; every other form stands once issued.
    return form.role != "control-sheet" or form.basis == _trail_basis(dossier)


def current(dossier: Dossier, role: str) -> IssuedForm | None:
    """The issued form of ``role`` that is still current: the last one issued (for the control sheet, only
    while the trail has not grown since)."""
    existing = _last(dossier, role)
    return existing if existing is not None and _still_current(existing, dossier) else None


def issue(user: User, dossier: Dossier, name: str, base_url: str = "") -> IssuedForm:
    """Issue the form of role (or number) ``name``: once, then the issued one is returned; the control sheet
    is issued again when the trail has grown. Each issue is stored (the file is durable before the row that
    names it commits) and logged as a ``form_issued`` event."""
    role = resolve_role(dossier, name)
    _check(dossier, role)
    existing = current(dossier, role)
    if existing is not None:
        return existing
    basis = _trail_basis(dossier) if role == "control-sheet" else ""
    now = timezone.now()
    existing, reference = _reserve(dossier, role, now)
    if existing is not None:
        return existing
    pdf = _render(dossier, role, base_url=base_url, at=now, preview=False, number=reference)  # no lock: it is slow
    verify_url = ""
    unit = issuing_unit(dossier, role)
    agency = unit.agency() or unit
    if signatures.can_sign(agency, role):
        # A form the agency chose to sign electronically (Decree 30/2020 Art. 8: the digital signature of the
        # body), in the name of the unit that issues it, by the officer who issues it.
        signed = signatures.sign(signatures.SignRequest(
            pdf=pdf, agency=agency, signer=user, kind=role, subject=f"dossier:{dossier.public_id}:{role}"[:60],
            reference=reference, title=str(FORM_TITLES.get(role, role))))
        if signed is not None:
            pdf, verify_url = signed.pdf, signed.verify_url
    name_on_disk = files.durable_save(f"{files.ROOT}/{now:%Y/%m/%d}/{dossier.reference}/forms/{role}.pdf", pdf)
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            # Under the lock, again: another request may have issued it while this one rendered.
            last = _last(locked, role)
            if last is not None and _still_current(last, locked):
                files.discard([name_on_disk])
                return last
            if role == "control-sheet":
                basis = _trail_basis(locked)
            version = (last.version + 1) if last else 1
            info = form_info(locked.rules, role) or {}
            issued = IssuedForm.objects.create(
                dossier=locked, role=role, form_set=str(locked.rules.get("key", "")), number=info.get("number", ""),
                version=version, file=name_on_disk, sha256=hashlib.sha256(pdf).hexdigest(), issued_by=user,
                issued_at=now, basis=basis, reference=reference)
            events.append(locked, EventKind.FORM_ISSUED, user, data={
                "form": role, "number": issued.number, "form_set": issued.form_set, "version": version,
                "sha256": issued.sha256, "reference": reference,
                **({"verify_url": verify_url} if verify_url else {})})
    except BaseException:
        files.discard([name_on_disk])
        raise
    dossier.event_count, dossier.last_event_hash = locked.event_count, locked.last_event_hash
    return issued


def preview(dossier: Dossier, name: str, base_url: str = "") -> tuple[str, bytes]:
    """(role, PDF) of a form that applies but is not issued: rendered with ``PREVIEW_MARK`` across it, stored
    nowhere, logged nowhere."""
    role = resolve_role(dossier, name)
    _check(dossier, role)
    return role, _render(dossier, role, base_url=base_url, at=timezone.now(), preview=True)


def for_reading(dossier: Dossier, name: str, base_url: str = "", reader: User | None = None,
                where: str = "") -> tuple[str, bytes, bool]:
    """(file name, PDF, is a preview) of the form for a GET: the issued copy, else a preview.

    A paper shows personal data as the page does: a ``reader`` who may not see it (an inspector, an officer
    consulted from another agency: ``selectors.may_see_personal_data``) never gets the stored copy, which is
    the record and stays whole, but the form rendered again from a masked copy of the dossier (as at its
    issue, file name ending "-che"), or a masked preview. Every opening by staff is logged
    (``record_personal_data_view``, "form:<role>"), masked or not; the citizen sees it."""
    role = resolve_role(dossier, name)
    issued = current(dossier, role)
    whole = reader is None or selectors.may_see_personal_data(reader, dossier)
    if whole and issued is not None:
        filename, pdf, is_preview = f"{dossier.public_id}-{issued.role}.pdf", read(issued), False
    elif whole:
        role, pdf = preview(dossier, name, base_url)
        filename, is_preview = f"{dossier.public_id}-{role}-xem-truoc.pdf", True
    else:
        if issued is None:
            _check(dossier, role)
        at = issued.issued_at if issued is not None else timezone.now()
        pdf = _render(selectors.masked_copy(dossier), role, base_url=base_url, at=at, preview=issued is None,
                      number=issued.reference if issued is not None else "")
        filename = f"{dossier.public_id}-{role}{'' if issued else '-xem-truoc'}-che.pdf"
        is_preview = issued is None
    if reader is not None and dossier.owner_id != reader.pk:
        from .services import record_personal_data_view  # not at the top: services -> workflow -> here

        record_personal_data_view(reader, dossier, where, f"form:{role}", masked=not whole)
    return filename, pdf, is_preview


def read(issued: IssuedForm) -> bytes:
    """The stored copy; ``FileNotFoundError`` when the store no longer has it, ``files.StorageUnavailable``
    when the store itself fails."""
    try:
        with default_storage.open(issued.file.name, "rb") as handle:
            data: bytes = handle.read()
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise files.storage_unavailable(exc) from exc
    return data


def transfer_slip(dossier: Dossier, order: int) -> tuple[str, bytes]:
    """(file name, PDF) of the transfer slip of the dossier's part ``order`` (*phiếu chuyển xử lý*, one-stop
    inter-agency), as it was sent: its number was taken when it was sent (``workflow.interagency``); a part not
    sent yet has no slip (404)."""
    from .workflow import interagency
    from .workflow.models import AgencyPart

    parts = list(AgencyPart.objects.filter(dossier=dossier).select_related("agency").order_by("order"))
    part = next((p for p in parts if p.order == order and not p.lead and p.sent_at is not None), None)
    if part is None:
        raise DomainError(_("This dossier has no such transfer slip."), code="not_found", status=404)
    sender = interagency.sender_of(dossier, part, parts)
    pdf = renderer().transfer_slip_pdf(dossier, part, sender, parts)
    return f"{dossier.public_id}-phieu-chuyen-{order}.pdf", pdf
