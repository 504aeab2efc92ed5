"""Papers signed in the agency's name (issue 18): a result signed in PAdES form with a key from a PKCS#12 file
(a test certificate authority generated here), verified by pyHanko's own validator and on the public page; a
modified copy fails; a certificate revoked by the CRL and a paper revoked by the agency show as revoked."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from motcua.documents import ca, signing
from motcua.documents.models import SignedDocument, SigningKey
from motcua.dossiers.signatures import SignRequest

pytestmark = pytest.mark.django_db

PASS = "mat-khau-khoa-ky"


def a_pdf(text: str = "GIẤY PHÉP XÂY DỰNG") -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<html><body><h1>{text}</h1><p>Số: 12/GPXD</p></body></html>").write_pdf()


@pytest.fixture
def pki(tmp_path, settings, monkeypatch, org):  # type: ignore[no-untyped-def]
    """A root, the Department's certificate in a PKCS#12 file, the trust root and an empty CRL configured."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"
    root = ca.root("Test Root CA")
    cert = ca.issue(root, "Sở Xây dựng tỉnh Lâm Đồng", "UBND tỉnh Lâm Đồng")
    p12 = tmp_path / "sxd.p12"
    p12.write_bytes(ca.p12(cert, root, PASS.encode()))
    (tmp_path / "root.pem").write_bytes(root.pem())
    (tmp_path / "crl.der").write_bytes(ca.crl(root, []))
    settings.MOTCUA_SIGNING_TRUST_ROOTS = str(tmp_path / "root.pem")
    settings.MOTCUA_SIGNING_CRLS = str(tmp_path / "crl.der")
    monkeypatch.setenv("MOTCUA_SXD_P12", PASS)
    key = SigningKey.objects.create(agency=org["sxd"], pkcs12_path=str(p12), secret_env="MOTCUA_SXD_P12",
                                    signs_forms=["receipt"])
    return {"root": root, "cert": cert, "key": key, "dir": tmp_path}


def sign(people, org, pdf: bytes | None = None):  # type: ignore[no-untyped-def]
    return signing.sign(SignRequest(pdf=pdf or a_pdf(), agency=org["sxd"], signer=people["giang"], kind="result",
                                    subject="result:1", reference="12/GPXD", title="Giấy phép xây dựng",
                                    signer_title="GIÁM ĐỐC"))


