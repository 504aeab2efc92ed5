"""Pages of online payment (mounted under /ket-noi/thanh-toan/). Thin: parse, call a service or a selector,
render. Everything works without JavaScript: the citizen's button is a form that redirects to the provider's
page, the provider sends the browser back to the order's page, staff refund with a form."""

from __future__ import annotations

import contextlib
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.errors import DomainError, NotFound
from motcua.documents.legal import qr_data_uri
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.integrations.models import PaymentReconciliation, PaymentState

from . import providers, selectors, services


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _own_dossier(user: User, code: str) -> Dossier:
    dossier = Dossier.objects.filter(Q(code=code) | Q(reference=code), owner=user).first()
    if dossier is None:
        raise Http404(_("There is no dossier %(code)s.") % {"code": code[:100]})
    return dossier


def _dossier_page(user: User, dossier: Dossier) -> str:
    # The applicant's page (the portal) or the staff's: reversed by name, the apps above are not imported.
    if dossier.owner_id == user.pk:
        return reverse("portal:dossier", args=[dossier.public_id])
    return reverse("dossiers:detail", args=[dossier.public_id])


@login_required
@require_POST
def start(request: HttpRequest, code: str) -> HttpResponseBase:
    """The applicant's "Thanh toán trực tuyến" button: an order at the provider for the amount requested, then the
    provider's payment page (or, for a provider that gives only a QR code, the order's page with it)."""
    user = _me(request)
    dossier = _own_dossier(user, code)
    try:
        online = services.start_payment(user, dossier)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_dossier_page(user, dossier))
    if online.state == PaymentState.PENDING and online.checkout_url:
        return redirect(online.checkout_url)
    return redirect("integrations:payment", online.order_id)


@login_required
@require_GET
def order(request: HttpRequest, order_id: str) -> HttpResponse:
    """The order's page: where the provider sends the applicant back, and where staff read it. An order still
    awaiting payment is asked about at the provider, so that the applicant back before the notice sees it paid."""
    user = _me(request)
    try:
        online = selectors.visible_order(user, order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if online.live and providers.enabled():
        with contextlib.suppress(DomainError, ImproperlyConfigured):  # the page shows what is known here
            online = services.check_order(online)
    dossier = online.dossier
    if dossier.owner_id != user.pk:
        dossier_services.record_opening(user, dossier, request.path)
    return render(request, "integrations/payments/order.html", {
        "online": online, "dossier": dossier, "back": _dossier_page(user, dossier),
        "qr": qr_data_uri(online.qr_payload) if online.live and online.qr_payload else "",
        "may_refund": online.state == PaymentState.PAID and services.may_refund(user, dossier),
        "callbacks": list(online.callbacks.all()[:20]) if dossier.owner_id != user.pk else [],
    })


@login_required
@require_GET
def receipt(request: HttpRequest, order_id: str) -> HttpResponseBase:
    """The electronic receipt (*biên lai điện tử*) of a paid order, for those who may see its dossier; a staff
    reading is logged as a reading of the applicant's personal data."""
    user = _me(request)
    try:
        online = selectors.visible_order(user, order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not online.receipt_file:
        raise Http404(_("The receipt is not available yet."))
    try:
        handle = online.receipt_file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The receipt is not available yet.")) from exc
    if dossier_selectors.is_staff_reader(user, online.dossier):
        # A receipt names the payer: the applicant reads in "who opened my dossier" that their data was read.
        dossier_services.record_personal_data_view(user, online.dossier, request.path)
    response = FileResponse(handle, content_type="application/pdf",
                            filename=f"bien-lai-{online.receipt_number or online.order_id}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def refund(request: HttpRequest, order_id: str) -> HttpResponse:
    user = _me(request)
    try:
        online = selectors.visible_order(user, order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        services.refund(user, online, request.POST.get("reason", "")[:500])
    except DomainError as exc:
        if exc.status == 403:
            return render(request, "integrations/payments/forbidden.html", {"message": exc.message}, status=403)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The payment has been refunded."))
    return redirect("integrations:payment", online.order_id)


@csrf_exempt  # posted by the provider, server to server: the HMAC signature stands for the CSRF token
@require_POST
def callback(request: HttpRequest) -> HttpResponse:
    if not providers.enabled():
        return JsonResponse({"error": {"code": "payment_off", "message": "online payment is off"}}, status=404)
    answer = services.handle_callback(request.body, dict(request.headers))
    return JsonResponse(answer.body, status=answer.status, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if not dossier_selectors.is_staff(user):
        return render(request, "integrations/payments/forbidden.html",
                      {"message": _("This page is for the agency's staff.")}, status=403)
    code, state = request.GET.get("ho_so", "").strip()[:100], request.GET.get("trang_thai", "")
    rows = list(selectors.staff_list(user, code, state)[:200])
    return render(request, "integrations/payments/list.html", {
        "rows": rows, "code": code, "state": state, "states": PaymentState.choices,
        "may_see_reports": has_capability(user, Capability.ADMINISTER)})


def _administrator(request: HttpRequest) -> HttpResponse | None:
    if not has_capability(_me(request), Capability.ADMINISTER):
        return render(request, "integrations/payments/forbidden.html",
                      {"message": _("The reconciliation reports are for the administrators.")}, status=403)
    return None


@login_required
@require_GET
def reconciliations(request: HttpRequest) -> HttpResponse:
    refused = _administrator(request)
    if refused is not None:
        return refused
    return render(request, "integrations/payments/reconciliations.html", {"reports": selectors.reports()})


@login_required
@require_GET
def reconciliation(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _administrator(request)
    if refused is not None:
        return refused
    report = PaymentReconciliation.objects.filter(pk=pk).first()
    if report is None:
        raise Http404(_("There is no such report."))
    return render(request, "integrations/payments/reconciliation.html", {"report": report})
