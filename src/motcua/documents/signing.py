"""Papers signed in the agency's name (the digital signature of the body, Decree 30/2020 Art. 8(2)(h)) and their
public verification.

The dossiers app decides what is signed and when (``motcua.dossiers.signatures``); this module is the signer it
calls, registered in ``DocumentsConfig.ready()``. A paper is signed with the agency's ``SigningKey`` (a PKCS#12
file or an HSM through PKCS#11) in PAdES form (pyHanko: an ETSI.CAdES.detached signature embedded in the PDF,
with the signing certificate and, when ``MOTCUA_SIGNING_TSA_URL`` is set, a time stamp). The signature's visible
block, on the last page, carries the seal image (red, on the left, Decree 30/2020 Annex I), who signed and when,
and a QR code to the public page ``/xac-minh/<token>/`` that checks it.

Verification (``verify_record``, ``verify_bytes``) checks three things and says each:
- the document is the one signed: its SHA-256 equals the record's, and the signature covers the whole file;
- the signature is cryptographically valid and chains to a trusted root (``MOTCUA_SIGNING_TRUST_ROOTS``);
- the certificate was not revoked (the CRLs in ``MOTCUA_SIGNING_CRLS``; fetching CRLs and OCSP over the network
  is off unless ``MOTCUA_SIGNING_FETCH`` is set), and the agency did not revoke the paper.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit
from motcua.core.errors import DomainError
from motcua.dossiers.signatures import Signed, SignRequest

from .models import KeyBackend, SignedDocument, SigningKey

VERIFY_PATH = "/xac-minh/"
# The box of the visible signature on the last page, in points from the bottom left (A4: 595 × 842): right of
# the page, above the bottom margin, where the signer's block of a Decree 30/2020 paper ends.
BOX_WIDTH, BOX_HEIGHT, MARGIN_RIGHT, MARGIN_BOTTOM = 280, 100, 42, 40
FONT_SIZE = 7
FONT_CANDIDATES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                   "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
                   "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")


def _paths(value: str) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def key_for(agency: OrgUnit | None) -> SigningKey | None:
    """The active key of the agency (or of the agency a unit belongs to)."""
    if agency is None:
        return None
    unit = agency.agency() or agency
    return SigningKey.objects.filter(agency=unit, active=True).select_related("agency").first()


def can_sign(agency: OrgUnit, kind: str) -> bool:
    key = key_for(agency)
    if key is None:
        return False
    if kind == "result":
        return key.signs_results
    if kind == "certified-copy":
        return key.signs_copies
    return kind in (key.signs_forms or [])


def _secret(key: SigningKey) -> str:
    value = os.environ.get(key.secret_env, "") if key.secret_env else ""
    if not value and key.secret_file and Path(key.secret_file).is_file():
        value = Path(key.secret_file).read_text(encoding="utf-8").strip()
    if not value:
        raise DomainError(_("The passphrase of the agency's signing key is not configured on the server "
                            "(environment variable %(name)s).") % {"name": key.secret_env or "—"},
                          code="signing_key_secret", status=409)
    return value


@contextmanager
def _hsm(key: SigningKey, pin: str) -> Iterator[Any]:
    """A signer on the HSM, its session closed after the ``with`` block."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    try:
        session = pkcs11.open_pkcs11_session(
            key.pkcs11_module, token_criteria=TokenCriteria(label=key.token_label) if key.token_label else None,
            user_pin=pin)
    except Exception as exc:  # the device's own errors: library missing, token absent, PIN refused
        raise DomainError(_("The agency's signing device could not be used: %(error)s") % {"error": exc},
                          code="signing_key_unusable", status=409) from exc
    try:
        # The digest is computed here and only signed on the device (the raw mechanisms, which every token has).
        signer = pkcs11.PKCS11Signer(session, key_label=key.key_label or None,
                                     cert_label=key.cert_label or key.key_label or None, use_raw_mechanism=True)
        try:
            signer._load_objects()  # find the key and certificate now, so that a wrong label is said plainly
        except Exception as exc:
            raise DomainError(_("The agency's key or its certificate is not on the signing device."),
                              code="signing_key_missing", status=409) from exc
        yield signer
    finally:
        with contextlib.suppress(Exception):  # the session may be gone with the device
            session.close()


