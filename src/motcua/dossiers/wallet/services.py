"""Writes of the citizen's documents: a result kept for its holder when it is recorded with its file."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability
from motcua.accounts.selectors import signature
from motcua.core.errors import DomainError, PermissionDenied
from motcua.core.text import nfc

from .. import codes, files, signatures
from ..issuing import agency_symbol
from ..models import Dossier
from ..workflow.models import Result
from .models import CertifiedCopy, HeldDocument


def keep_result(dossier: Dossier, result: Result) -> HeldDocument | None:
    """Keep an electronic result in its holder's documents (called in the transaction that records it): the
    file, the number, the kind of paper the procedure's result is. A result without a file, or a dossier without
    the applicant's ID number or tax code, keeps nothing. Idempotent (one per result)."""
    holder_id = dossier.applicant_id_number or dossier.applicant_tax_code
    if result.attachment_id is None or not holder_id:
        return None
    procedure = dossier.snapshot.get("procedure") or {}
    held, _created = HeldDocument.objects.get_or_create(result=result, defaults={
        "holder": dossier.owner, "holder_number": holder_id, "holder_name": dossier.applicant_name,
        "kind": procedure.get("result_kind") or "", "title": procedure.get("result_name") or procedure.get("name", ""),
        "number": result.number, "issued_on": result.issued_on, "issuer": dossier.processing_unit.agency()
        or dossier.processing_unit, "attachment_id": result.attachment_id, "dossier": dossier})
    return held


@dataclass
class CopyInput:
    """What the desk records of a paper original presented to be copied and certified."""

    title: str
    presenter_name: str
    presenter_number: str
    kind: str = ""
    original_number: str = ""
    original_issuer: str = ""
    original_date: dt.date | None = None
    pages: int = 1


def certify_copy(user: User, unit: OrgUnit, data: CopyInput, scan: files.Upload) -> CertifiedCopy:
    """Certify an electronic copy of a paper original presented at the desk (Decree 45/2020/NĐ-CP Art. 6; Decree
    23/2015/NĐ-CP as amended): the scan of the original (a PDF), numbered in the agency's register of certified
    copies of the year (from 01, Decree 30/2020 Art. 15), signed in the agency's name where it has a key
    (``signatures``, kind ``certified-copy``), and kept in the presenter's documents. An officer of a desk of the
    agency certifies; nothing is kept when anything fails."""
    if not has_capability(user, Capability.RECEIVE_DOSSIERS, unit):
        raise PermissionDenied(_("You may not certify copies for this unit."), code="forbidden")
    title, name, number = nfc(data.title).strip(), nfc(data.presenter_name).strip(), data.presenter_number.strip()
    if not title:
        raise DomainError(_("Name the paper copied."), code="invalid", details={"fields": [{"field": "title"}]})
    if not name:
        raise DomainError(_("Give the name of the person who presents the original."), code="invalid",
                          details={"fields": [{"field": "presenter_name"}]})
    if not re.fullmatch(r"\d{10,14}(-\d{3})?", number):
        raise DomainError(_("Give the presenter's personal ID number (12 digits) or tax code."), code="invalid",
                          details={"fields": [{"field": "presenter_number"}]})
    if not 1 <= data.pages <= 500:
        raise DomainError(_("The number of pages is between 1 and 500."), code="invalid",
                          details={"fields": [{"field": "pages"}]})
    files.check([scan], office_allowed=set())
    if scan.kind != "pdf":
        raise DomainError(_("The scan of the original must be a PDF."), code="invalid",
                          details={"fields": [{"field": "scan"}]})
    agency = unit.agency() or unit
    now = timezone.now()
    scan.stream.seek(0)
    pdf = scan.stream.read()
    signed = signatures.sign(signatures.SignRequest(
        pdf=pdf, agency=agency, signer=user, kind="certified-copy", subject=f"certified-copy:{agency.code}",
        reference="", title=f"Bản sao điện tử có chứng thực: {title}"[:500],
        signer_title=signature(user, agency)["title"]))
    content = signed.pdf if signed is not None else pdf
    stored = default_storage.save(f"certified-copies/{now:%Y/%m}/{uuid.uuid4().hex[:12]}.pdf", ContentFile(content))
    try:
        with transaction.atomic():
            year = timezone.localdate(now).year
            serial = codes.next_paper_number(agency.code, "certified-copy", year)
            copy = CertifiedCopy.objects.create(
                agency=agency, year=year, number=serial, reference=f"{serial:02d}/SC-{agency_symbol(agency)}",
                title=title[:500], kind=data.kind.strip()[:60], original_number=nfc(data.original_number)[:100],
                original_issuer=nfc(data.original_issuer)[:255], original_date=data.original_date,
                presenter_name=name[:255], presenter_number=number, pages=data.pages, file=stored,
                sha256=hashlib.sha256(content).hexdigest(), signed=signed is not None,
                verify_url=signed.verify_url if signed else "", certified_by=user, certified_at=now)
            HeldDocument.objects.create(holder_number=number, holder_name=name[:255], kind=copy.kind,
                                        title=f"Bản sao chứng thực: {title}"[:500], number=copy.reference,
                                        issued_on=timezone.localdate(now), issuer=agency, copy=copy)
    except BaseException:
        default_storage.delete(stored)
        raise
    return copy
