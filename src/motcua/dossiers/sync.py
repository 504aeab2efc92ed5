"""The digitisation fragments of a dossier in the national portal's record shapes (national-portal-sync.md §2:
``HoSoCoThanhPhanSoHoa``, ``TaiLieuNop[]``, ``DanhSachGiayToKetQua[]``), ready for the synchronisation that sends
them (a later issue: the outbox and its worker). Field names are the portal's; values are this system's.
``DuocLayTuKhoDMQG`` is 1 for a document taken from the holder's documents this system keeps, which stand in for
the portal's data store until the two are synchronised (docs/interagency.md, docs/signing.md)."""

from __future__ import annotations

from typing import Any

from .models import Attachment, Dossier, DossierDocument, Result


def _link(base_url: str, dossier: Dossier, attachment_id: int) -> str:
    return f"{base_url.rstrip('/')}/ho-so/{dossier.public_id}/tep/{attachment_id}/"


def digitisation(dossier: Dossier, base_url: str = "") -> dict[str, Any]:
    """``{"HoSoCoThanhPhanSoHoa": 0|1, "TaiLieuNop": [...], "DanhSachGiayToKetQua": [...]}`` of ``dossier``."""
    files: dict[int, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(dossier=dossier, document__isnull=False).order_by("id"):
        files.setdefault(attachment.document_id or 0, []).append(attachment)
    submitted = []
    for doc in DossierDocument.objects.filter(dossier=dossier).order_by("order"):
        attached = files.get(doc.pk, [])
        digitised = bool(attached) or doc.reused_digitised
        listed: list[Attachment | None] = list(attached) or [None]
        for a in listed:
            submitted.append({
                "MaThanhPhanHoSo": str(doc.order), "TenThanhPhanHoSo": doc.name,
                "TepDinhKemId": str(a.pk) if a else "", "TenTepDinhKem": a.original_name if a else "",
                "DuongDanTaiTepTin": _link(base_url, dossier, a.pk) if a else "",
                "DuocSoHoa": int(digitised), "DuocTaiSuDung": int(doc.reused_digitised),
                "DuocLayTuKhoDMQG": int(doc.reused_from_id is not None),
                "MaKetQuaThayThe": doc.source_code})
    results = []
    for r in Result.objects.filter(dossier=dossier).select_related("attachment").order_by("id"):
        results.append({
            "TenGiayTo": str((dossier.snapshot.get("procedure") or {}).get("result_name") or r.get_kind_display()),
            "MaThanhPhanHoSo": "", "GiayToId": str(r.pk), "MaGiayToKetQua": r.number,
            "DuongDanTepTinKetQua": _link(base_url, dossier, r.attachment_id) if r.attachment_id else ""})
    return {"HoSoCoThanhPhanSoHoa": int(any(d["DuocTaiSuDung"] or d["DuocLayTuKhoDMQG"] for d in submitted)),
            "TaiLieuNop": submitted, "DanhSachGiayToKetQua": results}
