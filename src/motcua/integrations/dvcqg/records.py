"""The records DVCQG is owed, in the canonical field names of national-portal-sync.md (§2 ``HoSo`` with its
lists, §3 ``TienTrinh``), built when they are sent. Dates are ISO 8601 instants in UTC here; ``mapping``
renders names, codes' wire form and date formats.

A ``HoSo`` carries the dossier as it is when it is sent, so the last one DVCQG acknowledges is always the
dossier's latest state; its status history travels in the ``TienTrinh`` records, each built from the event
that caused it (events never change). Every field the 766 indicators read (§6) is sent, optional or not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q

from motcua.accounts.models import OrgUnit, RoleAssignment, User
from motcua.dossiers import sync as digitised
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.facts import facts_for
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.workflow.models import ProcessingStep

from ..payments.selectors import online_payment_kind
from .mapping import Mapping

# The events that change what DVCQG holds of the dossier (a new HoSo state) and those that are a line of its
# processing history (a TienTrinh); national-portal-sync.md §4 steps 4–6.
HOSO_KINDS = frozenset({EventKind.CREATED, EventKind.CODE_ASSIGNED, EventKind.STATUS_CHANGED, EventKind.APOLOGY,
                        EventKind.DATES_MOVED, EventKind.PAYMENT_CONFIRMED, EventKind.RESULT_RECORDED,
                        # The applicant's details corrected at the applicant's request (Law 91/2025/QH15 Art. 4):
                        # the national portal's copy of the HoSo is corrected too.
                        EventKind.APPLICANT_CORRECTED})
STEP_KINDS = frozenset({
    EventKind.CREATED,
    EventKind.STATUS_CHANGED, EventKind.CLAIMED, EventKind.ASSIGNED, EventKind.STEP_STARTED, EventKind.STEP_ENDED,
    EventKind.STEP_RETURNED, EventKind.CONSULTED, EventKind.CONSULTATION_ANSWERED, EventKind.CONSULTATION_DEEMED,
    EventKind.APPROVED, EventKind.SIGNED, EventKind.REFUSED, EventKind.RESULT_RECORDED,
    EventKind.PAYMENT_REQUESTED, EventKind.PAYMENT_CONFIRMED, EventKind.APOLOGY, EventKind.PART_SENT,
    EventKind.PART_ENDED, EventKind.RESULT_RETURNED})


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def _base_url() -> str:
    return str(getattr(settings, "MOTCUA_PUBLIC_BASE_URL", "") or "")


def _name(unit: OrgUnit | None) -> str:
    return unit.name if unit is not None else ""


def _supplements(dossier: Dossier) -> list[dict[str, Any]]:
    """``DanhSachHoSoBoSung``: each request (who, what, when) with the day the complete dossier came back and
    the promised dates before and after; 766 subtracts the waiting time and counts more than one as late."""
    requests = list(DossierEvent.objects.filter(dossier=dossier)
                    .filter(Q(kind=EventKind.STATUS_CHANGED, status_after=Status.SUPPLEMENT_REQUESTED)
                            | Q(kind=EventKind.CREATED, status_after=Status.SUPPLEMENT_REQUESTED))
                    .select_related("actor").order_by("seq"))
    if not requests:
        return []
    facts, _target = facts_for(dossier)
    timed = list(facts.supplements)
    rows = []
    promised_before = dossier.original_due_at or dossier.due_at
    for i, event in enumerate(requests):
        done = timed[i] if i < len(timed) else None
        missing = [str(m.get("document") or "") + (f": {m['reason']}" if m.get("reason") else "")
                   for m in (event.data or {}).get("missing") or []]
        rows.append({
            "NguoiYeuCauBoSung": event.actor.get_full_name(),
            "NoiDungBoSung": "; ".join(missing) or event.reason,
            "NgayBoSung": _iso(event.at),
            "NgayTiepNhanBoSung": _iso(done.completed_at) if done else None,
            "NgayHenTraTruoc": _iso(promised_before),
            "NgayHenTraMoi": _iso(done.due_after) if done and done.due_after else None,
        })
    return rows


def _fees(dossier: Dossier, mapping: Mapping) -> list[dict[str, Any]]:
    """``DanhSachLePhi``: the fees of the version the dossier was received under (766 3.5 counts a non-zero
    amount). Collected at receipt (``HinhThucThu`` 1) unless the version says otherwise."""
    fees = (dossier.snapshot.get("version") or {}).get("fees") or []
    return [{"TenPhiLePhi": f.get("name") or "", "MaPhiLePhi": f.get("code") or "",
             "HinhThucThu": mapping.code("HinhThucThu", f.get("collected") or "receipt", 1),
             "Gia": f.get("amount_vnd") or 0,
             "LoaiPhiLePhi": mapping.code("LoaiPhiLePhi", f.get("kind") or "", 1)} for f in fees]


def payment_flag(dossier: Dossier) -> int:
    """``DuocThanhToanTrucTuyen``: 0 not paid online, 1 on DVCQG's payment platform, 2 on a ministry's or the
    province's gateway: the kind of the online payment that settled the dossier's request (``payments``); a
    payment the desk confirmed as made online elsewhere counts as ``MOTCUA_DVCQG_PAID_ONLINE_CODE``."""
    kind = online_payment_kind(dossier)
    if kind:
        return kind
    if not dossier.paid_online:
        return 0
    return int(getattr(settings, "MOTCUA_DVCQG_PAID_ONLINE_CODE", 1) or 1)


def hoso(dossier: Dossier, mapping: Mapping) -> dict[str, Any]:
    """The dossier's ``HoSo`` record as it is now."""
    procedure = dossier.snapshot.get("procedure") or {}
    field = procedure.get("field") or {}
    identifiers = []
    if dossier.applicant_id_number:
        identifiers.append({"LoaiDinhDanh": mapping.code("LoaiDinhDanh", "id_number", 1),
                            "SoDinhDanh": dossier.applicant_id_number})
    if dossier.applicant_tax_code:
        identifiers.append({"LoaiDinhDanh": mapping.code("LoaiDinhDanh", "tax_code", 2),
                            "SoDinhDanh": dossier.applicant_tax_code})
    parts = digitised.digitisation(dossier, _base_url())
    return {
        "MaHoSo": dossier.code, "MaTTHC": procedure.get("code") or "", "TenTTHC": procedure.get("name") or "",
        "MaLinhVuc": field.get("code") or "", "TenLinhVuc": field.get("name") or "",
        "KenhThucHien": mapping.code("KenhThucHien", dossier.channel, 1),
        "ChuHoSo": dossier.applicant_name, "SoGiayToChuHoSo": dossier.applicant_id_number or dossier.applicant_tax_code,
        "LoaiDoiTuong": mapping.code("LoaiDoiTuong", dossier.applicant_kind, 0),
        "MaDoiTuong": "", "ThongTinKhac": "", "Email": dossier.applicant_email, "Fax": "",
        "SoDienThoai": dossier.applicant_phone, "TrichYeuHoSo": dossier.subject,
        "NgayNopHoSo": _iso(dossier.submitted_at), "NgayTiepNhan": _iso(dossier.received_at),
        "NgayHenTra": _iso(dossier.due_at), "NgayTra": _iso(dossier.returned_at),
        "NgayKetThucXuLy": _iso(dossier.processing_ended_at), "NgayTuChoi": _iso(dossier.refused_at),
        "TrangThaiHoSo": dossier.status,
        "ThongTinTra": dossier.result_address, "HinhThuc": mapping.code("HinhThuc", dossier.result_method, 0),
        "DonViXuLy": _name(dossier.processing_unit), "NoiNopHoSo": _name(dossier.receiving_unit),
        "GhiChu": "",
        "HoSoCoThanhPhanSoHoa": parts["HoSoCoThanhPhanSoHoa"],
        "TaiKhoanDuocXacThucVoiVNeID": int(bool(dossier.identity_level)),
        "DuocThanhToanTrucTuyen": payment_flag(dossier),
        "DinhDanhCHS": identifiers, "DSKetNoiCSDL": [],
        "TaiLieuNop": parts["TaiLieuNop"], "DanhSachLePhi": _fees(dossier, mapping),
        "DanhSachTepDinhKemKhac": [], "DanhSachHoSoBoSung": _supplements(dossier),
        "DanhSachGiayToKetQua": parts["DanhSachGiayToKetQua"],
    }


