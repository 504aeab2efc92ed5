"""The citizen's documents (issue 18): a result recorded with its file is kept for its holder; a later
procedure that asks for a paper of that kind takes it from there instead of a new copy (Decree 118/2025 Art.
4(2a)), flagged as reused with its number (MaKetQuaThayThe), counted in 766 indicator 4.3; the desk looks a
result up by its number; nobody else's paper can be reused."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from motcua.catalogue.models import Procedure, RequiredDocument
from motcua.core.errors import DomainError
from motcua.dossiers import files, services
from motcua.dossiers.models import DossierDocument, HeldDocument
from motcua.dossiers.workflow import services as wf

from .conftest import PDF, intake, upload
from .test_interagency import steps_of
from .workflow_helpers import construction_permit, in_progress, t

pytestmark = pytest.mark.django_db


def permit_issued(people, org, number: str = "88/GPXD"):  # type: ignore[no-untyped-def]
    """A construction permit of An's, recorded with its PDF: kept in An's documents."""
    if not Procedure.objects.filter(code="1.013236").exists():
        construction_permit(org)
    Procedure.objects.filter(code="1.013236").update(result_kind="giay-phep-xay-dung",
                                                     result_name="Giấy phép xây dựng")
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 4, 9, 0))
    wf.transfer_step(people["cuong"], d, note="Đạt", at=t(2026, 8, 4, 10, 0))
    if any(s.open and s.role == "specialist" for s in steps_of(d)):
        wf.transfer_step(people["dung"], d, note="", at=t(2026, 8, 4, 10, 5))
    wf.approve(people["dung"], d, at=t(2026, 8, 4, 11, 0))
    wf.sign(people["giang"], d, number=number, at=t(2026, 8, 5, 9, 0),
            upload=files.Upload(name="gpxd.pdf", stream=io.BytesIO(PDF)))
    return d


@pytest.fixture
def adjustment(org):  # type: ignore[no-untyped-def]
    """A later procedure (the permit's adjustment) that asks for the permit already granted."""
    construction_permit(org, code="1.013231")
    version = Procedure.objects.get(code="1.013231").versions.get()
    RequiredDocument.objects.create(version=version, order=3, name="Giấy phép xây dựng đã được cấp",
                                    copies=1, copy_kind="original", kind="giay-phep-xay-dung")
    return version


def test_an_earlier_result_is_offered_reused_flagged_and_counted(people, org, adjustment, client_for):  # type: ignore[no-untyped-def]
    from motcua.dossiers.wallet import selectors as wallet

    first = permit_issued(people, org)
    held = HeldDocument.objects.get()
    assert (held.holder_number, held.number, held.kind, held.title) == (
        "068090001234", "88/GPXD", "giay-phep-xay-dung", "Giấy phép xây dựng")
    assert held.attachment == first.results.get().attachment and held.issuer == org["sxd"]
    # The adjustment's intake is offered the permit for its third document.
    snapshot = Procedure.objects.get(code="1.013231").versions.get()
    from motcua.catalogue.selectors import snapshot as snap

    offered = wallet.offers(snap(snapshot), "068090001234")
    assert [h.number for h in offered[3]] == ["88/GPXD"]
    # The desk enters its number instead of asking for a copy: the document is provided, reused, with its source.
    data = intake(procedure="1.013231", documents=[services.DocumentInput(order=1), services.DocumentInput(order=2),
                                                   services.DocumentInput(order=3, provided=False,
                                                                          reuse_of="88/gpxd")])
    d = services.receive_at_desk(people["binh"], data, [upload()], at=t(2026, 9, 1, 9, 0))
    doc = DossierDocument.objects.get(dossier=d, order=3)
    assert doc.provided and doc.reused_digitised and doc.reused_from == held and doc.source_code == "88/GPXD"
    # Counted in 766 indicator 4.3 (dossiers reusing digitised data).
    from motcua.stats import index766, kpi
    from motcua.stats.rollups import rebuild

    rebuild()
    index = index766.compute(kpi.Scope(), dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    ind = {i["id"]: i for g in index["groups"] for i in g["indicators"]}
    assert ind["4.3"]["numerator"] == 1 and ind["4.3"]["denominator"] == 1
    # And in 4.4 (linked to the holder's documents), as is the first dossier, whose result is kept there.
    assert ind["4.4"]["numerator"] == 1
    august = index766.compute(kpi.Scope(), dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    assert {i["id"]: i for g in august["groups"] for i in g["indicators"]}["4.4"]["numerator"] == 1


def test_nobody_reuses_someone_elses_paper(people, org, adjustment):  # type: ignore[no-untyped-def]
    permit_issued(people, org)
    other = services.Applicant(name="Trần Văn Bảo", id_number="068090009999", address="1 Trần Phú", phone="0911111111")
    data = intake(procedure="1.013231", applicant=other, documents=[
        services.DocumentInput(order=1), services.DocumentInput(order=3, provided=False, reuse_of="88/GPXD")])
    with pytest.raises(DomainError) as caught:
        services.receive_at_desk(people["binh"], data, [upload()], at=t(2026, 9, 1, 9, 0))
    assert caught.value.details["fields"][0]["field"] == "documents.reuse_of"
    # Nor a paper of another kind in place of this one.
    HeldDocument.objects.update(kind="chung-chi-hanh-nghe")
    data = intake(procedure="1.013231", documents=[
        services.DocumentInput(order=1), services.DocumentInput(order=3, provided=False, reuse_of="88/GPXD")])
    with pytest.raises(DomainError):
        services.receive_at_desk(people["binh"], data, [upload()], at=t(2026, 9, 1, 9, 0))


def test_the_desk_looks_a_result_up_by_number(people, org, client_for):  # type: ignore[no-untyped-def]
    permit_issued(people, org)
    page = client_for("binh").get("/ho-so/giay-to-da-cap/", {"so": "88/GPXD"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nguyễn Văn An" in html and "068090001234" not in html  # the ID number masked
    assert client_for("an").get("/ho-so/giay-to-da-cap/", {"so": "88/GPXD"}).status_code == 403
    assert client_for("cuong").get("/ho-so/giay-to-da-cap/", {"so": "88/GPXD"}).status_code == 403
    assert "88/GPXD" not in client_for("binh").get("/ho-so/giay-to-da-cap/", {"so": "99/X"}).content.decode()


def test_my_documents_in_the_portal(people, org, client_for, client):  # type: ignore[no-untyped-def]
    from motcua.dossiers.models import Dossier

    d = permit_issued(people, org)
    Dossier.objects.filter(pk=d.pk).update(owner=people["an"])  # An's own dossier, filed from his account
    HeldDocument.objects.update(holder=people["an"])
    # Listed once the desk has returned the result.
    assert "88/GPXD" not in client_for("an").get("/cong-dan/giay-to/").content.decode()
    wf.return_result(people["binh"], d, method="online", at=t(2026, 8, 6, 9, 0))
    page = client_for("an").get("/cong-dan/giay-to/")
    assert page.status_code == 200 and "88/GPXD" in page.content.decode()
    held = HeldDocument.objects.get()
    download = client_for("an").get(f"/cong-dan/ho-so/{d.code}/tep/{held.attachment_id}/?tai-ve=1")
    assert download.status_code == 200
    # Nobody else sees it; anonymous is asked to sign in.
    from django.test import Client

    from tests.conftest import _person

    chi = Client()
    chi.force_login(_person("chi", "Lê Thị Chi", None, "citizen"))
    assert "88/GPXD" not in chi.get("/cong-dan/giay-to/").content.decode()
    assert client.get("/cong-dan/giay-to/").status_code == 302


def test_the_national_sync_fragments(people, org, adjustment):  # type: ignore[no-untyped-def]
    from motcua.dossiers import sync

    first = permit_issued(people, org)
    data = intake(procedure="1.013231", documents=[services.DocumentInput(order=1),
                                                   services.DocumentInput(order=3, provided=False, reuse_of="88/GPXD")])
    d = services.receive_at_desk(people["binh"], data, [upload()], at=t(2026, 9, 1, 9, 0))
    out = sync.digitisation(d, "https://motcua.example.gov.vn")
    assert out["HoSoCoThanhPhanSoHoa"] == 1
    reused = next(x for x in out["TaiLieuNop"] if x["MaThanhPhanHoSo"] == "3")
    assert (reused["DuocSoHoa"], reused["DuocLayTuKhoDMQG"], reused["MaKetQuaThayThe"]) == (1, 1, "88/GPXD")
    filed = next(x for x in out["TaiLieuNop"] if x["MaThanhPhanHoSo"] == "1")
    assert filed["DuocSoHoa"] == 1 and filed["DuongDanTaiTepTin"].startswith("https://motcua.example.gov.vn/ho-so/")
    result = sync.digitisation(first)["DanhSachGiayToKetQua"][0]
    assert result["MaGiayToKetQua"] == "88/GPXD" and result["DuongDanTepTinKetQua"]


def test_a_certified_copy_is_numbered_signed_and_kept(people, org, client_for, tmp_path, settings, monkeypatch):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.documents import ca
    from motcua.documents.models import SignedDocument, SigningKey
    from motcua.dossiers.models import CertifiedCopy

    root = ca.root("Test Root CA")
    cert = ca.issue(root, "Sở Xây dựng", "UBND tỉnh")
    (tmp_path / "k.p12").write_bytes(ca.p12(cert, root, b"pw"))
    monkeypatch.setenv("K", "pw")
    SigningKey.objects.create(agency=org["sxd"], pkcs12_path=str(tmp_path / "k.p12"), secret_env="K")
    binh = client_for("binh")
    form = {"title": "Giấy chứng nhận quyền sử dụng đất", "kind": "giay-chung-nhan-qsdd",
            "original_number": "CS 01234", "presenter_name": "Nguyễn Văn An", "presenter_number": "068090001234",
            "pages": "2"}
    assert binh.post("/ho-so/chung-thuc/", {**form, "scan": SimpleUploadedFile("x.pdf", b"not", "application/pdf")}
                     ).status_code == 400
    r = binh.post("/ho-so/chung-thuc/", {**form, "presenter_number": "12",
                                         "scan": SimpleUploadedFile("x.pdf", PDF, "application/pdf")})
    assert r.status_code == 400
    assert not CertifiedCopy.objects.exists()
    from tests.documents.test_signing import a_pdf

    r = binh.post("/ho-so/chung-thuc/", {**form, "scan": SimpleUploadedFile("gcn.pdf", a_pdf("GCN QSDĐ"),
                                                                              "application/pdf")})
    assert r.status_code == 302, r.context["form"].errors
    copy = CertifiedCopy.objects.get()
    assert copy.reference.startswith("01/SC-") and copy.signed and copy.verify_url
    assert SignedDocument.objects.get().kind == "certified-copy"
    held = HeldDocument.objects.get(copy=copy)
    assert (held.holder_number, held.kind, held.number) == ("068090001234", "giay-chung-nhan-qsdd", copy.reference)
    page = binh.get("/ho-so/chung-thuc/").content.decode()
    assert copy.reference in page and "068090001234" not in page
    assert binh.get(f"/ho-so/chung-thuc/{copy.pk}/tep/").status_code == 200
    assert client_for("khanh").get(f"/ho-so/chung-thuc/{copy.pk}/tep/").status_code == 403
    assert client_for("an").get("/ho-so/chung-thuc/").status_code == 403


def test_the_online_wizard_takes_the_citizens_own_paper(people, org, adjustment):  # type: ignore[no-untyped-def]
    """Online, the citizen is not asked again for a paper they hold: the wizard says it is taken from their
    documents, and the submission flags it reused with its number."""
    from motcua.catalogue.selectors import snapshot as snap
    from motcua.dossiers.models import Dossier
    from motcua.portal import selectors as portal_selectors
    from motcua.portal import services as portal_services
    from motcua.portal.models import Draft

    d = permit_issued(people, org)
    Dossier.objects.filter(pk=d.pk).update(owner=people["an"])
    HeldDocument.objects.update(holder=people["an"])
    version = Procedure.objects.get(code="1.013231").versions.get()
    draft = Draft.objects.create(owner=people["an"], procedure=version.procedure, data={
        "applicant": {"kind": "individual", "name": "Nguyễn Văn An", "id_number": "068090001234",
                      "address": "12 Trần Phú", "phone": "0912345678"}, "questions": {"subject": "Điều chỉnh"}})
    s = snap(version)
    rows = {r.order: r for r in portal_selectors.document_rows(draft, s)}
    assert rows[3].held_number == "88/GPXD" and not rows[3].needed
    intake = portal_services._intake(draft, s, [])
    (doc3,) = [x for x in intake.documents if x.order == 3]
    assert doc3.reuse_of == "88/GPXD" and doc3.reused_digitised
    # Another citizen's draft is offered nothing of An's.
    from tests.conftest import _person

    other = Draft.objects.create(owner=_person("chi", "Lê Thị Chi", None, "citizen"), procedure=version.procedure)
    assert not portal_selectors.document_rows(other, s)[2].held_number
