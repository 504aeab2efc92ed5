"""Citizen pages: tracking, registration, the citizen's home and dossiers, the access log, rating.

Thin: parse, call a selector or a service, render. Every page works without JavaScript.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import IO, Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.models import User
from motcua.core.errors import DomainError, NotFound
from motcua.core.pagecache import public_page
from motcua.documents.legal import qr_data_uri
from motcua.dossiers import actions, serving
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers.choices import Status
from motcua.dossiers.files import StorageUnavailable
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.pages import FORM_LABELS
from motcua.dossiers.selectors import mask
from motcua.dossiers.views.detail import file_response
from motcua.dossiers.wallet import selectors as wallet
from motcua.integrations.payments import selectors as payments
from motcua.surveys import selectors as survey_selectors
from motcua.surveys.views import public as survey_views

from . import selectors, services, throttle
from .forms import (
    AnswerForm,
    CloseAccountForm,
    ConfirmForm,
    CorrectionForm,
    DataRightForm,
    IdentifierChangeForm,
    NameForm,
    RegisterForm,
    SupplementForm,
    TrackForm,
    WithdrawForm,
)
from .models import CorrectionRequest, PendingIdentifierChange, PendingRegistration


def me(request: HttpRequest) -> User:
    """The signed-in person (the views that call this require a sign-in)."""
    return cast(User, request.user)


def form_errors(form: forms.Form, exc: DomainError, default_field: str | None = None) -> None:
    """Put a service's error next to the field it names, else at the top of the form."""
    fields = exc.details.get("fields") or []
    placed = False
    for item in fields:
        name = item.get("field", "").split(".")[-1]
        if name in form.fields:
            form.add_error(name, item.get("message") or exc.message)
            placed = True
    if not placed:
        form.add_error(default_field if default_field in form.fields else None, exc.message)


# --- tracking -----------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@public_page(query=False)  # GET only; ?code= from a receipt's QR code is rendered, not kept
def track(request: HttpRequest) -> HttpResponse:
    """``/tra-cuu``: GET shows the form (``?code=`` from the receipt's QR code fills the code); POST looks
    the dossier up, so that the four digits stay out of addresses and logs."""
    result = None
    not_found = False
    status = 200
    if request.method == "POST":
        form = TrackForm(request.POST)
        if form.is_valid():
            if not throttle.allow(request):
                status = 429
                form.add_error(None, _("Too many lookups from your connection. Wait a few minutes and try again."))
            else:
                result = selectors.track(form.cleaned_data["code"], form.cleaned_data["verify"])
                not_found = result is None
    else:
        form = TrackForm(initial={"code": request.GET.get("code", "")[:100]})
    return render(request, "portal/track.html", {"form": form, "result": result, "not_found": not_found},
                  status=status)


# --- registration -------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = RegisterForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if not throttle.allow_registration(request):
            status = 429
            form.add_error(None, _("Too many registrations from your connection. Please try again later."))
        else:
            try:
                pending = services.start_registration(d["full_name"], d["identifier"], d["password"],
                                                      d["language"], consent=d["consent"])
            except DomainError as exc:
                status = 429 if exc.status == 429 else status
                form_errors(form, exc, "identifier")
            else:
                return redirect("portal:register-confirm", key=pending.key)
    return render(request, "portal/register.html", {"form": form, "consent_version": services.CONSENT_VERSION},
                  status=status)


def _pending(key: str) -> PendingRegistration:
    pending = PendingRegistration.objects.filter(key=key, confirmed_at__isnull=True).first()
    if pending is None:
        raise Http404(_("This registration does not exist or is already confirmed."))
    return pending


@require_http_methods(["GET", "POST"])
def register_confirm(request: HttpRequest, key: str) -> HttpResponse:
    pending = _pending(key)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.confirm_registration(pending.key, form.cleaned_data["code"])
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            form_errors(form, exc, "code")
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is ready."))
            return redirect("portal:home")
    return render(request, "portal/register_confirm.html", {"form": form, "pending": pending})


@require_POST
def register_resend(request: HttpRequest, key: str) -> HttpResponse:
    pending = _pending(key)
    if not throttle.allow(request, "resend") or not throttle.allow_registration(request):
        messages.error(request, _("Too many requests. Wait a few minutes and try again."))
    else:
        try:
            services.resend_code(pending)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("A new message has been sent."))
    return redirect("portal:register-confirm", key=pending.key)


# --- the citizen's home and dossiers ------------------------------------------------------------------