def _what(event: DossierEvent) -> str:
    label = str(EventKind(event.kind).label) if event.kind in EventKind.values else event.kind
    data = event.data or {}
    detail = data.get("name") or ""
    text = f"{label}: {detail}" if detail else label
    return f"{text} — {event.reason}" if event.reason else text


def tientrinh(dossier: Dossier, event: DossierEvent, *, status: int, step: ProcessingStep | None,
              title: str) -> dict[str, Any]:
    """One line of the processing history, from the event that made it: ``status`` is the dossier's status at
    that instant, ``step`` the step the event names, ``title`` the officer's position (``Batch`` looks them up
    for all the records it sends)."""
    actor: User = event.actor
    unit = step.unit if step is not None and step.unit is not None else actor.unit
    return {
        "MaHoSo": dossier.code, "NguoiXuLy": actor.get_full_name(), "ChucDanh": title,
        "ThoiDiemXuLy": _iso(event.at), "PhongBanXuLy": _name(unit), "NoiDungXuLy": _what(event),
        "TrangThai": status,
        "NgayBatDau": _iso(step.started_at) if step is not None else None,
        "NgayKetThucTheoQuyDinh": _iso(step.due_at) if step is not None else None,
    }


class Batch:
    """The records of one dossier sent together, built with a fixed number of queries: its ``HoSo`` once
    (every ``HoSo`` of the batch is the dossier as it is now), its events, their steps, the actors' titles
    and the dossier's status timeline each in one query."""

    def __init__(self, dossier: Dossier, mapping: Mapping, event_ids: list[int]) -> None:
        self.dossier, self.mapping = dossier, mapping
        self._hoso: dict[str, Any] | None = None
        self.events = {e.pk: e for e in DossierEvent.objects.filter(pk__in=event_ids)
                       .select_related("actor", "actor__unit")}
        step_ids = {int(e.data["step"]) for e in self.events.values() if (e.data or {}).get("step")}
        self.steps = ProcessingStep.objects.select_related("unit").in_bulk(step_ids) if step_ids else {}
        actors = {e.actor_id for e in self.events.values()}
        self.titles: dict[int, str] = {}
        for user_id, title in (RoleAssignment.objects.filter(user_id__in=actors).exclude(title="")
                               .order_by("pk").values_list("user_id", "title")):
            self.titles.setdefault(user_id, title)
        self.timeline = list(DossierEvent.objects.filter(dossier_id=dossier.pk, status_after__isnull=False)
                             .order_by("seq").values_list("seq", "status_after"))

    def hoso(self) -> dict[str, Any]:
        if self._hoso is None:
            self._hoso = hoso(self.dossier, self.mapping)
        return self._hoso

    def _status_at(self, seq: int) -> int:
        status = self.dossier.status
        for at_seq, after in self.timeline:
            if at_seq > seq:
                break
            status = after if after is not None else status
        return status

    def tientrinh(self, event_id: int) -> dict[str, Any]:
        event = self.events[event_id]
        step_id = (event.data or {}).get("step")
        return tientrinh(self.dossier, event, status=self._status_at(event.seq),
                         step=self.steps.get(int(step_id)) if step_id else None,
                         title=self.titles.get(event.actor_id, ""))
