"""A double of DVCQG's synchronisation API, for development and the tests (``motcua dvcqg double``).

It listens on a real socket and behaves as the worker expects the real service to: a client-credentials
token, one record per POST checked against its shape (national-portal-sync.md §2–3), acknowledged with error
code 0 or refused with another code and the reason, each idempotency key held once however often it is sent,
and the reconciliation query. It can be told to fail, time out, drop the connection after doing the work
(``doubles.Faults``), answer out of order (``hold``), or acknowledge a record and lose it (``lose_next``).
It counts what it received, so that a test can prove that nothing was lost and nothing duplicated.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..doubles import Double, Reply, read_json

COMPACT = re.compile(r"^\d{14}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")

HOSO_REQUIRED = {"MaHoSo": str, "MaTTHC": str, "TenTTHC": str, "KenhThucHien": int, "ChuHoSo": str,
                 "TrangThaiHoSo": int, "NgayNopHoSo": str, "TaiKhoanDuocXacThucVoiVNeID": int,
                 "DuocThanhToanTrucTuyen": int, "HoSoCoThanhPhanSoHoa": int}
HOSO_LISTS = ("TaiLieuNop", "DanhSachLePhi", "DanhSachHoSoBoSung", "DanhSachGiayToKetQua", "DinhDanhCHS")
STEP_REQUIRED = {"MaHoSo": str, "NguoiXuLy": str, "ThoiDiemXuLy": str, "NoiDungXuLy": str, "TrangThai": int}
DATES = ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy", "NgayTuChoi", "ThoiDiemXuLy",
         "NgayBatDau", "NgayKetThucTheoQuyDinh")


def _date_ok(value: Any) -> bool:
    return value in ("", None) or (isinstance(value, str) and bool(COMPACT.match(value) or ISO.match(value)))


def _parse(value: str) -> dt.datetime | None:
    if not value:
        return None
    if COMPACT.match(value):
        return dt.datetime.strptime(value, "%Y%m%d%H%M%S")
    return dt.datetime.fromisoformat(value)


def check(kind: str, body: Any) -> list[str]:
    """What is wrong with ``body`` as a record of ``kind`` (empty when it is right)."""
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    required = HOSO_REQUIRED if kind == "HoSo" else STEP_REQUIRED
    errors = [f"{name}: missing or not {t.__name__}" for name, t in required.items()
              if not isinstance(body.get(name), t) or isinstance(body.get(name), bool)]
    if not body.get("MaHoSo"):
        errors.append("MaHoSo: empty")
    status = body.get("TrangThaiHoSo" if kind == "HoSo" else "TrangThai")
    if isinstance(status, int) and not 1 <= status <= 10:
        errors.append("status: not one of the ten codes")
    if kind == "HoSo":
        if body.get("KenhThucHien") not in (1, 2, 3):
            errors.append("KenhThucHien: not 1, 2 or 3")
        if body.get("DuocThanhToanTrucTuyen") not in (0, 1, 2):
            errors.append("DuocThanhToanTrucTuyen: not 0, 1 or 2")
        errors += [f"{name}: not a list" for name in HOSO_LISTS if not isinstance(body.get(name, []), list)]
        if isinstance(status, int) and status >= 2 and status != 3 and not body.get("NgayTiepNhan"):
            errors.append("NgayTiepNhan: a received dossier has a receipt date")
    errors += [f"{name}: not a date" for name in DATES if not _date_ok(body.get(name))]
    return errors


class DvcqgDouble(Double):
    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, client_id: str = "motcua",
                 client_secret: str = "bi-mat", require_auth: bool = True) -> None:  # noqa: S107 - a double's
        super().__init__(host, port)
        self.client_id, self.client_secret, self.require_auth = client_id, client_secret, require_auth
        self.tokens: set[str] = set()
        self.by_key: dict[str, dict[str, Any]] = {}  # idempotency key → the record held
        self.dossiers: dict[str, dict[str, Any]] = {}  # MaHoSo → the latest HoSo held
        self.steps: dict[str, list[dict[str, Any]]] = {}  # MaHoSo → its TienTrinh, in arrival order
        self.posts = 0  # record POSTs received (duplicates included)
        self.duplicates = 0  # POSTs of a key already held
        self.refused = 0
        self.arrivals: list[str] = []  # keys in the order they were first held
        self._lose = 0
        self._hold: list[float] = []

    # --- steering from the tests -------------------------------------------------------------------------
    def lose_next(self, n: int = 1) -> None:
        """Acknowledge the next ``n`` records and keep none of them (a record DVCQG "lost")."""
        with self.lock:
            self._lose = n

    def hold(self, *seconds: float) -> None:
        """The next requests wait these many seconds each before answering, so that answers to requests sent
        at once come back out of order."""
        with self.lock:
            self._hold = list(seconds)

    def steer(self, order: Any) -> Reply:
        if isinstance(order, dict) and order.get("lose"):
            self.lose_next(int(order["lose"]))
        return super().steer(order)

    # --- HTTP ---------------------------------------------------------------------------------------------
    def route(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        path = urlsplit(path).path
        if method == "POST" and path == "/oauth/token":
            return self._token(body)
        if method == "GET" and path == "/_double/state":
            return Reply(200, self.state())
        if method != "POST" or path not in ("/api/dongbo/hoso", "/api/dongbo/tientrinh", "/api/doisoat/hoso"):
            return Reply(404, {"error_code": 404, "message": "no such endpoint"})
        if self.require_auth and headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return Reply(401, {"error_code": 401, "message": "token missing or expired"})
        with self.lock:
            wait = self._hold.pop(0) if self._hold else 0.0
        if wait:
            time.sleep(wait)
        data = read_json(body)
        if path == "/api/doisoat/hoso":
            return self._held(data)
        kind = "HoSo" if path.endswith("/hoso") else "TienTrinh"
        key = next((v for k, v in headers.items() if k.lower() == "idempotency-key"), "")
        return self._record(kind, key, data)

    def _token(self, body: bytes) -> Reply:
        form = {k: v[0] for k, v in parse_qs(body.decode(errors="replace")).items()}
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return Reply(401, {"error": "invalid_client"})
        with self.lock:
            token = f"tok-{len(self.tokens) + 1}"
            self.tokens.add(token)
        return Reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    def _record(self, kind: str, key: str, data: Any) -> Reply:
        with self.lock:
            self.posts += 1
            if not key:
                self.refused += 1
                return Reply(200, {"error_code": 3, "message": "Idempotency-Key missing"})
            if key in self.by_key:
                self.duplicates += 1
                return Reply(200, {"error_code": 0, "message": "already held", "id": self.by_key[key]["id"]})
            errors = check(kind, data)
            if errors:
                self.refused += 1
                return Reply(200, {"error_code": 2, "message": "; ".join(errors)})
            assert isinstance(data, dict)
            ident = len(self.by_key) + 1
            if self._lose > 0:
                self._lose -= 1
                return Reply(200, {"error_code": 0, "message": "OK", "id": ident})
            self.by_key[key] = {"id": ident, "kind": kind, "body": data}
            self.arrivals.append(key)
            code = data["MaHoSo"]
            if kind == "HoSo":
                self.dossiers[code] = data
            else:
                self.steps.setdefault(code, []).append(data)
        return Reply(200, {"error_code": 0, "message": "OK", "id": ident})

    def _held(self, data: Any) -> Reply:
        if not isinstance(data, dict):
            return Reply(200, {"error_code": 2, "message": "TuNgay, DenNgay expected"})
        try:
            first, last = _parse(str(data.get("TuNgay") or "")), _parse(str(data.get("DenNgay") or ""))
        except ValueError:
            first = last = None
        if first is None or last is None:
            return Reply(200, {"error_code": 2, "message": "TuNgay, DenNgay: not dates"})
        rows = []
        with self.lock:
            for code, hoso in self.dossiers.items():
                received = _parse(str(hoso.get("NgayTiepNhan") or ""))
                if received is not None and first <= received <= last:
                    rows.append({"MaHoSo": code, "TrangThaiHoSo": hoso.get("TrangThaiHoSo"),
                                 "NgayTiepNhan": hoso.get("NgayTiepNhan"), "NgayHenTra": hoso.get("NgayHenTra")})
        return Reply(200, {"error_code": 0, "message": "OK", "data": rows})

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {"posts": self.posts, "held": len(self.by_key), "duplicates": self.duplicates,
                    "refused": self.refused, "dossiers": len(self.dossiers)}


def serve(host: str, port: int, ready: threading.Event | None = None, **options: Any) -> None:
    double = DvcqgDouble(host, port, **options)
    if ready is not None:
        ready.set()
    double.serve_forever()
