"""Online payment of fees and charges against the double of the payment platform, over real HTTP both ways: our
client calls the double (orders, queries, refunds, statements, receipts) and the double posts its signed notices
to the live server's callback. A payment paid, one abandoned, one paid twice by a retried notice, one refunded;
a forged or altered notice refused; a planted statement mismatch found; every page as anonymous, as another
citizen, as the owner and as staff."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import requests
import time_machine
from django.test import Client
from django.utils import timezone

from motcua.accounts.choices import Role
from motcua.dossiers import services as dossier_services
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import services as wf
from motcua.integrations.models import (
    CallbackOutcome,
    OnlinePayment,
    PaymentCallback,
    PaymentReconciliation,
    PaymentState,
)
from motcua.integrations.payments import providers, selectors, services
from motcua.integrations.payments.double import MERCHANT, SECRET, PaymentDouble
from tests.conftest import _person
from tests.dossiers.conftest import intake, make_procedure, upload

pytestmark = pytest.mark.django_db(transaction=True)

AMOUNT = 150_000


@pytest.fixture
def double():  # type: ignore[no-untyped-def]
    with PaymentDouble() as d:
        yield d


@pytest.fixture
def configured(settings, live_server, double, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = live_server.url
    settings.MOTCUA_PAYMENT_PROVIDER = "dvcqg"
    settings.MOTCUA_PAYMENT_URL = double.url
    settings.MOTCUA_PAYMENT_MERCHANT = MERCHANT
    settings.MOTCUA_PAYMENT_SECRET = SECRET
    settings.MOTCUA_PAYMENT_CALLBACK_URL = ""
    return double


def awaiting_payment(people: dict[str, Any], org: dict[str, Any]) -> Dossier:
    """An online dossier of An, accepted, transferred, and asked to pay 150 000 đ (status 6)."""
    make_procedure(org)
    d = dossier_services.submit_online(people["an"], intake(), [upload(), upload(order=2)])
    d = dossier_services.accept(people["binh"], d)
    d = dossier_services.transfer(people["binh"], d)
    wf.request_payment(people["binh"], d, amount_vnd=AMOUNT, description="Lệ phí cấp giấy phép xây dựng")
    return Dossier.objects.get(pk=d.pk)


@pytest.fixture
def chi(people):  # type: ignore[no-untyped-def]
    """Another citizen."""
    user = _person("chi", "Trần Thị Chi", None, Role.CITIZEN)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dossier(people, org, configured):  # type: ignore[no-untyped-def]
    return awaiting_payment(people, org)


def click(url: str) -> requests.Response:
    """The payer presses a button of the double's checkout page (a form POST, no JavaScript)."""
    return requests.post(url, timeout=30, allow_redirects=False)


def test_the_payment_notice_links_the_dossier_page_where_the_button_is(dossier, settings, live_server):
    from motcua.portal import selectors as portal_selectors

    url = f"{live_server.url}/cong-dan/ho-so/{dossier.public_id}/"
    assert portal_selectors.payment_context(dossier)["pay_url"] == url
    settings.MOTCUA_PAYMENT_PROVIDER = ""
    assert portal_selectors.payment_context(dossier)["pay_url"] == ""


