"""A double of the online payment platform, on a real socket (``motcua.integrations.doubles.Double``).

It speaks what ``providers.JsonHmacProvider`` speaks with its default names: signed JSON to create an order, query
it, refund it and fetch a day's statement; a checkout page where the tester presses "Thanh toán" (pay) or "Hủy"
(cancel), after which the double posts the signed notice to the order's ``notify_url`` — ``callback_copies``
times, to play a platform that retries — and sends the browser back to the order's ``return_url``; the
receipt as a PDF. Mismatches are planted in the statement (``plant``, or ``POST /_double/statement``) for the
reconciliation to find. Run it alone with ``motcua payment-double --port 9200``.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from motcua.integrations.doubles import Double, Reply, read_json

from .providers import VN, sign, verify

SECRET = "bi-mat-cua-ban-sao"  # noqa: S105 - the development secret, also the command's default
MERCHANT = "MOTCUA-DEV"


@dataclass
class FakeOrder:
    order_id: str
    amount: int
    description: str
    return_url: str
    notify_url: str
    expires_at: str
    status: str = "pending"
    transaction_id: str = ""
    paid_at: dt.datetime | None = None
    receipt_number: str = ""
    refunds: list[dict[str, Any]] = field(default_factory=list)


def receipt_pdf(order: FakeOrder) -> bytes:
    """A one-page PDF with the receipt's particulars (ASCII: the standard Helvetica has no Vietnamese marks)."""
    lines = ["BIEN LAI THU PHI, LE PHI DIEN TU (ban sao thu nghiem)", f"So bien lai: {order.receipt_number}",
             f"Don hang: {order.order_id}", f"So tien: {order.amount} VND",
             f"Thoi diem: {order.paid_at:%d/%m/%Y %H:%M}" if order.paid_at else ""]
    text = "BT /F1 12 Tf 50 780 Td 16 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines) + " ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(text) + text.encode() + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class PaymentDouble(Double):
    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, secret: str = SECRET,
                 merchant: str = MERCHANT) -> None:
        super().__init__(host, port)
        self.secret = secret
        self.merchant = merchant
        self.orders: dict[str, FakeOrder] = {}
        self.callback_copies = 1  # how many times each notice is posted (2: a platform that retries)
        self.sent: list[tuple[str, str, int]] = []  # (order id, status, our answer's HTTP status)
        self.planted: list[dict[str, Any]] = []
        self._numbers = itertools.count(1)

    # --- steering from the tests (or over HTTP) ---------------------------------------------------------------
    def plant(self, kind: str, order_id: str, amount: int | None = None, day: dt.date | None = None) -> None:
        """Plant a statement mismatch: ``add`` a line paid there and unknown here, ``drop`` an order from the
        statement, or give an order another ``amount``."""
        if kind not in {"add", "drop", "amount"}:
            raise ValueError(kind)
        with self.lock:
            self.planted.append({"kind": kind, "order_id": order_id, "amount": amount,
                                 "day": (day or dt.datetime.now(VN).date()).isoformat()})

    def steer(self, order: Any) -> Reply:
        if isinstance(order, dict) and "callback_copies" in order:
            self.callback_copies = int(order["callback_copies"])
        return super().steer(order)

    # --- HTTP ---------------------------------------------------------------------------------------------------
    def route(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        parts = urlsplit(path)
        p = parts.path.rstrip("/")
        if method == "POST" and p == "/_double/statement":
            order = read_json(body) or {}
            try:
                self.plant(str(order.get("kind")), str(order.get("order_id")), order.get("amount"),
                           dt.date.fromisoformat(order["day"]) if order.get("day") else None)
            except (ValueError, TypeError):
                return Reply(400, {"error": "kind: add, drop or amount"})
            return Reply(200, {"ok": True})
        if method == "POST" and p.startswith("/api/"):
            message = read_json(body)
            if not isinstance(message, dict) or not verify(message, self.secret):
                return self._signed(401, {"result_code": "97", "message": "bad signature"})
            if message.get("merchant") != self.merchant:
                return self._signed(403, {"result_code": "98", "message": "unknown merchant"})
            handler = {"/api/orders": self._create, "/api/orders/query": self._query,
                       "/api/refunds": self._refund, "/api/statements": self._statement}.get(p)
            if handler is None:
                return Reply(404, {"error": "no such route"})
            return handler(message)
        if p.startswith("/checkout/"):
            rest = p.removeprefix("/checkout/").split("/")
            order = self.orders.get(rest[0])
            if order is None:
                return Reply(404, raw=b"no such order", content_type="text/plain; charset=utf-8")
            if method == "GET" and len(rest) == 1:
                return self._page(order)
            if method == "POST" and len(rest) == 2 and rest[1] in {"pay", "cancel"}:
                if order.status == "pending":
                    self.pay(order.order_id) if rest[1] == "pay" else self.cancel(order.order_id)
                target = order.return_url + ("&" if "?" in order.return_url else "?") + urlencode(
                    {"order_id": order.order_id})
                return Reply(303, raw=b"", headers={"Location": target}, content_type="text/plain")
        if method == "GET" and p.startswith("/receipts/") and p.endswith(".pdf"):
            order = self.orders.get(p.removeprefix("/receipts/").removesuffix(".pdf"))
            if order is None or not order.receipt_number:
                return Reply(404, raw=b"no receipt", content_type="text/plain; charset=utf-8")
            return Reply(200, raw=receipt_pdf(order), content_type="application/pdf")
        return Reply(404, {"error": "no such route"})

    def _signed(self, status: int, body: dict[str, Any]) -> Reply:
        return Reply(status, {**body, "signature": sign(body, self.secret)})

    def _create(self, m: dict[str, Any]) -> Reply:
        order_id = str(m.get("order_id") or "")
        with self.lock:
            if order_id in self.orders:  # idempotent on the order id: the same order again
                order = self.orders[order_id]
            else:
                order = FakeOrder(order_id, int(m["amount"]), str(m.get("description") or ""),
                                  str(m.get("return_url") or ""), str(m.get("notify_url") or ""),
                                  str(m.get("expires_at") or ""))
                self.orders[order_id] = order
        if order.amount != int(m["amount"]):
            return self._signed(409, {"result_code": "12", "message": "order exists with another amount"})
        checkout = f"{self.url}/checkout/{order_id}"
        return self._signed(200, {"result_code": "0", "message": "OK", "order_id": order_id,
                                  "checkout_url": checkout, "qr": checkout, "expires_at": order.expires_at})

    def _state(self, order: FakeOrder) -> dict[str, Any]:
        return {"order_id": order.order_id, "amount": order.amount, "status": order.status,
                "transaction_id": order.transaction_id,
                "paid_at": order.paid_at.isoformat(timespec="seconds") if order.paid_at else "",
                "receipt_number": order.receipt_number,
                "receipt_url": f"{self.url}/receipts/{order.order_id}.pdf" if order.receipt_number else ""}

    def _query(self, m: dict[str, Any]) -> Reply:
        order = self.orders.get(str(m.get("order_id")))
        if order is None:
            return self._signed(404, {"result_code": "01", "message": "no such order"})
        return self._signed(200, {"result_code": "0", "message": "OK", **self._state(order)})

    def _refund(self, m: dict[str, Any]) -> Reply:
        order = self.orders.get(str(m.get("order_id")))
        if order is None or order.status not in {"paid", "refunded"}:
            return self._signed(409, {"result_code": "21", "message": "order not paid"})
        if int(m.get("amount") or 0) != order.amount or str(m.get("transaction_id")) != order.transaction_id:
            return self._signed(409, {"result_code": "22", "message": "refund does not match the payment"})
        with self.lock:
            done = next((r for r in order.refunds if r["refund_id"] == m.get("refund_id")), None)
            if done is None:  # idempotent on the refund id
                done = {"refund_id": str(m.get("refund_id")), "refund_transaction_id": f"RF{next(self._numbers):08d}"}
                order.refunds.append(done)
                order.status = "refunded"
        return self._signed(200, {"result_code": "0", "message": "OK", "order_id": order.order_id,
                                  "status": "refunded", **done})

    def _statement(self, m: dict[str, Any]) -> Reply:
        day = str(m.get("date") or "")
        lines = {o.order_id: {"order_id": o.order_id, "transaction_id": o.transaction_id, "amount": o.amount,
                              "status": o.status, "paid_at": o.paid_at.isoformat(timespec="seconds")}
                 for o in list(self.orders.values())
                 if o.paid_at is not None and o.paid_at.astimezone(VN).date().isoformat() == day}
        for plant in self.planted:
            if plant["day"] != day:
                continue
            if plant["kind"] == "drop":
                lines.pop(plant["order_id"], None)
            elif plant["kind"] == "amount" and plant["order_id"] in lines:
                lines[plant["order_id"]]["amount"] = int(plant["amount"])
            elif plant["kind"] == "add":
                lines[plant["order_id"]] = {"order_id": plant["order_id"], "transaction_id": "TX-PLANTED",
                                            "amount": int(plant["amount"] or 1000), "status": "paid",
                                            "paid_at": f"{day}T12:00:00+07:00"}
        return self._signed(200, {"result_code": "0", "message": "OK", "date": day, "lines": list(lines.values())})

    def _page(self, order: FakeOrder) -> Reply:
        e = html.escape
        state = {"pending": "Chờ thanh toán", "paid": "Đã thanh toán", "cancelled": "Đã hủy",
                 "refunded": "Đã hoàn tiền"}.get(order.status, order.status)
        forms = ("" if order.status != "pending" else
                 f'<form method="post" action="/checkout/{e(order.order_id)}/pay"><button>Thanh toán</button></form>'
                 f'<form method="post" action="/checkout/{e(order.order_id)}/cancel"><button>Hủy</button></form>')
        page = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Thanh toán {e(order.order_id)}'
                f'</title></head><body><main><h1>Cổng thanh toán (bản sao thử nghiệm)</h1>'
                f'<p>Đơn hàng: {e(order.order_id)}</p><p>Nội dung: {e(order.description)}</p>'
                f'<p>Số tiền: {order.amount:,} đồng</p><p>Trạng thái: {e(state)}</p>{forms}</main></body></html>')
        return Reply(200, raw=page.encode(), content_type="text/html; charset=utf-8")

    # --- the payer's actions ---------------------------------------------------------------------------------
    def pay(self, order_id: str) -> None:
        order = self.orders[order_id]
        with self.lock:
            n = next(self._numbers)
            order.status = "paid"
            order.transaction_id = f"TX{n:08d}"
            order.paid_at = dt.datetime.now(VN).replace(microsecond=0)
            order.receipt_number = f"BL-{order.paid_at:%Y}-{n:06d}"
        self._notify(order)

    def cancel(self, order_id: str) -> None:
        order = self.orders[order_id]
        order.status = "cancelled"
        self._notify(order)

    def _notify(self, order: FakeOrder) -> None:
        """Post the signed notice ``callback_copies`` times; each is retried (3 tries) until answered 200."""
        body = {**self._state(order), "merchant": self.merchant}
        body["signature"] = sign(body, self.secret)
        for _copy in range(max(1, self.callback_copies)):
            for _try in range(3):
                try:
                    r = requests.post(order.notify_url, data=json.dumps(body), timeout=10,
                                      headers={"Content-Type": "application/json"})
                    status = r.status_code
                except requests.RequestException:
                    status = 0
                self.sent.append((order.order_id, order.status, status))
                if status == 200:
                    break
