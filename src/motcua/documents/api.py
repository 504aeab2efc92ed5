"""Public API of the verification of signed papers: ``GET /api/v1/verify/{token}`` (the paper kept under its
address) and ``POST /api/v1/verify`` (a PDF in hand, multipart field ``file``, optional ``token``). No sign-in;
no personal data of the applicant."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from motcua.core.api_schemas import ErrorOut
from motcua.core.errors import DomainError, NotFound
from motcua.core.throttle import allow

from . import signing
from .views import MAX_BYTES

router = Router(tags=["verification"])


class VerdictOut(Schema):
    ok: bool
    found: bool
    signed: bool
    intact: bool
    valid: bool
    trusted: bool
    certificate_revoked: bool
    revocation_checked: bool
    matches_record: bool
    paper_revoked: bool
    revocation_reason: str = ""
    kind: str = ""
    title: str = ""
    number: str = ""
    agency: str = ""
    signer: str = ""
    signer_title: str = ""
    signed_at: dt.datetime | None = None
    sha256: str = ""
    certificate_holder: str = ""
    problems: list[str]


def _out(v: signing.Verdict) -> dict[str, object]:
    r = v.record
    return {"ok": v.ok, "found": v.found, "signed": v.signed, "intact": v.intact, "valid": v.valid,
            "trusted": v.trusted, "certificate_revoked": v.cert_revoked, "revocation_checked": v.revocation_checked,
            "matches_record": v.matches_record, "paper_revoked": v.paper_revoked,
            "revocation_reason": r.revocation_reason if r else "", "kind": r.kind if r else "",
            "title": r.title if r else "", "number": r.reference if r else "", "agency": r.agency.name if r else "",
            "signer": r.signer_name if r else "", "signer_title": r.signer_title if r else "",
            "signed_at": r.signed_at if r else None, "sha256": r.sha256 if r else "",
            "certificate_holder": v.signer, "problems": [str(p) for p in v.problems]}


@router.get("/{token}", response={200: VerdictOut, 404: ErrorOut}, auth=None,
            summary="Check a signed paper kept under its address (the QR code printed on it)")
def verify_token(request: HttpRequest, token: str) -> dict[str, object]:
    verdict = signing.verify_record(token)
    if not verdict.found:
        raise NotFound(_("No signed paper has this address."))
    return _out(verdict)


@router.post("", response={200: VerdictOut, 400: ErrorOut, 413: ErrorOut, 429: ErrorOut}, auth=None,
             summary="Check a PDF you hold: is it a paper signed here, unchanged, by a certificate in force?")
def verify_file(request: HttpRequest, file: File[UploadedFile], token: Form[str] = "") -> dict[str, object]:
    if not allow(request, "verify", limit=30, window=60, namespace="documents"):
        raise DomainError(_("Too many checks from your connection: try again in a minute."), code="throttled",
                          status=429)
    if (file.size or 0) > MAX_BYTES:
        raise DomainError(_("The file is larger than 20 MB."), code="too_large", status=413)
    data = file.read()
    if not data.startswith(b"%PDF"):
        raise DomainError(_("The file is not a PDF."), code="invalid", details={"field": "file"})
    return _out(signing.verify_bytes(data, token))
