"""The legal forms as PDF: context per form role, rendered by WeasyPrint from HTML templates.

Layout after Decree 30/2020/NĐ-CP Annex I as commonly applied [secondary]: the issuing body top left
over the number, the national title and motto top right over the place and date; Liberation Serif
(metric-compatible with Times New Roman) at 13 pt; A5 where Circular 01/2018 Arts. 9-10 say so.
The forms are in Vietnamese whatever the reader's language: they are legal documents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.selectors import signature
from motcua.core import links
from motcua.core.dates import legal_date, legal_datetime
from motcua.dossiers.choices import ApplicantKind, EventKind, Status
from motcua.dossiers.deadlines import waits_for
from motcua.dossiers.issuing import PREVIEW_MARK, issuing_unit, paper_symbol
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.rules import form_info
from motcua.dossiers.workflow import classification, interagency
from motcua.dossiers.workflow.choices import ReturnMethod

UNIT_WORDS = {"working_days": "ngày làm việc", "working_hours": "giờ làm việc", "days": "ngày"}
# The later events a time limit may count from (``catalogue.choices.ClockStart``), as the receipt words them,
# with the article that names them.
CLOCK_START_WORDS = {
    "evaluation_result": ("thông báo kết quả đánh giá", "Nghị định số 212/2026/NĐ-CP, Điều 30, 31"),
    "exam_result": ("kết quả sát hạch đạt yêu cầu", "Nghị định số 175/2024/NĐ-CP, Điều 76"),
    "competent_receipt": ("cơ quan có thẩm quyền tiếp nhận hồ sơ",
                          "Nghị định số 118/2025/NĐ-CP, Điều 17 khoản 3, sửa đổi bởi Nghị định số 309/2026/NĐ-CP"),
}
RESULT_WORDS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
# How the applicant asked to receive the result (``Dossier.result_method``; Decree 61/2018 Art. 20), as the
# receipt words it (Circular 01/2018 form 01, "nhận kết quả tại").
RETURN_WORDS = {ReturnMethod.DESK.value: "Trực tiếp tại Bộ phận Một cửa",
                ReturnMethod.POST.value: "Qua dịch vụ bưu chính công ích",
                ReturnMethod.ONLINE.value: "Trực tuyến (bản điện tử của kết quả)"}


def when(value: dt.datetime | None) -> str:
    """"08 giờ 30 phút, ngày 05 tháng 8 năm 2026" in Vietnam time — hour, minute and date, as form 01 requires;
    the date as Decree 30/2020 Annex I writes it (``core.dates``)."""
    return legal_datetime(value) if value is not None else "—"


def day_of(value: dt.datetime | None) -> str:
    """"ngày 05 tháng 8 năm 2026" (Decree 30/2020 Annex I, ``core.dates``)."""
    return legal_date(value) if value else "—"


def _place() -> str:
    name = str(getattr(settings, "MOTCUA_SITE", {}).get("province_name", ""))
    for prefix in ("Tỉnh ", "tỉnh ", "Thành phố ", "thành phố "):
        name = name.removeprefix(prefix)
    return name or "Việt Nam"


def header(dossier: Dossier | None, unit: Any, number: str, at: dt.datetime) -> dict[str, str]:
    """The issuing body (Decree 30/2020 Art. 8(2)(b), Annex I: the name of the body that issues the paper under
    that of the body directly over it — "SỞ XÂY DỰNG" over "BỘ PHẬN MỘT CỬA", "UBND TỈNH" over "SỞ XÂY
    DỰNG"), the number and symbol, the place and date."""
    parent = unit.parent.name if unit.parent else ""
    # "Lâm Đồng, ngày 05 tháng 7 năm 2026": the place and the date of issue (Decree 30/2020 Annex I).
    return {"parent": parent.upper() if parent else "", "agency": unit.name, "number": number,
            "place": _place(), "date": legal_date(at)}


def number_or_blank(number: str, role: str) -> str:
    """The number and symbol an issued paper carries; a preview has none yet ("…/YCBS"): the register gives it
    when the paper is issued (``dossiers.issuing``)."""
    return number or f"…/{paper_symbol(role)}"


def signer_block(user: User | None, unit: Any, at: dt.datetime) -> dict[str, str]:
    """Who signs, on whose authority, with which position (``accounts.selectors.signature``), upper-cased as
    Decree 30/2020 Annex I sets the authority and position lines."""
    block = signature(user, unit.agency() or unit if unit is not None else None, timezone.localdate(at))
    return {**block, "authority": block["authority"].upper(), "title": block["title"].upper()}


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=1)