@contextmanager
def _signer(key: SigningKey) -> Iterator[Any]:
    """The pyHanko signer of the key for the ``with`` block; a key that cannot be opened is a clear 409, never
    a 500."""
    from pyhanko.sign import signers

    secret = _secret(key)
    if key.backend == KeyBackend.PKCS11:
        with _hsm(key, secret) as signer:
            yield signer
        return
    path = Path(key.pkcs12_path)
    if not path.is_file():
        raise DomainError(_("The agency's signing key file is missing on the server."), code="signing_key_missing",
                          status=409)
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=secret.encode())
    if signer is None:
        raise DomainError(_("The agency's signing key file could not be opened (wrong passphrase?)."),
                          code="signing_key_unusable", status=409)
    yield signer


def _font() -> str | None:
    chosen = getattr(settings, "MOTCUA_SIGNING_FONT", "")
    for path in (chosen, *FONT_CANDIDATES):
        if path and Path(path).is_file():
            return path
    return None


def _block_png(key: SigningKey, lines: list[str], url: str) -> bytes:
    """The visible signature as one picture, drawn at 300 dpi: the seal on the left (Decree 30/2020 Annex I: red,
    over about the left third of the signature), who signed and when beside it, the QR code of the verification
    page on the right. Drawn with Pillow and segno, so that Vietnamese prints with the OS's own font."""
    import segno
    from PIL import Image, ImageDraw, ImageFont

    scale = 300 / 72
    width, height = int(BOX_WIDTH * scale), int(BOX_HEIGHT * scale)
    img = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    font_path = _font()
    font = ImageFont.truetype(font_path, int(FONT_SIZE * scale)) if font_path else ImageFont.load_default()
    qr_size = height
    qr = segno.make(url, error="m")
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=max(1, qr_size // (qr.symbol_size(border=1)[0])), border=1)
    qr_img = Image.open(io.BytesIO(buf.getvalue())).convert("RGBA").resize((qr_size, qr_size))
    img.paste(qr_img, (width - qr_size, 0))
    seal_w = 0
    if key.seal_image:
        with key.seal_image.open("rb") as f:
            seal = Image.open(io.BytesIO(f.read())).convert("RGBA")
        seal_w = int(height * 0.95)
        seal = seal.resize((seal_w, seal_w))
    draw = ImageDraw.Draw(img)
    # The text starts two thirds into the seal: the seal covers the left third of the signature.
    x = int(seal_w * 2 / 3) + 8
    y = int(height * 0.08)
    step = int(FONT_SIZE * scale * 1.35)
    room = width - qr_size - x - 10
    for line in lines:
        while line and draw.textlength(line, font=font) > room:
            cut = max(1, int(len(line) * room / draw.textlength(line, font=font)) - 1)
            draw.text((x, y), line[:cut], fill=(0, 0, 0, 255), font=font)
            line, y = line[cut:], y + step
        draw.text((x, y), line, fill=(0, 0, 0, 255), font=font)
        y += step
    if seal_w:
        img.alpha_composite(seal, (0, (height - seal_w) // 2))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _style(key: SigningKey, lines: list[str], url: str) -> Any:
    from PIL import Image
    from pyhanko import stamp
    from pyhanko.pdf_utils.images import PdfImage

    picture = Image.open(io.BytesIO(_block_png(key, lines, url)))
    return stamp.StaticStampStyle(background=PdfImage(picture), border_width=0, background_opacity=1)


def _last_page_box(pdf: bytes) -> tuple[int, tuple[int, int, int, int]]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    count = int(reader.root["/Pages"]["/Count"])
    page = reader.root["/Pages"]
    # The last page's media box (walking the page tree: pages may nest).
    node = page
    while node.get("/Type") != "/Page":
        node = node["/Kids"][-1]
    box = [float(v) for v in node.get("/MediaBox", [0, 0, 595, 842])]
    right, bottom = box[2] - MARGIN_RIGHT, box[1] + MARGIN_BOTTOM
    return count - 1, (int(right - BOX_WIDTH), int(bottom), int(right), int(bottom + BOX_HEIGHT))


def public_url(token: str) -> str:
    base = (getattr(settings, "MOTCUA_PUBLIC_BASE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return f"{base}{VERIFY_PATH}{token}/"


def _name_of(certificate: Any) -> str:
    return str(certificate.subject.human_friendly)


def sign(request: SignRequest) -> Signed | None:
    """Sign ``request.pdf`` with the agency's key and keep the record; None when the agency has no key for it."""
    if not can_sign(request.agency, request.kind):
        return None
    key = key_for(request.agency)
    assert key is not None
    with _signer(key) as signer:
        return _sign_with(key, signer, request)


def _sign_with(key: SigningKey, signer: Any, request: SignRequest) -> Signed:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps

    token = secrets.token_urlsafe(18)
    url = public_url(token)
    try:
        page, box = _last_page_box(request.pdf)
        writer = IncrementalPdfFileWriter(io.BytesIO(request.pdf))
    except Exception as exc:  # not a PDF pyHanko can read
        raise DomainError(_("The file is not a PDF that can be signed."), code="not_signable") from exc
    name = f"ChuKySo{secrets.token_hex(3)}"
    fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=name, on_page=page, box=box))
    tsa = getattr(settings, "MOTCUA_SIGNING_TSA_URL", "")
    meta = signers.PdfSignatureMetadata(
        field_name=name, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=request.title or request.kind, location=str(getattr(settings, "MOTCUA_SITE", {}).get(
            "province_name", "")), name=request.signer.get_full_name())
    agency = key.agency
    now = timezone.localtime()
    # The paper is Vietnamese whatever the officer's screen language: the block is printed in Vietnamese.
    lines = [f"Ký bởi: {request.signer_title} {request.signer.get_full_name()}".replace("  ", " "),
             f"Cơ quan: {agency.name}", f"Thời gian ký: {now:%H:%M %d/%m/%Y}", f"Xác minh: {url}"]
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=_style(key, lines, url),
                                   timestamper=timestamps.HTTPTimeStamper(tsa) if tsa else None)
    out = pdf_signer.sign_pdf(writer)
    data = out.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    cert = signer.signing_cert
    path = default_storage.save(f"signed/{timezone.now():%Y/%m}/{token}.pdf", ContentFile(data))
    try:
        SignedDocument.objects.create(
            token=token, kind=request.kind, subject=request.subject, agency=agency, signer=request.signer,
            signer_name=request.signer.get_full_name(), signer_title=request.signer_title,
            reference=request.reference[:100], title=request.title[:500], cert_subject=_name_of(cert)[:500],
            cert_issuer=str(cert.issuer.human_friendly)[:500], cert_serial=format(cert.serial_number, "x"),
            cert_fingerprint=hashlib.sha256(cert.dump()).hexdigest(), signed_at=timezone.now(), sha256=digest,
            size=len(data), file=path)
    except BaseException:
        default_storage.delete(path)
        raise
    return Signed(pdf=data, verify_url=url, sha256=digest)


class Signer:
    """What ``motcua.dossiers.signatures`` calls."""

    def sign(self, request: SignRequest) -> Signed | None:
        return sign(request)

    def can_sign(self, agency: OrgUnit, kind: str) -> bool:
        return can_sign(agency, kind)


# --- verification -------------------------------------------------------------------------------------------

def _load_certs(paths: list[str]) -> list[Any]:
    out: list[Any] = []
    for p in paths:
        data = Path(p).read_bytes()
        if pem.detect(data):
            out.extend(x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True))
        else:
            out.append(x509.Certificate.load(data))
    return out


def _load_crls(paths: list[str]) -> list[bytes]:
    out: list[bytes] = []
    for p in paths:
        data = Path(p).read_bytes()
        if pem.detect(data):
            out.extend(der for _t, _h, der in pem.unarmor(data, multiple=True))
        else:
            out.append(data)
    return out


def _context() -> Any:
    from pyhanko_certvalidator import ValidationContext

    roots = _load_certs(_paths(getattr(settings, "MOTCUA_SIGNING_TRUST_ROOTS", "")))
    crls = _load_crls(_paths(getattr(settings, "MOTCUA_SIGNING_CRLS", "")))
    fetch = bool(getattr(settings, "MOTCUA_SIGNING_FETCH", False))
    # With CRLs given, a certificate they do not clear is not trusted ("hard-fail"); with none and no fetching,
    # revocation cannot be checked and the page says so instead of pretending.
    return ValidationContext(trust_roots=roots, crls=crls, allow_fetching=fetch,
                             revocation_mode="hard-fail" if (crls or fetch) else "soft-fail")


@dataclass
class Verdict:
    """What the verification page says, each point on its own."""

    found: bool
    record: SignedDocument | None = None
    signed: bool = False  # the file carries a signature
    intact: bool = False  # the signed bytes were not changed and the signature covers the whole file
    valid: bool = False  # the signature is cryptographically valid
    trusted: bool = False  # the certificate chains to a trusted root and is not revoked
    cert_revoked: bool = False
    revocation_checked: bool = False
    matches_record: bool = False  # the file is the one the record keeps
    paper_revoked: bool = False
    signer: str = ""
    signed_at: dt.datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.found and self.signed and self.intact and self.valid and self.trusted and self.matches_record
                and not self.cert_revoked and not self.paper_revoked)