def test_a_signed_result_verifies_with_pyhanko_and_on_the_page(people, org, pki, client):  # type: ignore[no-untyped-def]
    signed = sign(people, org)
    assert signed is not None and signed.verify_url.startswith("https://motcua.example.gov.vn/xac-minh/")
    # pyHanko's own validator, against the test root: intact, valid, trusted, PAdES.
    sig = PdfFileReader(io.BytesIO(signed.pdf)).embedded_signatures[0]
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=[
        __import__("asn1crypto.x509", fromlist=["Certificate"]).Certificate.load(pki["root"].der())]))
    assert status.intact and status.valid and status.trusted
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    record = SignedDocument.objects.get()
    assert record.sha256 == signed.sha256 and record.signer_name == "Hoàng Văn Giang"
    verdict = signing.verify_record(record.token)
    assert verdict.ok and verdict.revocation_checked, verdict.problems
    page = client.get(f"/xac-minh/{record.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hoàng Văn Giang" in html and "12/GPXD" in html and "hợp lệ" in html.lower()


def test_a_modified_copy_fails(people, org, pki, client):  # type: ignore[no-untyped-def]
    signed = sign(people, org)
    # A byte changed inside the signed range.
    tampered = bytearray(signed.pdf)
    at = tampered.index(b"12/GPXD") if b"12/GPXD" in tampered else len(tampered) // 3
    tampered[at] ^= 0x01
    verdict = signing.verify_bytes(bytes(tampered))
    assert not verdict.ok and not verdict.matches_record
    # Content appended after the signature (an incremental update): not the paper signed.
    appended = signed.pdf + b"\n% added later\n"
    verdict = signing.verify_bytes(appended)
    assert not verdict.ok
    # Through the page's upload form: the same answer, in words.
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = SignedDocument.objects.get()
    response = client.post(f"/xac-minh/{record.token}/", {"file": SimpleUploadedFile("gp.pdf", bytes(tampered),
                                                                                     "application/pdf")})
    assert response.status_code == 200
    assert "không khớp" in response.content.decode() or "đã bị thay đổi" in response.content.decode()
    # The genuine file checks out.
    response = client.post(f"/xac-minh/{record.token}/", {"file": SimpleUploadedFile("gp.pdf", signed.pdf,
                                                                                     "application/pdf")})
    assert "Văn bản hợp lệ" in response.content.decode()


def test_a_revoked_certificate_shows_as_revoked(people, org, pki, client):  # type: ignore[no-untyped-def]
    sign(people, org)
    record = SignedDocument.objects.get()
    (pki["dir"] / "crl.der").write_bytes(ca.crl(pki["root"], [pki["cert"].certificate]))
    verdict = signing.verify_record(record.token)
    assert verdict.cert_revoked and not verdict.ok
    assert "đã bị thu hồi" in client.get(f"/xac-minh/{record.token}/").content.decode()


def test_a_paper_revoked_by_the_agency(people, org, pki, client):  # type: ignore[no-untyped-def]
    from motcua.core.errors import DomainError, PermissionDenied
    from motcua.documents import services

    sign(people, org)
    record = SignedDocument.objects.get()
    with pytest.raises(PermissionDenied):
        services.revoke_document(people["cuong"], record.token, "Cấp sai đối tượng")
    with pytest.raises(DomainError):
        services.revoke_document(people["giang"], record.token, "")
    services.revoke_document(people["giang"], record.token, "Cấp sai đối tượng")
    verdict = signing.verify_record(record.token)
    assert verdict.paper_revoked and not verdict.ok
    html = client.get(f"/xac-minh/{record.token}/").content.decode()
    assert "Cấp sai đối tượng" in html


def test_no_key_no_signature_and_bad_keys_say_so(people, org, pki, monkeypatch):  # type: ignore[no-untyped-def]
    from motcua.core.errors import DomainError

    assert signing.sign(SignRequest(pdf=a_pdf(), agency=org["other"], signer=people["giang"], kind="result",
                                    subject="result:1")) is None
    assert not signing.can_sign(org["sxd"], "apology") and signing.can_sign(org["sxd"], "receipt")
    monkeypatch.delenv("MOTCUA_SXD_P12")
    with pytest.raises(DomainError) as caught:
        sign(people, org)
    assert caught.value.code == "signing_key_secret"
    monkeypatch.setenv("MOTCUA_SXD_P12", "sai")
    with pytest.raises(DomainError) as caught:
        sign(people, org)
    assert caught.value.code == "signing_key_unusable"
    assert not SignedDocument.objects.exists()


def test_the_page_answers_unknown_tokens_and_bad_files(db, client):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert client.get("/xac-minh/khong-co/").status_code == 404
    response = client.post("/xac-minh/", {"file": SimpleUploadedFile("x.pdf", b"not a pdf", "application/pdf")})
    assert response.status_code == 400 and "Tệp không phải là PDF." in response.content.decode()
    # A PDF nobody signed here.
    from tests.documents.test_signing import a_pdf as make

    response = client.post("/xac-minh/", {"file": SimpleUploadedFile("x.pdf", make(), "application/pdf")})
    assert response.status_code == 200 and "Không có văn bản nào do hệ thống ký số" in response.content.decode()
    response = client.post("/xac-minh/", {})
    assert response.status_code == 400


def test_a_result_recorded_with_its_pdf_is_signed_by_the_agency(people, org, pki, client_for):  # type: ignore[no-untyped-def]
    """Through the processing: the director signs with the result's PDF; the stored result is the signed file,
    its verification page says it is valid, and the dossier page links to it."""
    from motcua.dossiers import files
    from motcua.dossiers.workflow import services as wf
    from tests.dossiers.test_interagency import steps_of
    from tests.dossiers.workflow_helpers import construction_permit, in_progress, t

    construction_permit(org)
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 4, 9, 0))
    wf.transfer_step(people["cuong"], d, note="Đạt", at=t(2026, 8, 4, 10, 0))
    if any(s.open and s.role == "specialist" for s in steps_of(d)):
        wf.transfer_step(people["dung"], d, note="", at=t(2026, 8, 4, 10, 5))
    wf.approve(people["dung"], d, at=t(2026, 8, 4, 11, 0))
    wf.sign(people["giang"], d, number="88/GPXD", at=t(2026, 8, 5, 9, 0),
            upload=files.Upload(name="gpxd.pdf", stream=io.BytesIO(a_pdf())))
    result = d.results.get()
    with result.attachment.file.open("rb") as f:
        stored = f.read()
    record = SignedDocument.objects.get()
    assert record.kind == "result" and record.reference == "88/GPXD" and record.signer == people["giang"]
    assert record.sha256 == result.attachment.sha256
    assert PdfFileReader(io.BytesIO(stored)).embedded_signatures
    assert signing.verify_bytes(stored).ok
    page = client_for("binh").get(f"/ho-so/{d.code}/").content.decode()
    assert f"/xac-minh/{record.token}/" in page


def test_the_verification_api(people, org, pki, client):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    signed = sign(people, org)
    record = SignedDocument.objects.get()
    body = client.get(f"/api/v1/verify/{record.token}").json()
    assert body["ok"] and body["number"] == "12/GPXD" and body["signer"] == "Hoàng Văn Giang"
    assert not {k for k in body if "applicant" in k or "id_number" in k}  # nothing of the applicant
    assert client.get("/api/v1/verify/khong-co").json()["error"]["code"] == "not_found"
    body = client.post("/api/v1/verify", {"file": SimpleUploadedFile("gp.pdf", signed.pdf, "application/pdf")}).json()
    assert body["ok"] and body["matches_record"]
    tampered = signed.pdf + b"\n% later\n"
    body = client.post("/api/v1/verify", {"file": SimpleUploadedFile("gp.pdf", tampered, "application/pdf")}).json()
    assert not body["ok"] and body["problems"]
    r = client.post("/api/v1/verify", {"file": SimpleUploadedFile("x.pdf", b"hello", "application/pdf")})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"


def test_a_form_the_agency_chose_is_signed_when_issued(people, org, pki, client_for):  # type: ignore[no-untyped-def]
    from motcua.dossiers import issuing, services
    from tests.dossiers.conftest import intake, make_procedure, upload

    make_procedure(org)
    SigningKey.objects.filter(pk=pki["key"].pk).update(agency=org["sxd"], signs_forms=["receipt"])
    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    receipt = issuing.issue(people["binh"], d, "receipt")
    verdict = signing.verify_bytes(issuing.read(receipt))
    assert verdict.ok and verdict.record.kind == "receipt" and verdict.record.signer == people["binh"]
    assert f"/xac-minh/{verdict.record.token}/" in client_for("binh").get(f"/ho-so/{d.code}/").content.decode()
    # A form it did not choose stays unsigned.
    sheet = issuing.issue(people["binh"], d, "control-sheet")
    assert not PdfFileReader(io.BytesIO(issuing.read(sheet))).embedded_signatures
