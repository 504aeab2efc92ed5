"""Digitising at the desk (issue 18): each paper component scanned, checked against the original and marked;
the scanning page for the desk that received the dossier only; a check without a scan is refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.models import Attachment, DossierDocument

from .conftest import PDF, intake
from .workflow_helpers import construction_permit, t

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(people, org):  # type: ignore[no-untyped-def]
    from motcua.dossiers import services

    construction_permit(org)
    return services.receive_at_desk(people["binh"], intake(), [], at=t(2026, 8, 3, 9, 0))


def test_the_desk_scans_and_checks_each_document(people, dossier, client_for):  # type: ignore[no-untyped-def]
    binh = client_for("binh")
    page = binh.get(f"/ho-so/{dossier.code}/so-hoa/")
    assert page.status_code == 200 and "Bản vẽ thiết kế" in page.content.decode()
    # Checked without a scan: refused, nothing changes.
    r = binh.post(f"/ho-so/{dossier.code}/so-hoa/", {"order": "1", "d1-checked": "on"})
    assert r.status_code == 400
    assert DossierDocument.objects.get(dossier=dossier, order=1).scan_checked_at is None
    # The scan, checked.
    r = binh.post(f"/ho-so/{dossier.code}/so-hoa/", {"order": "1", "d1-checked": "on",
                                                     "d1-scans": SimpleUploadedFile("don.pdf", PDF, "application/pdf")})
    assert r.status_code == 302
    doc = DossierDocument.objects.get(dossier=dossier, order=1)
    assert doc.scanned_at_desk and doc.provided and doc.scan_checked_by == people["binh"]
    assert Attachment.objects.filter(dossier=dossier, document=doc).count() == 1
    # A file that is not what it claims: refused by its content.
    r = binh.post(f"/ho-so/{dossier.code}/so-hoa/", {"order": "2", "d2-scans": SimpleUploadedFile(
        "x.pdf", b"MZ not a pdf", "application/pdf")})
    assert r.status_code == 400 and not Attachment.objects.filter(dossier=dossier, document__order=2).exists()
    # The processing officers and citizens have no scanning step.
    assert client_for("cuong").get(f"/ho-so/{dossier.code}/so-hoa/").status_code in (403, 404)
    assert client_for("an").get(f"/ho-so/{dossier.code}/so-hoa/").status_code == 403


def test_a_scanners_folder_is_watched(people, dossier, tmp_path):  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    (tmp_path / f"{dossier.code}__1.pdf").write_bytes(PDF)
    (tmp_path / "anh-chup.pdf").write_bytes(PDF)
    (tmp_path / "000.00.00.X-260101-9999__1.pdf").write_bytes(PDF)
    (tmp_path / f"{dossier.code}__2.pdf").write_bytes(b"MZ not a pdf")
    call_command("scanfolder", str(tmp_path), "--user", "binh", "--once")
    doc = DossierDocument.objects.get(dossier=dossier, order=1)
    assert doc.scanned_at_desk and doc.scan_checked_at is None  # checking stays a person's act
    assert (tmp_path / "done" / f"{dossier.code}__1.pdf").exists()
    failed = sorted(p.name for p in (tmp_path / "failed").iterdir())
    assert failed == sorted(["anh-chup.pdf", "anh-chup.pdf.txt", "000.00.00.X-260101-9999__1.pdf",
                             "000.00.00.X-260101-9999__1.pdf.txt", f"{dossier.code}__2.pdf",
                             f"{dossier.code}__2.pdf.txt"])
    assert "Không có hồ sơ" in (tmp_path / "failed" / "000.00.00.X-260101-9999__1.pdf.txt").read_text()
    # An officer of another unit cannot attach scans to the desk's dossier.
    (tmp_path / f"{dossier.code}__2.pdf").unlink() if (tmp_path / f"{dossier.code}__2.pdf").exists() else None
    (tmp_path / f"{dossier.code}__2.pdf").write_bytes(PDF)
    call_command("scanfolder", str(tmp_path), "--user", "khanh", "--once")
    assert not DossierDocument.objects.get(dossier=dossier, order=2).scanned_at_desk
