"""Rendering legal forms (PDF) from what the dossiers app gives it, and the register as PDF and XLSX. Nothing
here writes: issuing a form (its number, stored file and event) is ``motcua.dossiers.issuing``."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.dates import legal_date
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from motcua.core.text import nfc
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import rule_set_on

from . import legal
from .models import SignedDocument


def _context(d: Dossier, role: str, base_url: str, at: dt.datetime, number: str) -> dict[str, Any]:
    """The form's context; ``number`` is the number and symbol the register gave the issue ("" on a preview;
    the receipt carries the dossier's register number either way)."""
    if role == "receipt":
        return legal.receipt_context(d, base_url)
    if role == "supplement-request":
        return legal.supplement_context(d, number)
    if role == "refusal":
        return legal.refusal_context(d, number)
    if role == "refusal-answer":
        return legal.refusal_answer_context(d, number)
    if role == "stop-notice":
        return legal.stop_context(d, number)
    if role == "apology":
        a = d.apology
        assert a.issued_by is not None and a.issued_at is not None  # only a signed letter is a form
        return legal.apology_context(d, reason=a.reason, new_due=a.new_due_at, signer=a.issued_by,
                                     original_due=a.original_due_at, at=a.issued_at, late=a.late, number=number)
    return legal.control_context(d, at, number)


def render_form(dossier: Dossier, role: str, *, base_url: str, at: dt.datetime, preview: bool,
                number: str = "") -> bytes:
    """The PDF of the form ``role`` of the dossier, as it stands at ``at``, numbered ``number`` ("0012/YCBS").
    The dossiers app decides that the form applies, numbers and issues it (``motcua.dossiers.issuing``, which
    registers this renderer); a preview carries ``issuing.PREVIEW_MARK`` across it and no number."""
    return legal.render_pdf(role, _context(dossier, role, base_url, at, number), preview=preview)


def transfer_slip_pdf(dossier: Dossier, part: Any, sender: Any, parts: list[Any]) -> bytes:
    """The transfer slip of one agency's part (``dossiers.workflow.interagency``), as it was sent."""
    return legal.render_pdf("transfer-slip", legal.transfer_slip_context(dossier, part, sender, parts))


def apology_pdf(dossier: Dossier, *, reason: str, new_due: dt.datetime, signer: User | None) -> bytes:
    """Form 04 (apology and new date) rendered from given data (unnumbered, signed by ``signer``);
    the issued letter comes from ``dossiers.issuing.issue(user, dossier, "apology")`` once the leader has
    signed the drafted apology (``workflow.services.sign_apology``)."""
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
    sheet.write(0, 0, f"SỔ THEO DÕI HỒ SƠ — từ {legal_date(first)} đến {legal_date(last)}", bold)
    for col, heading in enumerate(legal.REGISTER_HEADINGS):
        sheet.write(2, col, heading, bold)
    for row, values in enumerate(legal.register_rows(dossiers), start=3):
        for col, value in enumerate(values):
            sheet.write_string(row, col, value, cell)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 10, 22)


@transaction.atomic
def revoke_document(user: User, token: str, reason: str) -> SignedDocument:
    """The agency annuls a paper it signed (a result withdrawn, a copy issued in error): its leader says why, and
    the public verification page then says the paper is revoked. Once."""
    record = SignedDocument.objects.select_for_update().filter(token=token).first()
    if record is None:
        raise NotFound(_("No such signed paper."))
    if not has_capability(user, Capability.SIGN_RESULTS, record.agency):
        raise PermissionDenied(_("Only the agency's leader may revoke its papers."), code="forbidden")
    reason = nfc(reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the paper is revoked."), code="invalid", details={"field": "reason"})
    if record.revoked_at is not None:
        raise Conflict(_("This paper is already revoked."), code="already_revoked")
    record.revoked_at, record.revoked_by, record.revocation_reason = timezone.now(), user, reason[:2000]
    record.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    return record
