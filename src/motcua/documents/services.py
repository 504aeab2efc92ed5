"""Issuing legal forms: render, store with the dossier, log as an event. Registers as PDF and XLSX."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, DomainError
from motcua.dossiers import events, files
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import form_info, role_for, rule_set_on

from . import legal
from .models import IssuedForm

TRAIL_KINDS = (EventKind.CREATED, EventKind.STATUS_CHANGED, EventKind.CLOCK, EventKind.CODE_ASSIGNED)


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
        "refusal": d.status == Status.NOT_RECEIVED or has_refusal_result,  # at intake, or after appraisal
        "apology": has_apology,
        "stop-notice": d.status == Status.STOPPED,
        "control-sheet": d.code is not None,
    }
    in_set = (d.rules or {}).get("forms") or {}
    return [role for role, applies in wanted.items() if applies and (not in_set or role in in_set)]


def _available(d: Dossier, role: str) -> bool:
    statuses = d.events.filter(kind__in=(EventKind.STATUS_CHANGED, EventKind.CREATED)).values_list(
        "status_after", flat=True)
    return role in applicable_forms(d, statuses, has_refusal_result=d.results.filter(kind="refusal").exists(),
                                    has_apology=getattr(d, "apology", None) is not None)


def _context(d: Dossier, role: str, base_url: str, at: dt.datetime) -> dict[str, Any]:
    if role == "receipt":
        return legal.receipt_context(d, base_url)
    if role == "supplement-request":
        return legal.supplement_context(d)
    if role == "refusal":
        return legal.refusal_context(d)
    if role == "stop-notice":
        return legal.stop_context(d)
    if role == "apology":
        a = d.apology
        return legal.apology_context(d, reason=a.reason, new_due=a.new_due_at, signer=a.issued_by.get_full_name(),
                                     original_due=a.original_due_at, at=a.issued_at)
    return legal.control_context(d, at)


def resolve_role(d: Dossier, name: str) -> str:
    role = role_for(d.rules, name)
    if role is None:
        raise DomainError(_("The dossier's form set has no form “%(name)s”.") % {"name": name}, code="unknown_form",
                          status=404)
    return role


def _trail_basis(d: Dossier) -> str:
    last = d.events.filter(kind__in=TRAIL_KINDS).order_by("-seq").values_list("hash", flat=True).first()
    return last or ""


def issue(user: User, dossier: Dossier, name: str, base_url: str = "") -> IssuedForm:
    """The form of role (or number) ``name`` for the dossier: issued once and then served from storage;
    the control sheet is issued again when the trail has grown. Each issue is stored and logged."""
    role = resolve_role(dossier, name)
    if role == "register":
        raise Conflict(_("This form is not issued from the dossier page."), code="form_not_available")
    if not _available(dossier, role):
        raise Conflict(_("This form does not apply to the dossier in its present state."), code="form_not_available")
    basis = _trail_basis(dossier) if role == "control-sheet" else ""
    existing = IssuedForm.objects.filter(dossier=dossier, role=role).order_by("-version").first()
    if existing is not None and existing.basis == basis:
        return existing
    now = timezone.now()
    pdf = legal.render_pdf(role, _context(dossier, role, base_url, now))
    name_on_disk = files.durable_save(f"{files.ROOT}/{now:%Y/%m/%d}/{dossier.reference}/forms/{role}.pdf", pdf)
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            version = (existing.version + 1) if existing else 1
            info = form_info(locked.rules, role) or {}
            issued = IssuedForm.objects.create(
                dossier=locked, role=role, form_set=str(locked.rules.get("key", "")), number=info.get("number", ""),
                version=version, file=name_on_disk, sha256=hashlib.sha256(pdf).hexdigest(), issued_by=user,
                issued_at=now, basis=basis)
            events.append(locked, EventKind.FORM_ISSUED, user, data={
                "form": role, "number": issued.number, "form_set": issued.form_set, "version": version,
                "sha256": issued.sha256})
    except BaseException:
        files.discard([name_on_disk])
        raise
    return issued


def read(issued: IssuedForm) -> bytes:
    with default_storage.open(issued.file.name, "rb") as handle:
        data: bytes = handle.read()
    return data


def apology_pdf(dossier: Dossier, *, reason: str, new_due: dt.datetime, signer: str) -> bytes:
    """Form 04 (apology and new date) rendered from given data (a preview); the issued letter comes from
    ``issue(user, dossier, "apology")`` once ``workflow.services.apologize`` has recorded the apology."""
    ctx = legal.apology_context(dossier, reason=reason, new_due=new_due, signer=signer,
                                original_due=dossier.due_at, at=timezone.now())
    return legal.render_pdf("apology", ctx)


def register_pdf(user: User, dossiers: list[Dossier], first: dt.date, last: dt.date) -> bytes:
    unit = user.unit or (dossiers[0].receiving_unit if dossiers else None)
    if unit is None:
        raise DomainError(_("Your account names no unit."), code="no_unit")
    ctx = legal.register_context(unit, rule_set_on(last), dossiers, first, last, timezone.now())
    return legal.render_pdf("register", ctx)


def register_xlsx(dossiers: list[Dossier], first: dt.date, last: dt.date) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "text_wrap": True, "border": 1, "font_name": "Liberation Serif"})
    cell = book.add_format({"text_wrap": True, "border": 1, "font_name": "Liberation Serif", "valign": "top"})
    write_register_sheet(book, bold, cell, dossiers, first, last)
    book.close()
    return buffer.getvalue()


def write_register_sheet(book: Any, bold: Any, cell: Any, dossiers: list[Dossier], first: dt.date,
                         last: dt.date) -> None:
    """The register (form 07) as a worksheet of ``book``; also a sheet of the periodic report (stats)."""
    sheet = book.add_worksheet("So theo doi ho so")
    sheet.write(0, 0, f"SỔ THEO DÕI HỒ SƠ — từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}", bold)
    for col, heading in enumerate(legal.REGISTER_HEADINGS):
        sheet.write(2, col, heading, bold)
    for row, values in enumerate(legal.register_rows(dossiers), start=3):
        for col, value in enumerate(values):
            sheet.write_string(row, col, value, cell)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 10, 22)