def tracking_url(dossier: Dossier, base_url: str) -> str:
    base = getattr(settings, "MOTCUA_PUBLIC_BASE_URL", "") or base_url
    return f"{base.rstrip('/')}/tra-cuu?code={dossier.public_id}"


def survey_url(dossier: Dossier, base_url: str = "") -> str:
    """The signed link of the satisfaction survey about the dossier (the surveys app answers it once per
    dossier): Decree 61/2018 Art. 29 and Circular 01/2018 Arts. 12-15 ask the agency to collect the citizen's
    assessment; on paper, a QR code beside the receipt's and the result's text is the shortest way to it."""
    base = getattr(settings, "MOTCUA_PUBLIC_BASE_URL", "") or base_url
    path = links.survey_path(dossier.code or "")
    return f"{base.rstrip('/')}{path}" if base else links.absolute(path)


def survey_block(dossier: Dossier, base_url: str = "") -> dict[str, str]:
    """What ``documents/forms/_survey_qr.html`` prints: the link and its QR code; empty for a dossier without
    a code (a preview before receipt), whose link would not be answerable."""
    if not dossier.code:
        return {}
    url = survey_url(dossier, base_url)
    return {"url": url, "qr": qr_data_uri(url)}


def _identifier(d: Dossier) -> str:
    return d.applicant_id_number or d.applicant_tax_code or "—"


def _legal_time(d: Dossier) -> str:
    clock = d.clock or {}
    if not clock.get("amount"):
        return "—"
    amount = clock["amount"].rstrip("0").rstrip(".") if "." in clock["amount"] else clock["amount"]
    return f"{amount} {UNIT_WORDS.get(clock.get('unit', ''), clock.get('unit', ''))}"


def _clock_waits(d: Dossier) -> dict[str, str] | None:
    """What the receipt says instead of a promised date when the time counts from a later event not recorded
    yet (a CCHN's notice of the evaluation result): a date counted from the receipt would be wrong."""
    event = waits_for(d)
    if not event:
        return None
    words, basis = CLOCK_START_WORDS.get(event, (event, ""))
    return {"event": words, "basis": basis}


def _last(d: Dossier, kind: str, status_after: int | None = None) -> DossierEvent | None:
    qs = d.events.filter(kind=kind)
    if status_after is not None:
        qs = qs.filter(status_after=status_after)
    return qs.select_related("actor").order_by("-seq").first()


def _officer(event: DossierEvent | None) -> str:
    return event.actor.get_full_name() if event else ""


def common(d: Dossier, role: str, number: str, at: dt.datetime) -> dict[str, Any]:
    info = dict(form_info(d.rules, role) or {})
    info["basis"] = d.rules.get("forms_basis", "")
    unit = issuing_unit(d, role)
    return {
        "d": d, "form": info, "header": header(d, unit, number_or_blank(number, role), at), "issuing": unit,
        "receiving": d.receiving_unit,
        "processing": d.processing_unit, "procedure": d.snapshot.get("procedure", {}), "identifier": _identifier(d),
        "rep": d.representative or None, "received_at": when(d.received_at), "due_at": when(d.due_at),
        "received_date": day_of(d.received_at),
    }


def register_number(d: Dossier) -> str:
    """The dossier's number in its receiving agency's register of the year, from "01" (numbers start at 01,
    Decree 30/2020 Art. 15(1)), or "" for a dossier never received."""
    return f"{d.register_number:02d}" if d.register_number else ""


def receipt_context(d: Dossier, base_url: str) -> dict[str, Any]:
    received = _last(d, EventKind.CODE_ASSIGNED) or _last(d, EventKind.CREATED)
    # The receipt is numbered and entered in the register by the register's number, continuous through the
    # year (Circular 01/2018 Arts. 9-10; Decree 30/2020 Art. 15(1)), not by the code's daily sequence.
    number = register_number(d)
    ctx = common(d, "receipt", f"{number}/TNHS", d.received_at or timezone.now())
    ctx.update(documents=list(d.documents.all()), legal_time=_legal_time(d), officer=_officer(received),
               clock_waits=_clock_waits(d),
               qr=qr_data_uri(tracking_url(d, base_url)), survey=survey_block(d, base_url), register_number=number,
               return_method=RETURN_WORDS.get(d.result_method, ""))
    return ctx