def _check(data: bytes, verdict: Verdict) -> Verdict:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
    except Exception:
        verdict.problems.append(_("The file is not a readable PDF."))
        return verdict
    if not sigs:
        verdict.problems.append(_("The file carries no digital signature."))
        return verdict
    verdict.signed = True
    sig = sigs[-1]
    try:
        status = validate_pdf_signature(sig, _context())
    except Exception as exc:
        verdict.problems.append(_("The signature could not be checked: %(error)s") % {"error": exc})
        return verdict
    verdict.valid = bool(status.valid)
    verdict.intact = bool(status.intact) and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    verdict.cert_revoked = bool(status.revoked)
    verdict.trusted = bool(status.trusted) and not verdict.cert_revoked
    verdict.revocation_checked = bool(_paths(getattr(settings, "MOTCUA_SIGNING_CRLS", ""))
                                      or getattr(settings, "MOTCUA_SIGNING_FETCH", False))
    verdict.signer = _name_of(status.signing_cert) if status.signing_cert is not None else ""
    verdict.signed_at = status.signer_reported_dt
    if not verdict.intact:
        verdict.problems.append(_("The document was changed after it was signed."))
    if not verdict.valid:
        verdict.problems.append(_("The signature does not match the document."))
    if verdict.cert_revoked:
        verdict.problems.append(_("The signer's certificate has been revoked."))
    elif not verdict.trusted:
        verdict.problems.append(_("The signer's certificate is not issued by a trusted authority."))
    return verdict


