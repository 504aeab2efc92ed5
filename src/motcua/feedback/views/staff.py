"""Staff pages: the queue, the register entry, the item page and its actions, all under ``/phan-anh/can-bo/``.

Server-rendered, without JavaScript (plain forms, POST-redirect-GET). Who reads is ``access.Access.reads``
(another agency's officer gets 404, as for a dossier; a citizen 403); what a user may do is what the action
registry offers (``actions.offered``), and every POST goes through ``actions.take``, which checks again: a
refusal changes nothing and is shown next to the field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.models import OrgUnit, User
from motcua.core import redaction
from motcua.core.errors import Conflict, DomainError, NotFound
from motcua.core.errors import PermissionDenied as DomainPermissionDenied
from motcua.dossiers.serving import INLINE_TYPES, safe_filename

from .. import access, actions, answer_templates, deadlines, selectors, services
from ..choices import STAFF_CHANNELS, Status
from ..models import FeedbackItem
from ..staff_forms import AGENCY_KINDS, EntryForm, QueueForm, action_form, add_domain_error, redaction_findings

PAGE_SIZE = 25


def _staff(request: HttpRequest) -> User:
    """A member of staff who reads feedback; a citizen (or anyone else signed in) gets 403."""
    user: User = request.user  # type: ignore[assignment]
    if not access.is_staff_reader(user):
        raise PermissionDenied
    return user


def _item(user: User, code: str) -> FeedbackItem:
    try:
        return selectors.item_for_staff(user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def item_url(item: FeedbackItem) -> str:
    return reverse("feedback:staff_item", args=[item.code])


def mask_name(name: str) -> str:
    """The sender in a list: the first letter and ***; the item page shows the whole to those who read it."""
    name = (name or "").strip()
    return f"{name[0]}***" if name else ""


# --- the queue -------------------------------------------------------------------------------------------------

VIEW_LABELS = {
    "open": pgettext_lazy("feedback", "Everything open"), "mine": gettext_lazy("Assigned to me"),
    "unclassified": gettext_lazy("To classify"), "due_today": gettext_lazy("Due today"),
    "overdue": gettext_lazy("Overdue"), "at_risk": gettext_lazy("At risk"),
    "approved": gettext_lazy("Waiting for publication"), "closed": gettext_lazy("Closed"),
    "all": gettext_lazy("All"), "spam": gettext_lazy("Spam"),
}


def _due_state(item: FeedbackItem, now: Any) -> tuple[str, str]:
    """Which of the agency's dates the row shows (the answer, or the publication once approved) and whether it
    is overdue or due today."""
    due_at = deadlines.agency_due(item)
    which = "publish" if item.status == Status.APPROVED else "answer"
    if due_at is None:
        return which, ""
    if due_at < now:
        return which, "overdue"
    if timezone.localdate(due_at) == timezone.localdate(now):
        return which, "due_today"
    return which, ""


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    view = request.GET.get("xem") or "open"
    if view not in selectors.QUEUE_VIEWS:
        view = "open"
    form = QueueForm(request.GET or None, agency_ids=access.agencies_read(user))
    now = timezone.now()
    items = selectors.staff_items(user, view=view, now=now, **form.values())
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.queue_counts(user, now=now)
    rows = []
    for item in page.object_list:
        which, state = _due_state(item, now)
        rows.append({"item": item, "sender": mask_name(item.sender_name), "due_at": deadlines.agency_due(item),
                     "which": which, "state": state})
    query = request.GET.copy()
    query.pop("page", None)
    views = [(key, VIEW_LABELS[key], counts.get(key)) for key in selectors.QUEUE_VIEWS]
    return render(request, "feedback/staff/queue.html", {
        "form": form, "page": page, "rows": rows, "view": view, "views": views, "query": query.urlencode(),
        "may_enter": bool(_entry_agencies(user)), "filtered": any(form.values().values()) if form.is_bound else False,
    })


# --- the register entry ----------------------------------------------------------------------------------------

def _entry_agencies(user: User) -> list[OrgUnit]:
    ids = access.agencies_read(user)
    if ids is not None and not ids:
        return []
    qs = OrgUnit.objects.filter(kind__in=AGENCY_KINDS).order_by("name")
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return [unit for unit in qs if access.may_enter(user, unit.pk)]


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest) -> HttpResponse:
    """Enter in the register what came by letter, phone, e-mail or in person (Decree 20/2008 Art. 9)."""
    user = _staff(request)
    agencies = _entry_agencies(user)
    if not agencies:
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, agencies=agencies)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            agency = next(a for a in agencies if a.pk == data["agency"])
            submission = services.Submission(
                title=data["title"], content=data["content"], agency=agency, topic=data["topic"],
                kind=data["kind"], proposal=data["proposal"], field_id=data["field"],
                dossier_code=data["dossier_code"], name=data["name"], id_number=data["id_number"],
                phone=data["phone"], email=data["email"], address=data["address"],
                language=request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("vi", "en") else "vi",
                received_at=data["received_at"], uploads=form.uploads())
            try:
                item = services.submit(submission, channel=data["channel"], user=user)
            except DomainPermissionDenied as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Entered in the register as %(code)s: print the receipt notice.")
                                 % {"code": item.code})
                return redirect(item_url(item) + "#sec-receipt")
    else:
        form = EntryForm(agencies=agencies)
    return render(request, "feedback/staff/entry.html", {"form": form}, status=status)


# --- the item page ---------------------------------------------------------------------------------------------

def _step_rows(item: FeedbackItem, now: Any) -> list[dict[str, Any]]:
    """Each limit that applies, judged now, with the days off the clock skipped (recomputed for the
    explanation: the stored date is the one that counts)."""
    lim = deadlines.limits()
    rows = []
    for check in deadlines.work_steps(item, now):
        rows.append({"check": check, "days": lim[check.step], "skipped": deadlines.skipped_days(item, check.step)})
    return rows


@login_required
@require_GET
def item_page(request: HttpRequest, code: str) -> HttpResponse:
    user = _staff(request)
    item = _item(user, code)
    now = timezone.now()
    offered = actions.offered(user, item)
    sees_sender = access.Access(user, item).sees_sender
    printing = request.GET.get("phieu") == "1"
    if printing and not sees_sender:
        raise Http404(_("No feedback has this code."))
    template = "feedback/staff/receipt.html" if printing else "feedback/staff/item.html"
    return render(request, template, {"sees_sender": sees_sender,
        "item": item, "offered": offered, "steps": _step_rows(item, now), "history": selectors.history(item),
        "attachments": list(item.attachments.all()), "officers": list(item.officers.all()),
        "agency_due": deadlines.agency_due(item), "entered": item.channel in STAFF_CHANNELS and sees_sender,
        "tracking_url": services.tracking_url(item), "review": _review_rows(item),
    })


def _review_rows(item: FeedbackItem) -> list[dict[str, Any]]:
    from ..choices import Criterion

    labels = {"met": _("Met"), "not_met": _("Not met"), "not_applicable": _("Not applicable")}
    rows = []
    for criterion in Criterion:
        entry = (item.review or {}).get(criterion.value)
        if entry:
            rows.append({"label": criterion.label, "verdict": labels.get(entry.get("verdict"), "—"),
                         "note": entry.get("note", "")})
    return rows


@login_required
@require_GET
def attachment(request: HttpRequest, code: str, attachment_id: int) -> FileResponse:
    """A file of the item, for whoever reads the item (404 otherwise, as the item); never cached."""
    user = _staff(request)
    item = _item(user, code)
    found = item.attachments.filter(pk=attachment_id).first()
    if found is None:
        raise Http404(_("No such file."))
    try:
        stream = default_storage.open(found.file.name, "rb")
    except OSError as exc:
        raise Http404(_("The file is no longer in storage.")) from exc
    inline = found.content_type in INLINE_TYPES and request.GET.get("tai-ve") != "1"
    result = FileResponse(stream, as_attachment=not inline, filename=safe_filename(found.name),
                          content_type=found.content_type or "application/octet-stream")
    result["X-Content-Type-Options"] = "nosniff"
    result["Cache-Control"] = "no-store, private"
    if inline and not found.content_type.endswith("pdf"):
        result["Content-Security-Policy"] = "sandbox"
    return result


# --- the actions -----------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def action(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    """One action's form: GET shows it, POST takes it through the registry (``actions.take``)."""
    user = _staff(request)
    item = _item(user, code)
    spec = actions.ACTIONS.get(slug)
    if spec is None:
        raise Http404(_("Unknown action."))
    granted = access.Access(user, item)
    if not spec.may(granted):
        raise PermissionDenied(_("You may not do this on this item."))
    blocked = "" if spec.offered(granted) else _("This cannot be done while the item is “%(status)s”.") % {
        "status": Status(item.status).label}
    status = 409 if blocked else 200
    form = action_form(slug, item)
    chosen = None
    if slug == "draft-answer" and request.method == "GET" and request.GET.get("mau"):
        # A template pre-fills the answer, without JavaScript: the select submits the form by GET.
        chosen = answer_templates.find(item, request.GET["mau"])
        if chosen is not None:
            form = action_form(slug, item, initial={"answer": answer_templates.fill(chosen, item)})
    if request.method == "POST" and not blocked:
        form = action_form(slug, item, request.POST)
        status = 400
        if form.is_valid():
            try:
                item = actions.take(user, item, slug, form.payload())
            except DomainPermissionDenied as exc:
                raise PermissionDenied(exc.message) from exc
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": spec.label})
                return redirect(item_url(item))
    context: dict[str, Any] = {"item": item, "action": spec, "form": form, "blocked": blocked}
    if slug == "draft-answer":
        context["templates"] = answer_templates.for_item(item)
        context["chosen"] = chosen.key if chosen else ""
    if slug in ("edit-publication", "publish"):
        known = services.known_personal_data(item)
        context["findings"] = redaction_findings(item)
        context["leaks"] = [f for text in (item.public_title, item.public_content, item.public_answer)
                            for f in redaction.leaks(text, known)]
    return render(request, "feedback/staff/action.html", context, status=status)


urlpatterns: list[URLPattern | URLResolver] = [
    path("can-bo/", queue, name="staff_queue"),
    path("can-bo/nhap/", entry, name="staff_entry"),
    path("can-bo/<str:code>/", item_page, name="staff_item"),
    path("can-bo/<str:code>/tep/<int:attachment_id>/", attachment, name="staff_file"),
    path("can-bo/<str:code>/<slug:slug>/", action, name="staff_action"),
]