def supplement_context(d: Dossier, number: str = "") -> dict[str, Any]:
    event = _last(d, EventKind.STATUS_CHANGED, Status.SUPPLEMENT_REQUESTED) or _last(d, EventKind.CREATED)
    assert event is not None
    ctx = common(d, "supplement-request", number, event.at)
    # The citizen is sent to the officer who asked, in the unit that officer works in (the division during
    # processing, the desk at intake), with that unit's phone (Circular 01/2018 form 02: contact person).
    unit = event.actor.unit if event.actor.unit else d.receiving_unit
    ctx.update(missing=event.data.get("missing", []), reason=event.reason, officer=_officer(event),
               officer_unit=unit, contact_phone=unit.phone or d.receiving_unit.phone)
    return ctx


def refusal_context(d: Dossier, number: str = "") -> dict[str, Any]:
    event = (_last(d, EventKind.REFUSED) or _last(d, EventKind.STATUS_CHANGED, Status.NOT_RECEIVED)
             or _last(d, EventKind.CREATED))
    assert event is not None
    ctx = common(d, "refusal", number, event.at)
    ctx.update(reason=event.reason, officer=_officer(event))
    return ctx


def sentence(text: str) -> str:
    """``text`` without the full stops it ends with: the letter puts its own ("Lý do: … ." never "..")."""
    return text.strip().rstrip(".").rstrip()


def apology_context(d: Dossier, *, reason: str, new_due: dt.datetime, signer: User | None,
                    original_due: dt.datetime | None, at: dt.datetime, late: bool = False,
                    number: str = "") -> dict[str, Any]:
    """Form 04, issued in the name of the processing agency and signed by ``signer``, the leader who signed it,
    with their own position and authority ("KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC" for a deputy: Decree 30/2020
    Art. 13); ``late``: issued after the limit for apologising (Decree 61/2018 Art. 19(9)), which the letter
    says."""
    ctx = common(d, "apology", number, at)
    ctx.update(reason=sentence(reason), new_due=when(new_due), original_due=when(original_due),
               signer=signer_block(signer, ctx["issuing"], at), late=late)
    return ctx


def addressee(d: Dossier) -> dict[str, str]:
    """Whom the agency's paper is addressed to: an organisation by its name, a person as "Ông/Bà" followed by
    the name (the way an agency writes to a citizen); "ông/bà" in the text only for a person."""
    organisation = d.applicant_kind == ApplicantKind.ORGANISATION
    return {"line": d.applicant_name if organisation else f"Ông/Bà {d.applicant_name}",
            "you": d.applicant_name if organisation else "ông/bà"}


def refusal_answer_context(d: Dossier, number: str) -> dict[str, Any]:
    """The processing agency's written answer refusing the dossier after appraisal, with the reason (Decree
    61/2018 Art. 19(8)): laid out as a notice of Decree 30/2020 (Art. 8(2): issuing agency, number and symbol
    from the register of the agency's notices, place and date, type and summary, content, the signer's position,
    name and signature, recipients), signed by the leader who signed it in the system, with who drafted and
    approved it kept in the event."""
    result = d.results.filter(kind="refusal").select_related("signer").order_by("-recorded_at").first()
    event = _last(d, EventKind.REFUSED)
    assert result is not None and event is not None
    at = result.recorded_at
    unit = d.processing_unit
    agency = unit.agency() or unit
    ctx = common(d, "refusal-answer", number or result.number, at)
    ctx.update(reason=sentence(result.reason), signer=signer_block(result.signer, agency, at), agency=agency,
               to=addressee(d), drafted_by=event.data.get("drafted_by", ""), survey=survey_block(d))
    return ctx


def stop_context(d: Dossier, number: str = "") -> dict[str, Any]:
    stop = _last(d, EventKind.STATUS_CHANGED, Status.STOPPED)
    request = _last(d, EventKind.STATUS_CHANGED, Status.WITHDRAWAL_REQUESTED)
    assert stop is not None
    ctx = common(d, "stop-notice", number, stop.at)
    ctx.update(reason=stop.reason, officer=_officer(stop), stopped_at=when(stop.at),
               requested_on=day_of(request.at if request else None), request_reason=request.reason if request else "")
    return ctx