def verify_record(token: str) -> Verdict:
    """The paper kept under ``token``, checked as stored."""
    record = SignedDocument.objects.select_related("agency").filter(token=token).first()
    if record is None:
        return Verdict(found=False)
    verdict = Verdict(found=True, record=record, paper_revoked=record.revoked_at is not None)
    with record.file.open("rb") as f:
        data = f.read()
    verdict.matches_record = hashlib.sha256(data).hexdigest() == record.sha256
    if not verdict.matches_record:
        verdict.problems.append(_("The stored file differs from the one signed."))
    return _check(data, verdict)


def verify_bytes(data: bytes, token: str = "") -> Verdict:
    """A file someone holds: is it a paper signed here, unchanged? Found by its hash (or the token of the page it
    was uploaded on)."""
    digest = hashlib.sha256(data).hexdigest()
    record = SignedDocument.objects.select_related("agency").filter(sha256=digest).first()
    if record is None and token:
        record = SignedDocument.objects.select_related("agency").filter(token=token).first()
    verdict = Verdict(found=record is not None, record=record,
                      paper_revoked=record is not None and record.revoked_at is not None)
    verdict.matches_record = record is not None and record.sha256 == digest
    if record is not None and not verdict.matches_record:
        verdict.problems.append(_("This file is not the paper that was signed: it differs from the one kept."))
    elif record is None:
        verdict.problems.append(_("No paper signed by this system has this content."))
    return _check(data, verdict)