def test_a_payment_paid_confirms_the_dossier_with_its_receipt(dossier, people, configured, client_for):
    owner = client_for("an")
    page = owner.get(f"/cong-dan/ho-so/{dossier.public_id}/").content.decode()
    start = f'action="/ket-noi/thanh-toan/ho-so/{dossier.public_id}/"'
    assert start in page and "Thanh toán trực tuyến</button>" in page and ("150.000" in page or "150,000" in page)
    answer = owner.post(f"/ket-noi/thanh-toan/ho-so/{dossier.public_id}/")
    assert answer.status_code == 302 and answer["Location"].startswith(configured.url + "/checkout/")
    online = OnlinePayment.objects.get()
    assert (online.state, online.amount_vnd, online.kind) == (PaymentState.PENDING, AMOUNT, 1)
    # The double's page, then "Thanh toán": its notice reaches our callback before it sends the payer back.
    checkout = requests.get(answer["Location"], timeout=10).text
    assert "Thanh toán" in checkout and "150,000" in checkout
    back = click(answer["Location"] + "/pay")
    assert back.status_code == 303 and online.order_id in back.headers["Location"]
    assert configured.sent == [(online.order_id, "paid", 200)]
    online.refresh_from_db()
    dossier.refresh_from_db()
    assert online.state == PaymentState.PAID and online.confirmed and online.receipt_number.startswith("BL-")
    assert dossier.status == Status.IN_PROGRESS and dossier.paid_online and dossier.fees_paid_vnd == AMOUNT
    payment = dossier.payments.get()
    assert (payment.channel, payment.receipt_number, payment.confirmed_by) == ("online", online.receipt_number,
                                                                               people["binh"])
    # The receipt is kept with the payment and served to the owner and to the desk.
    assert online.receipt_file
    pdf = owner.get(f"/ket-noi/thanh-toan/don/{online.order_id}/bien-lai/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client_for("binh").get(f"/ket-noi/thanh-toan/don/{online.order_id}/bien-lai/").status_code == 200
    assert dossier.events.filter(kind="personal_data_viewed", actor=people["binh"],
                                 data__where__endswith="/bien-lai/").exists()  # the desk's reading is logged
    # The return page and the dossier page say it.
    assert "Đã thanh toán" in owner.get(f"/ket-noi/thanh-toan/don/{online.order_id}/").content.decode()
    page = owner.get(f"/cong-dan/ho-so/{dossier.public_id}/").content.decode()
    assert online.receipt_number in page and "Biên lai điện tử" in page and start not in page
    assert selectors.online_payment_kind(dossier) == 1


def test_the_provider_sends_the_payer_back_to_our_order_page(dossier, people, configured, live_server):
    online = services.start_payment(people["an"], dossier)
    back = click(online.checkout_url + "/pay")
    assert back.headers["Location"].startswith(f"{live_server.url}/ket-noi/thanh-toan/don/{online.order_id}/")


def test_an_abandoned_payment_expires_and_the_dossier_still_awaits_payment(dossier, people, configured):
    online = services.start_payment(people["an"], dossier)
    # Reused while valid: the citizen who presses the button again goes back to the same order.
    assert services.start_payment(people["an"], dossier).pk == online.pk
    assert services.expire_abandoned()["checked"] == 0  # not yet expired
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        counts = services.expire_abandoned()
    assert counts["checked"] == 1 and counts["abandoned"] == 1
    online.refresh_from_db()
    dossier.refresh_from_db()
    assert online.state == PaymentState.ABANDONED and not online.receipt_number
    assert dossier.status == Status.PAYMENT_REQUESTED and dossier.paid_online is None
    assert dossier.payments.get().paid_at is None
    # The citizen may start again: a new order.
    again = services.start_payment(people["an"], dossier)
    assert again.pk != online.pk and again.state == PaymentState.PENDING


def test_a_cancelled_payment_fails_and_leaves_the_dossier_waiting(dossier, people, configured):
    online = services.start_payment(people["an"], dossier)
    click(online.checkout_url + "/cancel")
    online.refresh_from_db()
    dossier.refresh_from_db()
    assert online.state == PaymentState.FAILED and dossier.status == Status.PAYMENT_REQUESTED


def test_a_payment_whose_notice_was_lost_is_found_by_the_expiry_job(dossier, people, configured, settings):
    online = services.start_payment(people["an"], dossier)
    configured.orders[online.order_id].notify_url = "http://127.0.0.1:9/nowhere"  # the notice is lost
    click(online.checkout_url + "/pay")
    online.refresh_from_db()
    assert online.state == PaymentState.PENDING
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        counts = services.expire_abandoned()
    online.refresh_from_db()
    dossier.refresh_from_db()
    assert counts["paid"] == 1 and online.state == PaymentState.PAID and online.receipt_file
    assert dossier.status == Status.IN_PROGRESS and dossier.paid_online


def test_a_notice_repeated_by_the_platform_confirms_once_with_one_receipt(dossier, people, configured):
    configured.callback_copies = 2  # the platform posts each notice twice
    online = services.start_payment(people["an"], dossier)
    click(online.checkout_url + "/pay")
    assert [status for _, _, status in configured.sent] == [200, 200]  # both answered OK: it stops retrying
    outcomes = list(PaymentCallback.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == [CallbackOutcome.APPLIED, CallbackOutcome.DUPLICATE]
    dossier.refresh_from_db()
    assert dossier.fees_paid_vnd == AMOUNT and dossier.events.filter(kind="payment_confirmed").count() == 1
    online.refresh_from_db()
    assert online.state == PaymentState.PAID and online.receipt_file
    name = online.receipt_file.name
    assert OnlinePayment.objects.count() == 1 and online.receipt_file.name == name


def test_a_refund_returns_the_money_and_keeps_the_dossier_as_it_is(dossier, people, configured, client_for):
    online = services.start_payment(people["an"], dossier)
    click(online.checkout_url + "/pay")
    url = f"/ket-noi/thanh-toan/don/{online.order_id}/hoan-tien/"
    # Only staff who may confirm a payment refund: not the citizen, not an officer of another agency.
    assert client_for("an").post(url, {"reason": "x"}).status_code == 403
    assert client_for("khanh").post(url, {"reason": "x"}).status_code == 404  # not their dossier at all
    page = client_for("binh").get(f"/ket-noi/thanh-toan/don/{online.order_id}/").content.decode()
    assert 'name="reason"' in page
    answer = client_for("binh").post(url, {"reason": ""})  # a reason is required: nothing changes
    online.refresh_from_db()
    assert answer.status_code == 302 and online.state == PaymentState.PAID
    answer = client_for("binh").post(url, {"reason": "Nộp nhầm, hoàn trả theo đề nghị"}, follow=True)
    assert "Đã hoàn tiền" in answer.content.decode()
    online.refresh_from_db()
    dossier.refresh_from_db()
    assert online.state == PaymentState.REFUNDED and online.refunded_by == people["binh"]
    assert online.refund_transaction_id.startswith("RF") and configured.orders[online.order_id].status == "refunded"
    assert online.receipt_file  # the receipt of the payment is kept
    assert dossier.status == Status.IN_PROGRESS  # a refund does not reopen the payment request
    with pytest.raises(services.Conflict):
        services.refund(people["binh"], online, "again")


def test_a_second_payment_of_the_same_request_is_recorded_to_be_refunded(dossier, people, configured):
    first = services.start_payment(people["an"], dossier)
    configured.orders[first.order_id].notify_url = "http://127.0.0.1:9/nowhere"
    click(first.checkout_url + "/pay")  # paid, the notice lost; the desk confirms by hand meanwhile
    wf.confirm_payment(people["binh"], Dossier.objects.get(pk=dossier.pk), channel="desk", receipt_number="BL-QUAY")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        services.expire_abandoned()
    first.refresh_from_db()
    assert first.state == PaymentState.PAID and first.needs_refund and not first.confirmed
    refunded = services.refund(people["binh"], first, "Nộp hai lần")
    assert refunded.state == PaymentState.REFUNDED and not refunded.needs_refund


def _notice(order: OnlinePayment, amount: int, secret: str = SECRET) -> bytes:
    body = {"merchant": MERCHANT, "order_id": order.order_id, "amount": amount, "status": "paid",
            "transaction_id": "TX-FORGED", "paid_at": timezone.now().isoformat(), "receipt_number": "BL-FORGED",
            "receipt_url": ""}
    return json.dumps(providers.signed(body, secret)).encode()


def test_a_notice_with_a_wrong_signature_is_refused_and_kept(dossier, people, configured, live_server):
    online = services.start_payment(people["an"], dossier)
    answer = requests.post(f"{live_server.url}/ket-noi/thanh-toan/callback/", data=_notice(online, AMOUNT, "sai"),
                           timeout=10)
    assert answer.status_code == 400
    log = PaymentCallback.objects.get()
    assert (log.signature_valid, log.outcome) == (False, CallbackOutcome.BAD_SIGNATURE)
    online.refresh_from_db()
    dossier.refresh_from_db()
    assert online.state == PaymentState.PENDING and dossier.status == Status.PAYMENT_REQUESTED
    # Not JSON at all: refused too, not a 500.
    assert requests.post(f"{live_server.url}/ket-noi/thanh-toan/callback/", data=b"<xml/>",
                         timeout=10).status_code == 400


def test_a_notice_with_another_amount_is_refused_and_kept(dossier, people, configured, live_server):
    online = services.start_payment(people["an"], dossier)
    answer = requests.post(f"{live_server.url}/ket-noi/thanh-toan/callback/", data=_notice(online, 1_000),
                           timeout=10)
    assert answer.status_code == 400 and providers.verify(answer.json(), SECRET)
    log = PaymentCallback.objects.get()
    assert (log.signature_valid, log.outcome, log.online_payment) == (True, CallbackOutcome.AMOUNT_MISMATCH, online)
    online.refresh_from_db()
    assert online.state == PaymentState.PENDING
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PAYMENT_REQUESTED


def test_the_amount_is_the_requests_and_only_the_owner_starts(dossier, people, configured, client_for, chi):
    # Whatever the form posts, the order is for the amount requested.
    client_for("an").post(f"/ket-noi/thanh-toan/ho-so/{dossier.public_id}/", {"amount": "1"})
    online = OnlinePayment.objects.get()
    assert online.amount_vnd == AMOUNT == configured.orders[online.order_id].amount
    # Another citizen, staff, anonymous: nobody else starts a payment of An's dossier.
    url = f"/ket-noi/thanh-toan/ho-so/{dossier.public_id}/"
    assert client_for("binh").post(url).status_code == 404
    assert chi.post(url).status_code == 404
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "next=" in anonymous["Location"]
    with pytest.raises(services.PermissionDenied):
        services.start_payment(people["binh"], dossier)
    assert OnlinePayment.objects.count() == 1


def test_no_online_payment_when_none_is_awaited_or_the_provider_is_off(people, org, configured, settings,
                                                                      client_for):
    d = awaiting_payment(people, org)
    wf.confirm_payment(people["binh"], d, channel="desk")
    with pytest.raises(services.Conflict):
        services.start_payment(people["an"], Dossier.objects.get(pk=d.pk))
    settings.MOTCUA_PAYMENT_PROVIDER = ""
    assert client_for("an").post("/ket-noi/thanh-toan/callback/", b"{}",
                                 content_type="application/json").status_code == 404


def test_pages_as_anonymous_other_citizen_owner_and_staff(dossier, people, configured, client_for, chi):
    online = services.start_payment(people["an"], dossier)
    click(online.checkout_url + "/pay")
    order = f"/ket-noi/thanh-toan/don/{online.order_id}/"
    receipt = order + "bien-lai/"
    for url in (order, receipt, "/ket-noi/thanh-toan/", "/ket-noi/thanh-toan/doi-soat/"):
        answer = Client().get(url)
        assert answer.status_code == 302 and "next=" in answer["Location"]  # anonymous: to the sign-in page
    assert chi.get(order).status_code == 404 and chi.get(receipt).status_code == 404
    assert chi.get("/ket-noi/thanh-toan/").status_code == 403
    owner = client_for("an").get(order).content.decode()
    paid = OnlinePayment.objects.get(order_id=online.order_id)
    assert paid.transaction_id  # the provider's transaction: on the page's main part, never in its header
    assert "Đã thanh toán" in owner and 'name="reason"' not in owner
    assert paid.transaction_id not in owner.split("<main")[0]
    assert client_for("khanh").get(order).status_code == 404  # staff of another agency
    assert client_for("khanh").get(receipt).status_code == 404
    assert online.order_id in client_for("binh").get("/ket-noi/thanh-toan/").content.decode()
    assert online.order_id not in client_for("khanh").get("/ket-noi/thanh-toan/").content.decode()
    staff = client_for("binh").get(order).content.decode()
    assert 'name="reason"' in staff and "Chữ ký hợp lệ" in staff  # the refund form and the notices' log
    assert client_for("binh").get("/ket-noi/thanh-toan/doi-soat/").status_code == 403
    assert client_for("ha").get("/ket-noi/thanh-toan/doi-soat/").status_code == 200
    # The staff dossier page lists the dossier's online payments with their receipt.
    page = client_for("binh").get(f"/ho-so/{dossier.public_id}/").content.decode()
    assert 'id="sec-online-payments"' in page and online.order_id in page


def test_the_reconciliation_finds_a_planted_mismatch_both_ways(dossier, people, configured, client_for):
    online = services.start_payment(people["an"], dossier)
    click(online.checkout_url + "/pay")
    today = timezone.localdate(timezone=providers.VN)
    clean = services.reconcile(today)
    assert clean.ok and (clean.lines_there, clean.lines_here) == (1, 1)
    configured.plant("add", "MC-NOT-OURS", 50_000, today)  # paid there, unknown here
    report = services.reconcile(today)
    assert [(m["kind"], m["order_id"]) for m in report.mismatches] == [("missing_here", "MC-NOT-OURS")]
    configured.plant("amount", online.order_id, 140_000, today)
    kinds = {m["kind"] for m in services.reconcile(today).mismatches}
    assert kinds == {"missing_here", "amount"}
    configured.plant("drop", online.order_id, None, today)  # paid here, absent there
    report = services.reconcile(today)
    assert {(m["kind"], m["order_id"]) for m in report.mismatches} == {("missing_here", "MC-NOT-OURS"),
                                                                       ("missing_there", online.order_id)}
    assert PaymentReconciliation.objects.count() == 1  # the day's report is replaced, not repeated
    page = client_for("ha").get(f"/ket-noi/thanh-toan/doi-soat/{report.pk}/").content.decode()
    assert "MC-NOT-OURS" in page and online.order_id in page
    assert client_for("binh").get(f"/ket-noi/thanh-toan/doi-soat/{report.pk}/").status_code == 403


def test_an_unreachable_platform_is_a_clear_error_and_changes_nothing(dossier, people, configured, client_for):
    configured.faults.fail_next(1, 503)
    answer = client_for("an").post(f"/ket-noi/thanh-toan/ho-so/{dossier.public_id}/", follow=True)
    assert answer.status_code == 200 and "không" in answer.content.decode().lower()
    assert not OnlinePayment.objects.filter(state__in=["created", "pending"]).exists()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PAYMENT_REQUESTED
    today = timezone.localdate(timezone=providers.VN)
    configured.faults.fail_next(1, 503)
    assert services.reconcile(today).error


def test_an_online_payment_counts_as_paid_online_in_the_766_index(dossier, people, configured):
    from motcua.stats import index766, kpi, rollups

    online = services.start_payment(people["an"], dossier)
    click(online.checkout_url + "/pay")
    rollups.rebuild()
    today = timezone.localdate()
    index = index766.compute(kpi.Scope(), today.replace(day=1), today)
    paid = next(i for g in index["groups"] for i in g["indicators"] if i["id"] == "3.6")
    assert (paid["numerator"], paid["denominator"]) == (1, 1)


def test_the_api_starts_reads_and_refunds_as_each_may(dossier, people, configured, token_for, chi):
    start = f"/api/v1/integrations/payments/dossiers/{dossier.public_id}"
    assert Client().post(start).status_code == 401
    assert Client().post(start, HTTP_AUTHORIZATION=token_for("binh")).status_code == 404  # not the applicant
    answer = Client().post(start, {"amount_vnd": 1}, content_type="application/json",
                           HTTP_AUTHORIZATION=token_for("an"))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["amount_vnd"] == AMOUNT and body["state"] == "pending" and body["checkout_url"].startswith(
        configured.url)
    click(body["checkout_url"] + "/pay")
    order = f"/api/v1/integrations/payments/{body['order_id']}"
    assert Client().get(order).status_code == 401
    assert chi.get(order).status_code == 404
    paid = Client().get(order, HTTP_AUTHORIZATION=token_for("an")).json()
    assert paid["state"] == "paid" and paid["receipt_number"] and paid["receipt_url"].endswith("/bien-lai/")
    refund = order + "/refund"
    denied = Client().post(refund, {"reason": "x"}, content_type="application/json",
                           HTTP_AUTHORIZATION=token_for("an"))
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    done = Client().post(refund, {"reason": "Nộp nhầm"}, content_type="application/json",
                         HTTP_AUTHORIZATION=token_for("binh"))
    assert done.status_code == 200 and done.json()["state"] == "refunded"
    again = Client().post(refund, {"reason": "Nộp nhầm"}, content_type="application/json",
                          HTTP_AUTHORIZATION=token_for("binh"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_refundable"
