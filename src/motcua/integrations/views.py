"""Pages of the integrations app: the synchronisation status on the staff dossier page (a ``dossiers.panels``
panel) and the administrator's page of the synchronisation with DVCQG (records set aside, replay,
reconciliation)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier
from motcua.dossiers.panels import Panel

from .dvcqg import selectors
from .dvcqg import services as sync_services
from .payments import selectors as payment_selectors

STATE_LABELS = {
    "off": gettext_lazy("Not synchronised: the connection to DVCQG is not configured."),
    "none": gettext_lazy("Nothing to send yet: the dossier has no code."),
    "synced": gettext_lazy("Synchronised: DVCQG acknowledged every record."),
    "pending": gettext_lazy("Waiting to be sent to DVCQG."),
    "dead": gettext_lazy("A record was refused or could not be sent: an administrator must look at it."),
}


def sync_panel(user: User, dossier: Dossier) -> Panel | None:
    """The dossier's synchronisation with DVCQG, for the staff who see the dossier page."""
    info = selectors.dossier_sync(dossier)
    return Panel("integrations/_sync_panel.html", {
        "info": info, "label": str(STATE_LABELS[info.state]),
        "is_admin": has_capability(user, Capability.ADMINISTER)})


def payments_panel(user: User, dossier: Dossier) -> Panel | None:
    """The dossier's online payments (state, receipt), for the staff on the dossier page; nothing when none."""
    orders = payment_selectors.for_dossier(dossier)
    if not orders:
        return None
    return Panel("integrations/payments/_staff_panel.html", {"orders": orders})


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not has_capability(user, Capability.ADMINISTER):
        raise PermissionDenied
    return user


@login_required
@require_GET
def sync_page(request: HttpRequest) -> HttpResponse:
    _admin(request)
    today = timezone.localdate()
    return render(request, "integrations/sync.html", {
        "s": selectors.summary(), "url": settings.MOTCUA_DVCQG_URL,
        "first": today - dt.timedelta(days=30), "last": today})


@login_required
@require_POST
def replay(request: HttpRequest, record_id: int) -> HttpResponse:
    user = _admin(request)
    try:
        sync_services.replay(user, record_id)
        messages.success(request, _("The record will be sent again."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("integrations:sync")


@login_required
@require_POST
def replay_all(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    n = sync_services.replay_all(user)
    messages.success(request, _("%(n)s record(s) will be sent again.") % {"n": n})
    return redirect("integrations:sync")


@login_required
@require_POST
def resend(request: HttpRequest, dossier_id: int) -> HttpResponse:
    user = _admin(request)
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None or sync_services.resend(dossier, user=user) is None:
        messages.error(request, _("This dossier cannot be sent: it has no code."))
    else:
        messages.success(request, _("The dossier %(code)s will be sent again as it is now.") % {"code": dossier.code})
    return redirect("integrations:sync")


@login_required
@require_POST
def reconcile_now(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    try:
        first = dt.date.fromisoformat(request.POST.get("first", ""))
        last = dt.date.fromisoformat(request.POST.get("last", ""))
    except ValueError:
        messages.error(request, _("Give the first and the last day of the period."))
        return redirect("integrations:sync")
    try:
        report = sync_services.reconcile_period(user, first, last)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("integrations:sync")
    if report.error:
        messages.error(request, _("DVCQG could not be asked: %(error)s") % {"error": report.error})
    else:
        messages.success(request, _("Reconciliation done."))
    return redirect("integrations:sync")
