"""Public pages: the form, the receipt and tracking page, the published answers, open data.

Thin: parse with a form, call a service or a selector, render. Every page works without JavaScript. The sender's
data (name, ID number, phone, address) appears only on the sender's own tracking page (code and secret, or the
account that sent it); the published answers show the texts the approver left after redaction, nothing else.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.models import User
from motcua.catalogue.selectors import revision_token as catalogue_revision
from motcua.core.errors import DomainError, NotFound
from motcua.core.pagecache import public_page
from motcua.dossiers import files
from motcua.dossiers.models import Dossier
from motcua.dossiers.pages import PageOf, page_number

from .. import deadlines, selectors, services, throttle
from ..choices import Channel, EventKind, Reaction, Status
from ..forms import (
    AnswerSearchForm,
    FollowUpForm,
    ProvideInfoForm,
    PublicFeedbackForm,
    ReactForm,
    TrackingForm,
    agencies,
)
from ..models import FeedbackItem

RECEIPTS = "feedback_receipts"  # session key: the (code, secret) of the items this browser sent
PAGE_SIZE = 20
OPEN_DATA_MAX_ROWS = 100_000  # a whole province's answers for years; beyond that, filter by year


def _user(request: HttpRequest) -> User | None:
    return cast(User, request.user) if request.user.is_authenticated else None


# The refusals of ``dossiers.files.check``: they name the file, not the field.
FILE_ERRORS = frozenset({"file_too_large", "file_type_not_allowed", "bad_file_name", "dossier_too_large"})


def _place_error(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal next to the field it names, else at the top of the form."""
    name = str(exc.details.get("field") or ("files" if exc.code in FILE_ERRORS else ""))
    name = "attachments" if name == "files" else name
    if name in ("id_number", "phone", "email", "address") and name not in form.fields:
        name = "name"
    form.add_error(name if name in form.fields else None, exc.message)


def _uploads(request: HttpRequest) -> list[files.Upload]:
    return [files.upload_from_django(f.name or "file", f, None) for f in request.FILES.getlist("attachments")]


def _max_request_bytes() -> int:
    """The largest request the form accepts: its files at the service's per-file limit, plus the text."""
    return services.MAX_FILES * files.max_file_bytes() + 2 * 1024 * 1024


def _too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > _max_request_bytes()
    except ValueError:
        return True


def _own_dossier(request: HttpRequest, code: str) -> Dossier:
    """The dossier a signed-in citizen gives feedback about: their own, else 404 (as on the portal)."""
    user = _user(request)
    dossier = (Dossier.objects.filter(code=code.strip(), owner=user).select_related("procedure").first()
               if user is not None and code.strip() else None)
    if dossier is None:
        raise Http404(_("No dossier has this code."))
    return dossier


def _landing(request: HttpRequest, form: PublicFeedbackForm, dossier: Dossier | None = None,
             status: int = 200) -> HttpResponse:
    return render(request, "feedback/public/landing.html", {
        "form": form, "dossier": dossier, "agencies": agencies(), "max_mb": files.max_file_bytes() // 2**20,
        "limits": deadlines.limits(),
    }, status=status)


def _remember(request: HttpRequest, item: FeedbackItem) -> None:
    kept = [pair for pair in request.session.get(RECEIPTS, []) if pair[0] != item.code][-9:]
    request.session[RECEIPTS] = [*kept, [item.code, item.secret]]


# --- the form ------------------------------------------------------------------------------------------------

@require_GET
@public_page(catalogue_revision)  # the agencies and fields offered are the catalogue's
def landing(request: HttpRequest) -> HttpResponse:
    """``/phan-anh/``: what PAKN is (and is not), where to send it, and the form. ``?ho_so=CODE`` binds the form
    to the signed-in citizen's own dossier."""
    code = (request.GET.get("ho_so") or "")[:60]
    dossier = None
    if code:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        dossier = _own_dossier(request, code)
    form = PublicFeedbackForm(dossier_code=(dossier.code or "") if dossier else "")
    return _landing(request, form, dossier)