def transfer_slip_context(d: Dossier, part: Any, sender: Any, others: list[Any]) -> dict[str, Any]:
    """The transfer slip (*phiếu chuyển xử lý*) of one agency's part of an inter-agency dossier: what it is to
    do and by when, who leads, where its result goes (dossier-lifecycle.md §5). Numbered in the sending unit's
    register (``dossiers.workflow.interagency``)."""
    at = part.sent_at or timezone.now()
    ctx = common(d, "control-sheet", "", at)
    ctx["form"] = {"title": "PHIẾU CHUYỂN XỬ LÝ HỒ SƠ", "paper": "A4", "number": "",
                   "summary": "Giải quyết thủ tục hành chính theo cơ chế một cửa liên thông"}
    ctx["header"] = header(d, sender, part.slip_reference or number_or_blank("", "transfer-slip"), at)
    ordered = sorted(others, key=lambda o: o.order)
    lead = next((o.agency for o in ordered if o.lead), d.processing_unit)
    after = [o for o in ordered if o.order > part.order and not o.lead]
    sent = next((e for e in d.events.filter(kind=EventKind.PART_SENT).select_related("actor").order_by("-seq")
                 if e.data.get("part") == part.pk), None)
    hours = part.share_seconds / 3600 if part.share_seconds else 0
    share = (f"{hours / 8:g} ngày làm việc" if hours and hours % 8 == 0 else f"{hours:g} giờ làm việc") if hours else ""
    ctx.update(part=part, sender=sender, lead=lead, mode=(d.snapshot.get("version") or {}).get("interagency_mode"),
               next_agency=after[0].agency if after else lead, part_due=when(part.due_at), share=share,
               clock_start_at=when(d.clock_start_at), officer=_officer(sent),
               others=[{"agency": o.agency, "lead": o.lead, "part": o.part, "due": when(o.due_at) or "—"}
                       for o in ordered if o.pk != part.pk])
    return ctx


def _result(at: dt.datetime, due: dt.datetime | None) -> str:
    """Early / on time / late for one hand-over (Circular 01/2018 form 05), by the one rule
    (``workflow.classification.hand_over``): before the due day early, on it on time, after it late."""
    outcome = classification.hand_over(at, due)
    return RESULT_WORDS[outcome.value] if outcome is not None else ""


def step_trail(d: Dossier, at: dt.datetime) -> list[dict[str, str]]:
    """The hand-overs of the internal process, one row per step that ran: giver and receiver, the time, and
    early / on time / late against the step's budget (indicator 2.1 rule, ``workflow.classification``). An
    inter-agency dossier's parts follow, each a hand-over by its transfer slip judged against the agency's share
    of the time, then the agency's own steps."""
    everything = list(d.steps.select_related("unit", "actor", "ended_by").order_by("order", "id"))
    rows = _step_rows([s for s in everything if s.part_id is None], at)
    parts = list(d.parts.select_related("agency").order_by("order"))
    for part in [p for p in parts if not p.lead and p.sent_at is not None]:
        sender = interagency.sender_of(d, part, parts)
        judged = interagency.judge_part(part)
        rows.append({"giver": sender.name, "receiver": part.agency.name, "at": when(part.sent_at),
                     "result": RESULT_WORDS.get(judged, "") if judged else "",
                     "note": f"Phiếu chuyển xử lý số {part.slip_reference}: {part.part}; hạn {when(part.due_at)}"
                             + (f"; trả kết quả {when(part.ended_at)}" if part.ended_at else "")})
        rows.extend(_step_rows([s for s in everything if s.part_id == part.pk], at))
    return rows


def _step_rows(steps: list[Any], at: dt.datetime) -> list[dict[str, str]]:
    rows = []
    for i, s in enumerate(steps):
        if s.started_at is None or s.outcome == "skipped":
            continue
        nxt = next((n for n in steps[i + 1:] if n.started_at is not None and n.outcome != "skipped"), None)
        giver = f"{s.unit.name if s.unit else ''} ({s.actor.get_full_name() if s.actor else '—'})"
        receiver = (f"{nxt.unit.name if nxt.unit else ''}" + (f" ({nxt.actor.get_full_name()})" if nxt.actor else "")
                    if nxt else "")
        result = classification.label(classification.classify_step(s, at)) if s.ended_at else ""
        note = s.name + (f" — {s.get_outcome_display()}" if s.outcome and s.outcome != "done" else "")
        rows.append({"giver": giver, "receiver": receiver, "at": when(s.ended_at) if s.ended_at else "—",
                     "result": result, "note": note + (f": {s.note}" if s.note else "")})
    return rows