@login_required
def home(request: HttpRequest) -> HttpResponse:
    """*Hồ sơ của tôi*: dossiers in progress, drafts, and results."""
    dossiers = list(selectors.own_dossiers(me(request)))
    for d in dossiers:
        d.status_text = dossier_selectors.status_label(d)  # type: ignore[attr-defined]
    finished = {Status.DONE, Status.RETURNED, Status.NOT_RECEIVED, Status.STOPPED}
    return render(request, "portal/home.html", {
        "current": [d for d in dossiers if d.status not in finished],
        "finished": [d for d in dossiers if d.status in finished],
        "drafts": list(selectors.own_drafts(me(request))),
    })


@login_required
@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    """*Giấy tờ của tôi*: the results issued to me, kept to be downloaded and reused by a later procedure that
    asks for a paper of the same kind (Decree 118/2025 Art. 4(2a))."""
    # A result is the agency's until the desk hands it over (Decree 61/2018 Art. 20): listed once returned.
    held = wallet.held_by(user=me(request)).filter(dossier__returned_at__isnull=False).select_related("dossier")
    return render(request, "portal/documents.html", {"held": list(held)})


def _own(request: HttpRequest, code: str) -> Dossier:
    try:
        return selectors.get_own_dossier(me(request), code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _own(request, code)
    public = selectors.public_status(dossier)
    files: dict[int | None, list[Attachment]] = {}
    of_results = selectors.result_files(dossier)
    for a in dossier.attachments.order_by("id"):
        if a.pk not in of_results:  # a result's file is offered with the result, once returned
            files.setdefault(a.document_id, []).append(a)
    documents = list(dossier.documents.all())
    for d in documents:
        d.files = files.get(d.pk, [])  # type: ignore[attr-defined]
        d.state = selectors.document_state(  # type: ignore[attr-defined]
            dossier, d.provided, d.reused_digitised, d.pk in files)
    return render(request, "portal/dossier.html", {
        "dossier": dossier, "public": public, "just_submitted": request.GET.get("new") == "1",
        "documents": documents, "loose_files": files.get(None, []),
        "may_rate": survey_selectors.dossier_link(dossier, open_only=True) is not None,
        "supplement": (dossier_selectors.supplement_request(dossier)
                       if dossier.status == Status.SUPPLEMENT_REQUESTED else None),
        "supplement_sent": dossier_selectors.supplement_sent(dossier),
        "qr": _qr(selectors.tracking_url(dossier)),
        "result_method": selectors.result_method_label(dossier.result_method) if dossier.result_method else "",
        "results": selectors.returned_results(dossier),
        "papers": [{"role": f.role, "label": FORM_LABELS.get(f.role, f.role), "number": f.number,
                    "issued_at": f.issued_at} for f in serving.applicant_papers(dossier)],
        "may_withdraw": _may_withdraw(dossier),
        "collector_id": mask(dossier.collector_id_number),
        "payment": payments.panel(dossier, me(request)),
    })


@login_required
@require_GET
def attachment(request: HttpRequest, code: str, attachment_id: int) -> HttpResponseBase:
    """A file of my own dossier: inline for PDF and images, downloaded with ``?tai-ve=1``. Another person's
    dossier or file is a 404, as the dossier is."""
    dossier = _own(request, code)
    if attachment_id in selectors.withheld_files(dossier):
        # A result not yet returned is the agency's until the desk hands it over (Decree 61/2018 Art. 20).
        raise Http404(_("This dossier has no such file."))
    return file_response(request, me(request), dossier.public_id, attachment_id,
                         reverse("portal:dossier", args=[dossier.public_id]))


def _may_withdraw(dossier: Dossier) -> bool:
    """Before the result (Decree 118/2025 Art. 21): the statuses the registry's request-withdrawal starts from."""
    return dossier.status in actions.REGISTRY["request-withdrawal"].statuses


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """Ask online to stop processing my dossier (Decree 118/2025 Art. 21(2)), with the reason: the status becomes
    "withdrawal requested" and the desk issues the stop notice (Circular 03/2025 Art. 7). Through the registry's
    action, as the desk records a request made in person or by post."""
    dossier = _own(request, code)
    if not _may_withdraw(dossier):
        messages.error(request, _("This dossier can no longer be withdrawn: its result has been issued or "
                                  "processing has already ended."))
        return redirect("portal:dossier", code=dossier.public_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.perform(me(request), dossier, "request-withdrawal", {"reason": form.cleaned_data["reason"]})
        except DomainError as exc:
            form_errors(form, exc, "reason")
        else:
            messages.success(request, _("Your request to stop has been sent. The desk will issue the stop notice; "
                                        "you will find it on this page."))
            return redirect("portal:dossier", code=dossier.public_id)
    return render(request, "portal/withdraw.html", {"dossier": dossier, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def paper(request: HttpRequest, code: str, form: str) -> HttpResponseBase:
    """An issued paper addressed to me (the supplement request, form 02; the refusal; the apology; the stop
    notice), the issued copy only, never cached; another person's dossier or a paper not issued is a 404."""
    dossier = _own(request, code)
    try:
        return serving.paper_response(dossier, form)
    except (serving.FileMissing, StorageUnavailable) as exc:  # lost (410) or the store is down (503)
        return render(request, "dossiers/file_missing.html",
                      {"message": exc.message, "back": reverse("portal:dossier", args=[dossier.public_id]),
                       "status": exc.status}, status=exc.status)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _qr(url: str) -> str:
    return qr_data_uri(url)


@login_required
def access_log(request: HttpRequest, code: str) -> HttpResponse:
    """Who opened or changed my dossier: every staff action names a natural person (DESIGN.md, Privacy)."""
    dossier = _own(request, code)
    return render(request, "portal/access_log.html", {"dossier": dossier,
                                                      "entries": selectors.access_log(dossier)})


@login_required
@require_http_methods(["GET", "POST"])
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant sends what the supplement request (form 02) asks for, and only that: one upload box per
    item asked for, a document of the list attached to that document, a free item as a file of its own."""
    dossier = _own(request, code)
    request_ = dossier_selectors.supplement_request(dossier)
    if dossier.status != Status.SUPPLEMENT_REQUESTED or request_ is None:
        return redirect("portal:dossier", code=dossier.public_id)
    boxes = [(f"document_{item.order}" if item.order else f"item_{index}", item)
             for index, item in enumerate(request_.items, start=1)]
    # Bound on every POST: files alone, without a note, leave ``request.POST`` empty.
    form = SupplementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        uploads = []
        for name, item in boxes:
            for upload in request.FILES.getlist(name):
                uploads.append((item.order or 0, upload.name or "file", cast(IO[bytes], upload.file)))
        try:
            services.submit_supplement(me(request), dossier, uploads, form.cleaned_data["note"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The supplement has been sent."))
            return redirect("portal:dossier", code=dossier.public_id)
    return render(request, "portal/supplement.html", {"dossier": dossier, "request_": request_,
                                                      "boxes": boxes, "form": form})


# --- rating: the surveys app's per-dossier questionnaire ---------------------------------------------------

@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The link of result notices sent before the surveys app: its token is a survey invitation's now."""
    return redirect("surveys:answer", token=token)


@login_required
@require_http_methods(["GET", "POST"])
def rate_own(request: HttpRequest, code: str) -> HttpResponse:
    """The dossier's questionnaire from the citizen's own dossier page (signed in: no token needed)."""
    dossier = _own(request, code)
    invitation = survey_selectors.dossier_link(dossier)
    if invitation is None:
        raise Http404(_("This dossier cannot be rated yet."))
    return survey_views.invitation_page(request, invitation)


# --- personal data rights (Law 91/2025/QH15 on Personal Data Protection, Art. 4) -----------------------------

def _dossier_choices(user: User) -> list[tuple[str, str]]:
    return [(d.public_id, f"{d.public_id} — {d.procedure.name}") for d in selectors.own_dossiers(user)]


def _no_store(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def personal_data(request: HttpRequest) -> HttpResponse:
    """*Dữ liệu cá nhân của tôi*: the citizen's rights over their data, and the ways to use them here."""
    user = me(request)
    corrections = list(CorrectionRequest.objects.filter(user=user).select_related("dossier"))
    return render(request, "portal/personal_data.html", {
        "consents": list(user.consents.all()),
        "corrections": corrections,
        "name_form": NameForm(initial={"full_name": user.full_name}),
        "has_dossiers": selectors.own_dossiers(user).exists(),
    })


@login_required
@require_GET
def personal_data_json(request: HttpRequest) -> HttpResponseBase:
    """The machine-readable copy of everything held about me (docs/portal.md describes its structure)."""
    body = json.dumps(selectors.personal_data_export(me(request)), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="du-lieu-ca-nhan.json"'
    return _no_store(response)


@login_required
@require_GET
def personal_data_zip(request: HttpRequest) -> HttpResponseBase:
    """The same copy with the files it lists, in one ZIP: ``du-lieu-ca-nhan.json`` and ``files/<code>/…``."""
    user = me(request)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("du-lieu-ca-nhan.json",
                         json.dumps(selectors.personal_data_export(user), ensure_ascii=False, indent=2))
        for path, stored in selectors.export_files(user):
            with stored.open("rb") as handle:
                archive.writestr(path, handle.read())
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="du-lieu-ca-nhan.zip"'
    return _no_store(response)


@login_required
@require_GET
def processing_log(request: HttpRequest) -> HttpResponse:
    """Who among the staff opened or changed any of my dossiers, newest first (each dossier's access log)."""
    return render(request, "portal/processing_log.html", {"entries": selectors.processing_log(me(request))})


@login_required
@require_POST
def correct_name(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST)
    if form.is_valid():
        try:
            services.correct_own_name(me(request), form.cleaned_data["full_name"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your name has been corrected."))
    else:
        messages.error(request, _("Enter your full name (at most 150 characters)."))
    return redirect("portal:personal-data")


def _citizen(request: HttpRequest) -> User:
    """The signed-in citizen; staff get 403 (their e-mail and phone are changed by an administrator)."""
    user = me(request)
    if user.is_official:
        raise PermissionDenied(_("The e-mail and phone of a staff account are changed by an administrator."))
    return user


@login_required
@require_http_methods(["GET", "POST"])
def change_identifier(request: HttpRequest) -> HttpResponse:
    """Change the e-mail or phone I sign in with: the new address and my password; a code goes to the new address
    (``services.start_identifier_change``). The same next page whether or not the address is another account's."""
    user = _citizen(request)
    form = IdentifierChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            # Counted before the password is checked, so that the form is no way to guess it either.
            if not throttle.allow_registration(request):
                status = 429
                form.add_error(None, _("Too many requests. Wait a few minutes and try again."))
            else:
                try:
                    pending = services.start_identifier_change(user, form.cleaned_data["identifier"],
                                                               form.cleaned_data["password"])
                except DomainError as exc:
                    status = 429 if exc.status == 429 else status
                    form_errors(form, exc, "identifier")
                else:
                    return redirect("portal:change-identifier-confirm", key=pending.key)
    return render(request, "portal/change_identifier.html", {"form": form, "account": user}, status=status)


def _own_change(user: User, key: str) -> PendingIdentifierChange:
    pending = PendingIdentifierChange.objects.filter(key=key, user=user, confirmed_at__isnull=True).first()
    if pending is None:
        raise Http404(_("This change does not exist or is already confirmed."))
    return pending


@login_required
@require_http_methods(["GET", "POST"])
def change_identifier_confirm(request: HttpRequest, key: str) -> HttpResponse:
    """Enter the code sent to the new address: the address changes, this session stays, the others end."""
    user = _citizen(request)
    pending = _own_change(user, key)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.confirm_identifier_change(user, pending.key, form.cleaned_data["code"])
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except DomainError as exc:
                form_errors(form, exc, "code")
            else:
                update_session_auth_hash(request, user)  # this session goes on; the others end
                messages.success(request, _("The e-mail or phone you sign in with has been changed."))
                return redirect("portal:personal-data")
        return render(request, "portal/change_identifier_confirm.html", {"form": form, "pending": pending},
                      status=400)
    return render(request, "portal/change_identifier_confirm.html", {"form": form, "pending": pending})


@login_required
@require_POST
def change_identifier_resend(request: HttpRequest, key: str) -> HttpResponse:
    pending = _own_change(_citizen(request), key)
    if not throttle.allow(request, "resend") or not throttle.allow_registration(request):
        messages.error(request, _("Too many requests. Wait a few minutes and try again."))
    else:
        try:
            services.resend_identifier_code(pending)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("A new message has been sent."))
    return redirect("portal:change-identifier-confirm", key=pending.key)


def _dossier_request(request: HttpRequest, form_class: Callable[..., forms.Form], page: dict[str, str],
                     send: Callable[[User, Any, dict[str, Any]], object], error_field: str) -> HttpResponse:
    """A citizen's request about the data of one of their dossiers: the form, ``send(user, dossier, data)`` (the
    service) and the page again with the refusal next to ``error_field``, or back to the personal-data page. One
    template (``portal/dossier_request.html``) for every kind of request; ``page`` gives its ``title``, ``lead``
    and the URL name it posts to (``action``)."""
    user = me(request)
    choices = _dossier_choices(user)
    form = form_class(request.POST or None, dossiers=choices, initial={"dossier": request.GET.get("ho-so", "")[:100]})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            send(user, selectors.get_own_dossier(user, d["dossier"]), d)
        except DomainError as exc:
            form_errors(form, exc, error_field)
        else:
            messages.success(request, _("Your request has been sent to the agency that holds the dossier."))
            return redirect("portal:personal-data")
    return render(request, "portal/dossier_request.html", {"form": form, "has_dossiers": bool(choices), **page},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def correction(request: HttpRequest) -> HttpResponse:
    """Ask the agency to correct an applicant detail of one of my dossiers."""
    page = {"title": _("Ask for a correction"), "action": "portal:correction",
            "lead": _("A dossier records what was filed. Tell the agency which of your details in it is wrong and "
                      "what is correct: the agency checks and corrects it.")}
    return _dossier_request(request, CorrectionForm, page, lambda user, dossier, d: (
        services.request_correction(user, dossier, d["field"], d["requested_value"], d["reason"])), "requested_value")


@login_required
@require_http_methods(["GET", "POST"])
def data_right(request: HttpRequest) -> HttpResponse:
    """Ask for the deletion or restricted processing of the data of one of my dossiers, or object to it."""
    page = {"title": _("Ask to delete, restrict or stop the processing of my data"), "action": "portal:data-right",
            "lead": _("A dossier is processed by the agency under its legal duty and kept for the period the archive "
                      "rules set, so the agency decides on your request and answers with its reason.")}
    return _dossier_request(request, DataRightForm, page, lambda user, dossier, d: (
        services.request_data_right(user, dossier, d["kind"], d["reason"])), "reason")


@login_required
@require_http_methods(["GET", "POST"])
def close_account(request: HttpRequest) -> HttpResponse:
    """Withdraw my consent and close my account (``services.close_account``), after the page has said what is
    removed, what the agencies keep and why, and offered the copy of my data first."""
    user = me(request)
    if user.is_official:
        raise PermissionDenied(_("Staff accounts are closed by an administrator."))
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.close_account(user, form.cleaned_data["password"])
            except DomainError as exc:
                form_errors(form, exc, "password")
            else:
                logout(request)
                return render(request, "portal/account_closed.html")
        return render(request, "portal/close_account.html", {"form": form}, status=400)
    return render(request, "portal/close_account.html", {"form": form})


# --- the agency's work queue of personal-data requests --------------------------------------------------------

def _handler(request: HttpRequest) -> User:
    """The officer of the queue: one who receives or processes dossiers (else 403)."""
    user = me(request)
    if not selectors.may_answer_requests(user):
        raise PermissionDenied(_("Only the officers who receive or process dossiers answer these requests."))
    return user


QUEUE_STATES = {"": "", "da-tra-loi": "answered", "tat-ca": "all"}


@login_required
@require_GET
def data_requests(request: HttpRequest) -> HttpResponse:
    """*Yêu cầu về dữ liệu cá nhân*: the requests about the data of the dossiers the officer may correct, open
    ones first by due date (``?xem=da-tra-loi`` the answered ones, ``?xem=tat-ca`` all)."""
    user = _handler(request)
    view = request.GET.get("xem", "")
    if view not in QUEUE_STATES:
        view = ""
    items = selectors.correction_queue(user, state="" if view else CorrectionRequest.State.OPEN)
    if view == "da-tra-loi":
        items = items.exclude(state=CorrectionRequest.State.OPEN)
    return render(request, "portal/data_requests.html", {"items": list(items[:500]), "view": view})


@login_required
@require_http_methods(["GET", "POST"])
def data_request(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: the dossier, the value held and the value asked for, the reason; the answer form while
    it is open. Accepting corrects the dossier (``portal.services.answer_correction``)."""
    user = _handler(request)
    try:
        item = selectors.queue_item(user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = AnswerForm(request.POST or None, kind=item.kind)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.answer_request(user, item, form.cleaned_data["decision"], form.cleaned_data["answer"])
            except DomainError as exc:
                form_errors(form, exc, "answer")
                status = exc.status if exc.status in (400, 409) else 400
            else:
                messages.success(request, _("The answer has been recorded and the applicant told."))
                return redirect("portal:data-requests")
    return render(request, "portal/data_request.html", {"item": item, "form": form}, status=status)