@require_POST
def send(request: HttpRequest) -> HttpResponse:
    """``/phan-anh/gui/``: check, then hand the item to ``services.submit``; errors next to the fields, nothing
    created. A filled honeypot gets the same redirect as a real submission and creates nothing."""
    if _too_large(request):
        # The text is kept (the files are dropped) so that the sender does not type it again.
        form = PublicFeedbackForm(request.POST)
        form.full_clean()
        form.add_error(None, _("The files are too large: at most %(n)s files of %(mb)s MB each.")
                       % {"n": services.MAX_FILES, "mb": files.max_file_bytes() // 2**20})
        return _landing(request, form, status=413)
    code = (request.POST.get("ho_so") or "")[:60]
    dossier = _own_dossier(request, code) if code else None
    form = PublicFeedbackForm(request.POST, request.FILES, dossier_code=(dossier.code or "") if dossier else "")
    if form.is_honeypot():
        return redirect("feedback:receipt")
    if not throttle.allow_submit(request):
        form.add_error(None, _("Too many submissions from your connection. Wait a while and try again."))
        return _landing(request, form, dossier, status=429)
    if not form.is_valid():
        return _landing(request, form, dossier)
    d = form.cleaned_data
    data = services.Submission(
        title=d["title"], content=d["content"], proposal=d["proposal"], kind=d["kind"],
        field_id=d["field"].pk if d.get("field") else None, address_string=d["address_string"], name=d["name"],
        phone=d["phone"], email=d["email"], id_number=d["id_number"], address=d["address"],
        language=(get_language() or "vi")[:2])
    if dossier is not None:
        data.dossier_code = dossier.code or ""
        channel = Channel.DOSSIER
    else:
        data.agency, data.topic, data.procedure_code = d["agency"], d["topic"], d["procedure_code"]
        channel = Channel.WEB
    try:
        data.uploads = _uploads(request)
        item = services.submit(data, channel=channel, user=_user(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        _place_error(form, exc)
        return _landing(request, form, dossier)
    _remember(request, item)
    return redirect("feedback:receipt")


@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    """``/phan-anh/da-nhan/``: the receipt of the last item this browser sent: its code, when it was received,
    the answer date with the days off it skipped, and the tracking link to keep."""
    pairs = request.session.get(RECEIPTS) or []
    item = None
    if pairs:
        code, secret = pairs[-1]
        try:
            item = selectors.item_for_sender(code, secret)
        except NotFound:
            item = None
    context: dict[str, Any] = {"item": item}
    if item is not None:
        context.update(skipped=deadlines.skipped_days(item, "answer"), tracking_url=services.tracking_url(item),
                       answer_days=deadlines.limits()["answer"])
    return render(request, "feedback/public/receipt.html", context)


# --- tracking ------------------------------------------------------------------------------------------------

# The history in plain words for the sender: what the agency did and when, without its internal steps
# (assignment, drafts, reviews) or the officers' names.
PUBLIC_EVENTS = {
    EventKind.RECEIVED: gettext_lazy("Your feedback was received."),
    EventKind.CLASSIFIED: gettext_lazy("The agency accepted it for handling."),
    EventKind.FORWARDED: gettext_lazy("It was forwarded to the competent agency: %(to)s."),
    EventKind.REJECTED: gettext_lazy("It was not accepted. Reason: %(reason)s"),
    EventKind.MERGED: gettext_lazy("It was merged with the earlier item %(into)s, which answers it."),
    EventKind.INFO_REQUESTED: gettext_lazy("The agency asked you for more information: %(message)s"),
    EventKind.INFO_RECEIVED: gettext_lazy("Your additional information was received."),
    EventKind.EXTENDED: gettext_lazy("The time limit was extended once. Reason: %(reason)s"),
    EventKind.APPROVED: gettext_lazy("The answer was approved."),
    EventKind.SENT: gettext_lazy("The answer was sent to you."),
    EventKind.PUBLISHED: gettext_lazy("The answer was published."),
    EventKind.REACTED: gettext_lazy("You said: %(reaction)s."),
    EventKind.FOLLOWED_UP: gettext_lazy("You followed it up: new item %(follow_up)s."),
}


def _plain_history(item: FeedbackItem) -> list[dict[str, Any]]:
    rows = []
    for event in item.events.order_by("seq"):
        text = PUBLIC_EVENTS.get(event.kind)  # type: ignore[call-overload]
        if text is None:
            continue
        data = {"to": "", "reason": "", "into": "", "message": "", "follow_up": "", **event.data}
        if event.kind == EventKind.REACTED and data.get("reaction") in Reaction.values:
            data["reaction"] = str(Reaction(data["reaction"]).label).lower()
        rows.append({"at": event.at, "text": str(text) % data})
    return rows


def _tracking_url(code: str, secret: str) -> str:
    query = {"ma": code, **({"khoa": secret} if secret else {})}
    return f"{reverse('feedback:track')}?{urlencode(query)}"


def _sender_context(item: FeedbackItem) -> dict[str, Any]:
    answered = item.status in (Status.APPROVED, Status.PUBLISHED)
    return {
        "history": _plain_history(item),
        "answered": answered,
        "attachments": list(item.attachments.order_by("pk")),
        "info_form": ProvideInfoForm() if item.status == Status.INFO_REQUESTED else None,
        "react_form": ReactForm() if answered and not item.reaction else None,
        "follow_form": FollowUpForm() if answered else None,
        "follow_ups": list(item.follow_ups.order_by("pk").values_list("code", flat=True)),
    }


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """``/phan-anh/tra-cuu/?ma=<code>&khoa=<secret>``. The code alone shows the status and dates; with the
    secret (or as the account that sent it) the sender sees the whole item and acts on it. An unknown code and
    a wrong secret get the same 404 answer; every lookup is counted against the client's allowance."""
    if request.method == "POST":
        return _act(request)
    context: dict[str, Any] = {"item": None, "public": None, "not_found": False}
    status = 200
    form = TrackingForm(request.GET or None)
    if request.GET and form.is_valid():
        if not throttle.allow_lookup(request):
            form.add_error(None, _("Too many lookups from your connection. Wait a few minutes and try again."))
            status = 429
        else:
            code, secret = form.cleaned_data["ma"].strip(), form.cleaned_data["khoa"].strip()
            context.update(_lookup(request, code, secret))
            if context["not_found"]:
                status = 404
    context["form"] = form
    return render(request, "feedback/public/track.html", context, status=status)


def _lookup(request: HttpRequest, code: str, secret: str) -> dict[str, Any]:
    user = _user(request)
    if secret or user is not None:
        try:
            item = selectors.item_for_sender(code, secret, user)
        except NotFound:
            if secret:
                return {"not_found": True}
        else:
            return {"item": item, "secret": secret, **_sender_context(item)}
    public = selectors.public_status(code)
    if public is None:
        return {"not_found": True}
    return {"public": public}


def _act(request: HttpRequest) -> HttpResponse:
    """The sender's actions from the tracking page: more information, a reaction, a follow-up."""
    code, secret = (request.POST.get("ma") or "")[:40].strip(), (request.POST.get("khoa") or "")[:40].strip()
    action = request.POST.get("action") or ""
    if not throttle.allow_lookup(request):
        form = TrackingForm(initial={"ma": code})
        form.add_error(None, _("Too many lookups from your connection. Wait a few minutes and try again."))
        return render(request, "feedback/public/track.html", {"form": form}, status=429)
    try:
        item = selectors.item_for_sender(code, secret, _user(request))
    except NotFound:
        return render(request, "feedback/public/track.html",
                      {"form": TrackingForm(initial={"ma": code}), "not_found": True}, status=404)
    action_form: forms.Form
    if action == "info":
        action_form = ProvideInfoForm(request.POST, request.FILES)
    elif action == "react":
        action_form = ReactForm(request.POST)
    elif action == "follow":
        action_form = FollowUpForm(request.POST)
    else:
        return redirect(_tracking_url(code, secret))
    if action_form.is_valid():
        d = action_form.cleaned_data
        try:
            if action == "info":
                services.provide_info(item, secret=secret, user=_user(request), text=d["text"],
                                      uploads=_uploads(request))
                messages.success(request, _("Thank you: your information was sent to the agency."))
            elif action == "react":
                services.react(item, reaction=d["reaction"], secret=secret, user=_user(request))
                messages.success(request, _("Thank you: your opinion of the answer was recorded."))
            else:
                new = services.follow_up(item, content=d["content"], secret=secret, user=_user(request))
                _remember(request, new)
                messages.success(request, _("Your follow-up was received as item %(code)s.") % {"code": new.code})
                return redirect("feedback:receipt")
        except DomainError as exc:
            _place_error(action_form, exc)
        else:
            return redirect(_tracking_url(code, secret))
    context = {"form": TrackingForm(initial={"ma": code, "khoa": secret}), "item": item, "secret": secret,
               **_sender_context(item)}
    context[{"info": "info_form", "react": "react_form", "follow": "follow_form"}[action]] = action_form
    return render(request, "feedback/public/track.html", context, status=400)


# --- published answers ---------------------------------------------------------------------------------------

def _query(request: HttpRequest) -> tuple[AnswerSearchForm, selectors.PublicQuery]:
    form = AnswerSearchForm(request.GET or None)
    if request.GET and form.is_valid():
        d = form.cleaned_data
        return form, selectors.PublicQuery(q=d["q"] or "", agency_id=d["agency"].pk if d["agency"] else None,
                                           field_id=d["field"].pk if d["field"] else None, year=d["year"])
    return form, selectors.PublicQuery()


@require_GET
@public_page(selectors.revision_token, catalogue_revision)  # the agencies and fields named are the catalogue's
def answers(request: HttpRequest) -> HttpResponse:
    """``/phan-anh/tra-loi/``: the published answers, searchable without diacritics, by agency, field, year."""
    form, query = _query(request)
    qs = selectors.public_answers(query)
    number = page_number(request.GET.get("page"))
    count = qs.count()
    page = PageOf(items=list(qs[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]), number=number, count=count,
                  size=PAGE_SIZE)
    params = {k: str(v) for k, v in request.GET.items() if k != "page" and v}
    return render(request, "feedback/public/answers.html", {
        "form": form, "page": page, "query": urlencode(params), "count": count,
        "open_data_query": urlencode(params),
    }, status=200 if form.is_valid() or not request.GET else 400)


@require_GET
@public_page(selectors.revision_token, catalogue_revision)
def answer(request: HttpRequest, code: str) -> HttpResponse:
    """``/phan-anh/tra-loi/<code>/``: one question and its answer as published."""
    try:
        item = selectors.public_answer(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "feedback/public/answer.html", {"item": item})


OPEN_DATA_FIELDS = ("code", "agency", "field", "kind", "received_date", "published_date", "title", "question",
                    "answer")


def _rows(query: selectors.PublicQuery) -> Iterator[dict[str, str]]:
    """The open-data rows: the published texts only (after redaction), never a field about the sender."""
    qs = selectors.public_answers(query)[:OPEN_DATA_MAX_ROWS]
    for item in qs.iterator(chunk_size=2000):
        yield {
            "code": item.code, "agency": item.agency.name, "field": item.field.name if item.field else "",
            "kind": item.kind, "received_date": timezone.localtime(item.received_at).date().isoformat(),
            "published_date": timezone.localtime(item.published_at).date().isoformat() if item.published_at
            else "", "title": item.public_title, "question": item.public_content, "answer": item.public_answer,
        }


@require_GET
def answers_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """``/phan-anh/tra-loi.csv``: UTF-8 with a byte-order mark, so that Excel reads Vietnamese correctly."""
    form, query = _query(request)
    if request.GET and not form.is_valid():
        return HttpResponse(_("Invalid filter."), status=400, content_type="text/plain; charset=utf-8")

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=OPEN_DATA_FIELDS)
        yield "\ufeff"
        writer.writeheader()
        for row in _rows(query):
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="phan-anh-tra-loi.csv"'
    return response


@require_GET
def answers_json(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """``/phan-anh/tra-loi.json``: ``{"items": [...]}`` with the same fields as the CSV, streamed."""
    form, query = _query(request)
    if request.GET and not form.is_valid():
        return HttpResponse(json.dumps({"error": {"code": "invalid", "message": _("Invalid filter."),
                                                  "details": form.errors.get_json_data()}}, ensure_ascii=False),
                            status=400, content_type="application/json")

    def chunks() -> Iterator[str]:
        yield '{"items": ['
        for n, row in enumerate(_rows(query)):
            yield ("," if n else "") + json.dumps(row, ensure_ascii=False)
        yield "]}"

    return StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")


urlpatterns: list[URLPattern | URLResolver] = [
    path("", landing, name="public"),
    path("gui/", send, name="send"),
    path("da-nhan/", receipt, name="receipt"),
    path("tra-cuu/", track, name="track"),
    path("tra-loi/", answers, name="answers"),
    path("tra-loi.csv", answers_csv, name="answers-csv"),
    path("tra-loi.json", answers_json, name="answers-json"),
    path("tra-loi/<str:code>/", answer, name="answer"),
]