def trail(d: Dossier) -> list[dict[str, str]]:
    """The hand-overs, from the event log (the trail is logged automatically, domain note §12.3)."""
    rows = []
    for event in d.events.filter(kind=EventKind.STATUS_CHANGED).select_related("actor").order_by("seq"):
        after = Status(event.status_after) if event.status_after else None
        if after == Status.IN_PROGRESS and "to_unit" in event.data:
            due = d.transfer_due_at
            rows.append({"giver": f"{d.receiving_unit.name} ({event.actor.get_full_name()})",
                         "receiver": d.processing_unit.name, "at": when(event.at), "result": _result(event.at, due),
                         "note": "Chuyển hồ sơ"})
        elif after is not None:
            rows.append({"giver": event.actor.get_full_name(), "receiver": "", "at": when(event.at),
                         "result": _result(event.at, d.due_at), "note": str(after.label)})
    return rows


def control_context(d: Dossier, at: dt.datetime, number: str = "") -> dict[str, Any]:
    ctx = common(d, "control-sheet", number, at)
    steps = d.snapshot.get("version", {}).get("steps", [])
    partners = {p["agency"]["name"] for p in interagency.participants(d) if not p["lead"] and p.get("agency")}
    coordinating = sorted(({s["unit"]["name"] for s in steps if s.get("unit")} | partners) - {d.processing_unit.name})
    has_steps = d.steps.exists()
    overall = classification.classify_dossier(d, None, at) if has_steps else None
    ctx.update(trail=step_trail(d, at) if has_steps else trail(d), coordinating=", ".join(coordinating),
               classification=classification.label(overall), original_due=when(d.original_due_at)
               if d.original_due_at else "")
    return ctx


REGISTER_HEADINGS = ["STT", "Mã hồ sơ", "Tên thủ tục", "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại",
                     "Cơ quan chủ trì giải quyết", "Ngày nhận hồ sơ", "Ngày hẹn trả kết quả", "Ngày trả kết quả",
                     "Hình thức nhận kết quả", "Ký nhận"]


def register_rows(dossiers: list[Dossier]) -> list[list[str]]:
    """One row per dossier; "STT" is the dossier's number in the register of its year (``register_number``),
    so a register printed for any period shows the numbers it was entered under."""
    rows = []
    for d in dossiers:
        contact = ", ".join(filter(None, [d.applicant_address, d.applicant_phone]))
        rows.append([register_number(d), d.code or "", d.snapshot.get("procedure", {}).get("name", ""),
                     d.applicant_name, contact, d.processing_unit.name, when(d.received_at), when(d.due_at),
                     when(d.returned_at) if d.returned_at else "", _how_returned(d), _signed_for(d)])
    return rows


def _how_returned(d: Dossier) -> str:
    """How the result was received; a posted one with its tracking number, so that it can be traced."""
    words = RETURN_WORDS.get(d.result_method, "")
    if d.returned_at and d.postal_tracking:
        words = f"{words}, mã bưu gửi {d.postal_tracking}"
    return words


def _signed_for(d: Dossier) -> str:
    """The register's "Ký nhận": who collected the paper result, their ID number (masked for a reader who may
    not see it: ``selectors.masked_copy``) and whether they signed (Decree 61/2018 Art. 20)."""
    if not (d.returned_at and d.collector_name):
        return ""
    who = f"{d.collector_name}, số định danh {d.collector_id_number}" if d.collector_id_number else d.collector_name
    return f"{who} — {'đã ký nhận' if d.collector_signed else 'chưa ký'}"


def register_context(unit: Any, rules: dict[str, Any], dossiers: list[Dossier], first: dt.date, last: dt.date,
                     at: dt.datetime) -> dict[str, Any]:
    info = dict(form_info(rules, "register") or {})
    info["basis"] = rules.get("forms_basis", "")
    return {"form": info, "header": header(None, unit, f"{first:%Y}/SỔ", at), "headings": REGISTER_HEADINGS,
            "rows": register_rows(dossiers), "first": legal_date(first), "last": legal_date(last)}


def render_pdf(role: str, context: dict[str, Any], *, preview: bool = False) -> bytes:
    """The form as PDF; a preview (not issued) carries ``PREVIEW_MARK`` at its head and across the page."""
    from weasyprint import HTML  # heavy: loaded on the first rendering, not at start-up

    mark = PREVIEW_MARK if preview else ""
    html = render_to_string(f"documents/forms/{role}.html", {**context, "preview_mark": mark})
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
