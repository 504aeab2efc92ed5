"""Staff screens of the dossiers: the desk (intake from a procedure's checklist, the online submissions to
check, the receipt) and the processing queue and dossier page. Server-rendered, every flow works without
JavaScript (plain forms, POST-redirect-GET). Thin: parse, call a selector or a service, render. Nothing
here writes to a model: every change goes through ``services`` (or the processing services when they
exist), which check the permission again and refuse with a ``DomainError`` that changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability, unit_ids_in_scope
from motcua.calendars import selectors as calendars
from motcua.catalogue import selectors as catalogue
from motcua.catalogue.models import Procedure
from motcua.core.errors import DomainError, NotFound
from motcua.core.text import fold_vi
from motcua.documents import services as documents
from motcua.documents.models import IssuedForm

from . import files, selectors, services
from .choices import Channel, EventKind, Outcome, Status
from .forms import (
    AcceptForm,
    AnswerForm,
    ApologyForm,
    AssignForm,
    ConfirmForm,
    ConsultForm,
    IntakeForm,
    NoteForm,
    PaymentForm,
    PaymentRequestForm,
    QueueForm,
    ReasonForm,
    ResultForm,
    ReturnForm,
    SupplementArrivedForm,
    SupplementRequestForm,
    add_domain_error,
    missing_lines,
)
from .models import Attachment, Dossier, DossierEvent

PAGE_SIZE = 25
OPEN = (Status.NEW, Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED,
        Status.WITHDRAWAL_REQUESTED, Status.DONE)
CLOSED = (Status.NOT_RECEIVED, Status.STOPPED, Status.RETURNED)


# --- access -------------------------------------------------------------------------------------------

def _staff(request: HttpRequest) -> User:
    """The signed-in member of staff; a citizen (or anyone without the right to see dossiers) gets 403."""
    user: User = request.user  # type: ignore[assignment]
    if not selectors.is_staff(user):
        raise DjangoPermissionDenied
    return user


def _receiver(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not has_capability(user, Capability.RECEIVE_DOSSIERS):
        raise DjangoPermissionDenied
    return user


def _dossier(user: User, code: str) -> Dossier:
    """The dossier by code or reference within the user's scope; 404 outside it (its existence is not
    disclosed)."""
    try:
        return selectors.get_visible(user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _may_receive(user: User, dossier: Dossier) -> bool:
    return has_capability(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit)


# --- the actions --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    slug: str
    label: Any
    help: Any
    form: str  # which form: reason, reason-optional, confirm, accept, supplement-request, supplement-arrived
    who: str  # "desk": receives for the dossier's receiving unit; "processing": processes for its unit
    statuses: tuple[int, ...] = ()  # the statuses the action starts from (the services check again)
    capability: Capability | None = None  # a further right the user must hold somewhere
    primary: bool = False
    pdf: str = ""  # the form to print after the action


ACTIONS: dict[str, Action] = {a.slug: a for a in [
    Action("accept", gettext_lazy("Accept"), gettext_lazy(
        "The online dossier is complete and correct: it gets its code and promised date; print the receipt."),
        "accept", "desk", (Status.NEW,), primary=True, pdf="receipt"),
    Action("request-supplement", gettext_lazy("Ask for a supplement (form 02)"), gettext_lazy(
        "List everything missing or wrong, at once: the applicant may be asked only once."),
        "supplement-request", "desk", (Status.NEW, Status.IN_PROGRESS), pdf="supplement-request"),
    Action("refuse", gettext_lazy("Refuse (form 03)"), gettext_lazy(
        "The dossier is not accepted, for example when it is outside the agency's competence. Give the reason."),
        "reason", "desk", (Status.NEW, Status.SUPPLEMENT_REQUESTED), pdf="refusal"),
    Action("submit-supplement", gettext_lazy("Record the supplement"), gettext_lazy(
        "The applicant handed in what was missing: tick the documents, attach the scans."),
        "supplement-arrived", "desk", (Status.SUPPLEMENT_REQUESTED,), primary=True),
    Action("transfer", gettext_lazy("Transfer to the processing unit"), gettext_lazy(
        "Hand the dossier to the processing unit: the same working day, or at the start of the next one when "
        "received after 15:00."), "confirm", "desk", (Status.RECEIVED,), primary=True),
    Action("request-withdrawal", gettext_lazy("Record a request to stop"), gettext_lazy(
        "The applicant asks, in person or by post, to stop processing the dossier."), "reason-optional", "desk",
        (Status.NEW, Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED)),
    Action("stop", gettext_lazy("Stop processing (stop notice)"), gettext_lazy(
        "No decision has been issued: issue the stop notice."), "reason-optional", "desk",
        (Status.WITHDRAWAL_REQUESTED,), primary=True,
        pdf="stop-notice"),
]}


# The actions of the internal processing (issue 6), shown once ``workflow`` (the processing services)
# is installed. Each calls its service, which checks the officer's right and the step again.
P = Status.IN_PROGRESS
PROCESSING_ACTIONS: dict[str, Action] = {a.slug: a for a in [
    Action("claim", gettext_lazy("Take this dossier"), gettext_lazy(
        "Work on the open step of your unit that nobody is assigned to."), "note", "processing", (P,), primary=True),
    Action("assign", gettext_lazy("Assign to an officer"), gettext_lazy(
        "The head of division assigns (or reassigns) the step to a specialist."), "assign", "processing",
        (P, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED, Status.DONE),
        capability=Capability.ASSIGN_DOSSIERS),
    Action("transfer-step", gettext_lazy("Finish my step and pass it on"), gettext_lazy(
        "Your step ends now (early, on time or late against its budget) and the next one starts."), "note",
        "processing", (P,), primary=True),
    Action("return-step", gettext_lazy("Send back to the previous step"), gettext_lazy(
        "Say what must be redone."), "reason", "processing", (P,)),
    Action("consult", gettext_lazy("Ask another unit for its opinion"), gettext_lazy(
        "The consulted unit answers within its own deadline; a late answer is recorded."), "consult", "processing",
        (P,)),
    Action("answer-consultation", gettext_lazy("Answer a request for an opinion"), gettext_lazy(
        "Give your unit's opinion on the question asked."), "answer", "consulted",
        (P, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED)),
    Action("approve", gettext_lazy("Approve and submit for signature"), gettext_lazy(
        "The head of division approves the appraisal."), "note", "processing", (P,),
        capability=Capability.ASSIGN_DOSSIERS),
    Action("sign", gettext_lazy("Sign the result"), gettext_lazy("The leader signs the result."), "note",
        "processing", (P,), capability=Capability.SIGN_RESULTS),
    Action("refuse-after-appraisal", gettext_lazy("Refuse after appraisal (form 03)"), gettext_lazy(
        "The dossier does not qualify: give the reason; the refusal must go out before the promised date."),
        "reason", "processing", (P,), pdf="refusal"),
    Action("record-result", gettext_lazy("Record the result"), gettext_lazy(
        "Its number, date and the digitised file, once signed."), "result", "processing", (P,)),
    Action("request-payment", gettext_lazy("Request payment"), gettext_lazy(
        "Ask the applicant to pay the fees or other obligations."), "payment-request", "processing", (P,)),
    Action("confirm-payment", gettext_lazy("Confirm the payment"), gettext_lazy(
        "The applicant paid: processing continues."), "payment", "either", (Status.PAYMENT_REQUESTED,),
        primary=True),
    Action("apologize", gettext_lazy("Apology and new date (form 04)"), gettext_lazy(
        "Once only, at least one working day before the promised date: the reason and the new date."),
        "apology", "processing", (P, Status.PAYMENT_REQUESTED)),
    Action("return-result", gettext_lazy("Return the result"), gettext_lazy(
        "Hand the result to the applicant: at the desk, by post or online."), "return", "desk", (Status.DONE,),
        primary=True),
]}
PROCESSING_FORMS = frozenset({"note", "assign", "consult", "answer", "apology", "payment-request", "payment",
                              "result", "return"})


def _workflow() -> Any:
    """The processing services, or None where they are not installed yet."""
    try:
        from .workflow import services as workflow
    except ImportError:  # pragma: no cover - depends on the installed version
        return None
    return workflow


def _all_actions() -> dict[str, Action]:
    return {**ACTIONS, **PROCESSING_ACTIONS} if _workflow() is not None else ACTIONS


def _processing_form(kind: str, data: Any, files_data: Any) -> Any:
    from .workflow.choices import PaymentChannel, ReturnMethod

    forms_by_kind: dict[str, Any] = {
        "note": lambda: NoteForm(data), "assign": lambda: AssignForm(data), "consult": lambda: ConsultForm(data),
        "answer": lambda: AnswerForm(data), "apology": lambda: ApologyForm(data),
        "payment-request": lambda: PaymentRequestForm(data),
        "payment": lambda: PaymentForm(data, channels=list(PaymentChannel.choices)),
        "result": lambda: ResultForm(data, files_data),
        "return": lambda: ReturnForm(data, methods=list(ReturnMethod.choices)),
    }
    return forms_by_kind[kind]()


def _run_processing(user: User, dossier: Dossier, action: Action, form: Any) -> Dossier:
    workflow = _workflow()
    if workflow is None or action.slug not in PROCESSING_ACTIONS:
        raise Http404
    d = form.cleaned_data
    slug = action.slug
    if slug == "claim":
        workflow.claim(user, dossier)
    elif slug == "assign":
        officer = User.objects.filter(username=d["officer"], is_active=True).first()
        if officer is None:
            raise DomainError(_("There is no active officer with this username."), code="invalid_input",
                              details={"fields": [{"field": "officer", "message": _("Unknown officer.")}]})
        workflow.assign(user, dossier, officer)
    elif slug == "transfer-step":
        workflow.transfer_step(user, dossier, note=d.get("note", ""))
    elif slug == "return-step":
        workflow.return_step(user, dossier, reason=d["reason"])
    elif slug == "consult":
        workflow.consult(user, dossier, unit_code=d["unit_code"], question=d["question"], days=d.get("days"))
    elif slug == "answer-consultation":
        workflow.answer_consultation(user, dossier, consultation_id=d["consultation_id"], answer=d["answer"],
                                     agrees=bool(d.get("agrees")))
    elif slug == "approve":
        workflow.approve(user, dossier, note=d.get("note", ""))
    elif slug == "sign":
        workflow.sign(user, dossier, note=d.get("note", ""))
    elif slug == "refuse-after-appraisal":
        workflow.refuse(user, dossier, reason=d["reason"])
    elif slug == "record-result":
        upload = d.get("file")
        workflow.record_result(user, dossier, number=d["number"], issued_on=d["issued_on"], upload=(
            files.Upload(name=upload.name or "", stream=upload) if upload else None))
    elif slug == "request-payment":
        workflow.request_payment(user, dossier, amount_vnd=d.get("amount_vnd"), description=d.get("description", ""))
    elif slug == "confirm-payment":
        workflow.confirm_payment(user, dossier, channel=d["channel"], receipt_number=d.get("receipt_number", ""))
    elif slug == "apologize":
        workflow.apologize(user, dossier, reason=d["reason"], new_due_at=d["new_due_at"])
    elif slug == "return-result":
        workflow.return_result(user, dossier, method=d["method"])
    return dossier


def _is_allowed(action: Action, status: int) -> bool:
    return status in action.statuses


def _who(action: Action, dossier: Dossier) -> str:
    # A supplement asked during appraisal is the processing unit's (Decree 61/2018 Art. 19(4)).
    if action.slug == "request-supplement" and dossier.status == Status.IN_PROGRESS:
        return "processing"
    return action.who


def _may(user: User, dossier: Dossier, action: Action, known: dict[str, bool] | None = None) -> bool:
    """Whether the user may take the action on the dossier (``known`` remembers the answers of one page)."""
    known = {} if known is None else known
    if action.capability is not None and not has_capability(user, action.capability):
        return False

    def desk() -> bool:
        if "desk" not in known:
            known["desk"] = _may_receive(user, dossier)
        return known["desk"]

    def processing() -> bool:
        if "processing" not in known:
            known["processing"] = selectors.processes(user, dossier)
        return known["processing"]

    who = _who(action, dossier)
    if who == "desk":
        return desk()
    if who == "consulted":
        return has_capability(user, Capability.PROCESS_DOSSIERS)
    if who == "either":
        return desk() or processing()
    return processing()


def _actions_for(user: User, dossier: Dossier) -> list[Action]:
    result = []
    known: dict[str, bool] = {}
    for action in _all_actions().values():
        if not _is_allowed(action, dossier.status):
            continue
        if action.slug == "request-supplement" and dossier.status == Status.NEW and dossier.intake_supplements:
            continue
        if _may(user, dossier, action, known):
            result.append(action)
    return result


def _run(user: User, dossier: Dossier, action: Action, form: Any) -> Dossier:
    data = form.cleaned_data
    if action.slug == "accept":
        return services.accept(user, dossier, time_variant=data.get("time_variant", "") or "")
    if action.slug == "refuse":
        return services.refuse_intake(user, dossier, data["reason"])
    if action.slug == "request-supplement":
        return services.request_supplement(user, dossier, data["missing"], data.get("reason", ""))
    if action.slug == "submit-supplement":
        uploads = [files.Upload(name=f.name or "", stream=f, document_order=order) for order, f in form.uploads()]
        return services.submit_supplement(user, dossier, form.document_inputs(), uploads, data.get("reason", ""))
    if action.slug == "transfer":
        return services.transfer(user, dossier)
    if action.slug == "request-withdrawal":
        return services.request_withdrawal(user, dossier, data.get("reason", ""))
    if action.slug == "stop":
        return services.stop(user, dossier, data.get("reason", ""))
    return _run_processing(user, dossier, action, form)


def _variants(dossier: Dossier) -> list[str]:
    return [v["label"] for v in dossier.snapshot.get("version", {}).get("time_variants") or []]


def _action_form(action: Action, dossier: Dossier, data: Any = None, files_data: Any = None) -> Any:
    if action.form == "accept":
        variants = [] if (dossier.clock or {}).get("variant") else _variants(dossier)
        return AcceptForm(data, variants=variants)
    if action.form == "reason":
        return ReasonForm(data)
    if action.form == "reason-optional":
        return ReasonForm(data, required=False)
    if action.form == "supplement-request":
        initial = {"missing": missing_lines([services.MissingItem(d.name, _("Not submitted"))
                                             for d in dossier.documents.all() if d.required and not d.provided])}
        return SupplementRequestForm(data, initial=initial)
    if action.form == "supplement-arrived":
        return SupplementArrivedForm(data, files_data, documents=list(dossier.documents.all()))
    if action.form in PROCESSING_FORMS:
        return _processing_form(action.form, data, files_data)
    return ConfirmForm(data)


@login_required
@require_http_methods(["GET", "POST"])
def action(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    user = _staff(request)
    chosen = _all_actions().get(slug)
    if chosen is None:
        raise Http404
    dossier = _dossier(user, code)
    if not _may(user, dossier, chosen):
        raise DjangoPermissionDenied
    status = 200
    if request.method == "POST":
        form = _action_form(chosen, dossier, request.POST, request.FILES)
        if form.is_valid():
            try:
                dossier = _run(user, dossier, chosen, form)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": chosen.label})
                return redirect(_detail_url(dossier))
        status = 400
    else:
        form = _action_form(chosen, dossier)
    blocked = "" if _is_allowed(chosen, dossier.status) else _(
        "This action is not possible while the dossier is “%(status)s”.") % {"status": Status(dossier.status).label}
    return render(request, "dossiers/action.html", {
        "dossier": dossier, "action": chosen, "form": form, "blocked": blocked,
        "procedure_name": dossier.snapshot.get("procedure", {}).get("name", ""),
        "status_label": Status(dossier.status).label,
    }, status=status if not blocked or request.method == "POST" else 409)


# --- queue and search ---------------------------------------------------------------------------------

# The work buckets are the processing queue's (``workflow.selectors.queue_for``, also behind
# GET /api/v1/queues/mine): due today, overdue and at risk by the remaining working time against the
# remaining steps' budgets. The other views of the screen are plain status listings of the dossiers in the
# user's scope (``selectors.search``): everything open, the online submissions to check, the closed ones.
WORK_BUCKETS = ("due_today", "overdue", "at_risk")
_LISTINGS: dict[str, Q] = {
    "": Q(status__in=OPEN), "to_check": Q(status=Status.NEW), "closed": Q(status__in=CLOSED), "all": Q(),
}
# The form's orders, as the queue's (on the step) and as the listing's (on the dossier).
_QUEUE_SORT = {"due": "due", "-due": "-due", "-submitted": "-received", "submitted": "received", "code": "code"}
_LISTING_SORT: dict[str, list[Any]] = {
    "due": [F("due_at").asc(nulls_last=True), "-submitted_at", "-id"],
    "-due": [F("due_at").desc(nulls_last=True), "-submitted_at", "-id"],
    "-submitted": ["-submitted_at", "-id"],
    "submitted": ["submitted_at", "id"],
    "code": [F("code").asc(nulls_last=True), "reference"],
}


def _queue_filters(values: dict[str, Any], bucket: str) -> Any:
    from .workflow import selectors as wf_selectors

    return wf_selectors.QueueFilters(bucket=bucket, q=values.get("q") or "", procedure=values.get("procedure") or "",
                                     status=values.get("status"), sort=_QUEUE_SORT.get(values.get("sort") or "due",
                                                                                      "due"))


def _listing(user: User, values: dict[str, Any], listing: str) -> QuerySet[Dossier]:
    """The user's dossiers for a status listing or the search, the step they wait on loaded with them."""
    base = selectors.search(user, selectors.Filters(status=values.get("status"),
                                                    procedure=values.get("procedure") or "",
                                                    q=values.get("q") or ""))
    order = _LISTING_SORT.get(values.get("sort") or "due", _LISTING_SORT["due"])
    return (base.filter(_LISTINGS.get(listing, _LISTINGS[""])).select_related("procedure", "current_step")
            .defer("snapshot", "rules", "clock", "representative").order_by(*order))


def _row(d: Dossier, state: str, step: Any = None, submitted: bool = True) -> dict[str, Any]:
    return {"dossier": d, "status": Status(d.status).label, "state": state, "step": step,
            "when": d.submitted_at if submitted else d.received_at,
            "id_number": selectors.mask(d.applicant_id_number) or ("" if not submitted else d.applicant_tax_code)}


def _listing_rows(dossiers: list[Dossier], now: dt.datetime) -> list[dict[str, Any]]:
    """Rows of a status listing, flagged by the queue's own rule (``row_state``) on the step they wait on."""
    from .workflow import selectors as wf_selectors

    rows = []
    for d in dossiers:
        step = d.current_step if d.current_step_id else None
        state = ""
        if step is not None and step.open:
            step.dossier = d  # already loaded: no query
            state = wf_selectors.row_state(step, now)
        rows.append(_row(d, state))
    return rows


class _Counted:
    """What a ``Paginator`` needs to number the pages of rows counted elsewhere."""

    def __init__(self, count: int) -> None:
        self._count = count

    def count(self) -> int:
        return self._count

    def __getitem__(self, item: slice) -> list[Any]:  # pragma: no cover - the rows come from the queue
        return []


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except ValueError:
        return 1


def _work_page(request: HttpRequest, user: User, values: dict[str, Any], bucket: str) -> tuple[Any, Any]:
    """One page of a work bucket from the queue, and the queue (its counts)."""
    from .workflow import selectors as wf_selectors

    filters = _queue_filters(values, bucket)
    number = _page_number(request)
    queue = wf_selectors.queue_for(user, filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    paginator: Paginator[Any] = Paginator(_Counted(queue.count), PAGE_SIZE)  # type: ignore[arg-type]
    last = paginator.num_pages
    if number > last:  # past the end: the last page
        number = last
        queue = wf_selectors.queue_for(user, filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE, now=queue.now)
    rows = [_row(s.dossier, wf_selectors.row_state(s, queue.now), s, submitted=False) for s in queue.items]
    return Page(rows, number, paginator), queue


def _page(request: HttpRequest, qs: QuerySet[Dossier]) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """My queue: the work buckets (due today, overdue, at risk) from the processing queue, and the listings
    of what is open in my scope, the online submissions to check (the desk) and the closed dossiers.
    Sortable, filterable, searchable."""
    user = _staff(request)
    form = QueueForm(request.GET or None)
    values = form.values()
    bucket = values.get("bucket") or ""
    now = timezone.now()
    if bucket in WORK_BUCKETS:
        page, work = _work_page(request, user, values, bucket)
        rows = list(page.object_list)
    else:
        from .workflow import selectors as wf_selectors

        work = wf_selectors.queue_for(user, _queue_filters(values, ""), limit=1, now=now)
        page = _page(request, _listing(user, values, bucket))
        rows = _listing_rows(list(page.object_list), work.now)
    base = selectors.search(user, selectors.Filters(status=values.get("status"),
                                                    procedure=values.get("procedure") or "", q=values.get("q") or ""))
    listed = base.order_by().aggregate(open=Count("id", filter=_LISTINGS[""]),
                                       to_check=Count("id", filter=_LISTINGS["to_check"]))
    counts = {**work.counts, **listed}
    return render(request, "dossiers/queue.html", {
        "form": form, "page": page, "rows": rows, "counts": counts, "bucket": bucket,
        "query": _query_without_page(request), "may_receive": has_capability(user, Capability.RECEIVE_DOSSIERS),
        "buckets": [("", _("Everything open"), counts["open"]), ("due_today", _("Due today"), counts["due_today"]),
                    ("overdue", _("Overdue"), counts["overdue"]), ("at_risk", _("At risk"), counts["at_risk"]),
                    ("to_check", _("Online, to check"), counts["to_check"])],
    })


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Find a dossier by its code (or reference), an ID number or a name, whatever its status. An exact
    code goes straight to the dossier."""
    user = _staff(request)
    form = QueueForm(request.GET or None)
    values = form.values()
    text = (values.get("q") or "").strip()
    if text and not request.GET.get("page"):
        exact = selectors.visible(user).filter(Q(code__iexact=text) | Q(reference__iexact=text)).first()
        if exact is not None:
            return redirect(_detail_url(exact))
    rows: list[dict[str, Any]] = []
    page = None
    if text or values.get("status") or values.get("procedure"):
        page = _page(request, _listing(user, values, "all"))
        rows = _listing_rows(list(page.object_list), timezone.now())
    return render(request, "dossiers/search.html", {
        "form": form, "page": page, "rows": rows, "searched": page is not None,
        "query": _query_without_page(request)})


# --- intake at the desk -------------------------------------------------------------------------------

def _procedures_for(user: User, text: str) -> list[Procedure]:
    """The procedures the user's desk receives, with a version in force today, matching ``text``."""
    day = catalogue.today()
    ids = unit_ids_in_scope(user, Capability.RECEIVE_DOSSIERS)
    in_force = catalogue.visible_versions(False).filter(catalogue.covering(day)).values("procedure_id")
    qs = Procedure.objects.filter(pk__in=in_force)
    if ids is not None:
        qs = qs.filter(Q(receiving_units__in=ids) | Q(agency_id__in=ids))
    procedures = list(qs.select_related("field").distinct().order_by("code"))
    words = fold_vi(text or "").split()
    if words:  # a desk receives tens of procedures: match every word, accents or not, in the code or name
        procedures = [p for p in procedures
                      if all(w in f"{p.code} {p.name_folded or fold_vi(p.name)}" for w in words)]
    return procedures


@login_required
@require_GET
def choose_procedure(request: HttpRequest) -> HttpResponse:
    user = _receiver(request)
    text = request.GET.get("q", "")[:100]
    return render(request, "dossiers/choose_procedure.html", {
        "procedures": _procedures_for(user, text), "q": text})


def _checklist(version: Any) -> list[dict[str, Any]]:
    return [{"name": d.name, "copies": d.copies, "copy_kind": d.get_copy_kind_display() if d.copy_kind else "",
             "condition": d.condition,
             "template_name": d.template_name, "from_data_store": d.from_data_store, "note": d.note}
            for d in version.documents.all()]


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, procedure_code: str) -> HttpResponse:
    """The checklist of a procedure: receive the dossier, ask once for everything missing (form 02) or
    refuse it with a reason (form 03)."""
    user = _receiver(request)
    try:
        procedure, version = catalogue.procedure_and_version(procedure_code, user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    checklist = _checklist(version)
    variants = [v.label for v in version.time_variants.all()]
    status = 200
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, documents=checklist, variants=variants)
        if form.is_valid():
            uploads = [files.Upload(name=f.name or "", stream=f, document_order=order) for order, f in form.uploads()]
            try:
                dossier = services.receive_at_desk(user, form.intake(procedure.code), uploads)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, {
                    Outcome.RECEIVE.value: _("The dossier is received: print the receipt for the applicant."),
                    Outcome.SUPPLEMENT.value: _("The supplement request is ready: print form 02 for the applicant."),
                    Outcome.REFUSE.value: _("The dossier is refused: print form 03 for the applicant."),
                }[form.cleaned_data["outcome"]])
                return redirect(_detail_url(dossier))
        status = 400
    else:
        form = IntakeForm(documents=checklist, variants=variants)
    return render(request, "dossiers/intake.html", {
        "procedure": procedure, "version": version, "form": form, "rows": form.document_rows(),
        "had_files": request.method == "POST" and bool(request.FILES),
        "fees": list(version.fees.all()),
    }, status=status)


# --- the dossier page ---------------------------------------------------------------------------------

def _detail_url(dossier: Dossier) -> str:
    return reverse("dossiers:detail", args=[dossier.public_id])


EVENT_LABELS = {
    EventKind.CREATED: gettext_lazy("Dossier created"),
    EventKind.STATUS_CHANGED: gettext_lazy("Status changed"),
    EventKind.CODE_ASSIGNED: gettext_lazy("Dossier code assigned"),
    EventKind.CLOCK: gettext_lazy("Legal clock changed"),
    EventKind.DOCUMENT_ADDED: gettext_lazy("Document added"),
    EventKind.FORM_ISSUED: gettext_lazy("Form issued"),
    EventKind.PERSONAL_DATA_VIEWED: gettext_lazy("Personal data viewed"),
    EventKind.ASSIGNED: gettext_lazy("Assigned"),
}

FORM_LABELS = {
    "receipt": gettext_lazy("Receipt and promised date"),
    "supplement-request": gettext_lazy("Supplement request"),
    "refusal": gettext_lazy("Refusal"),
    "apology": gettext_lazy("Apology and new date"),
    "stop-notice": gettext_lazy("Stop notice"),
    "control-sheet": gettext_lazy("Control sheet"),
}

CLOCK_REASONS = {"paused": gettext_lazy("paused"), "restarted": gettext_lazy("restarted from zero"),
                 "extended": gettext_lazy("extended")}


def _event_rows(events: list[DossierEvent]) -> list[dict[str, Any]]:
    rows = []
    for e in events:
        label: Any = EventKind(e.kind).label if e.kind in EventKind.values else e.kind
        label = EVENT_LABELS.get(EventKind(e.kind), label) if e.kind in EventKind.values else label
        detail = ""
        if e.status_after is not None:
            before = Status(e.status_before).label if e.status_before else ""
            after = Status(e.status_after).label
            detail = f"{before} → {after}" if before else str(after)
        elif e.kind == EventKind.FORM_ISSUED:
            role = e.data.get("form", "")
            detail = f"{FORM_LABELS.get(role, role)} ({_('form')} {e.data.get('number', '')})"
        elif e.kind == EventKind.DOCUMENT_ADDED:
            detail = str(e.data.get("name", ""))
        elif e.kind == EventKind.CLOCK:
            detail = str(CLOCK_REASONS.get(e.reason, e.reason))
        elif e.kind == EventKind.CODE_ASSIGNED:
            detail = str(e.data.get("code", ""))
        missing = e.data.get("missing") if isinstance(e.data, dict) else None
        rows.append({"event": e, "label": label, "detail": detail,
                     "reason": "" if e.kind == EventKind.CLOCK else e.reason, "missing": missing or [],
                     "actor": e.actor.get_full_name() if e.actor_id else ""})
    return rows


def _forms_available(info: Any) -> list[dict[str, Any]]:
    """The forms that apply now, by the documents app's rule, from what the page has already loaded."""
    dossier = info.dossier
    statuses = [e.status_after for e in info.events if e.kind in (EventKind.STATUS_CHANGED, EventKind.CREATED)]
    roles = documents.applicable_forms(
        dossier, statuses, has_refusal_result=any(r.kind == "refusal" for r in info.results),
        has_apology=info.apology is not None)
    forms_of_set = dossier.rules.get("forms") or {}
    return [{"role": r, "label": FORM_LABELS[r], "number": forms_of_set.get(r, {}).get("number", ""),
             "url": reverse("dossiers:form_pdf", args=[dossier.public_id, r])} for r in roles]


def _clock(dossier: Dossier) -> dict[str, Any]:
    """The promised date and how it was reached: the legal time, the start, and the days off skipped."""
    state = dossier.clock or {}
    info: dict[str, Any] = {"due_at": dossier.due_at, "start": dossier.clock_start_at, "paused": False,
                            "skipped": [], "amount": None, "unit": "", "extended": bool(state.get("extended")),
                            "variant": state.get("variant", ""), "remaining": None}
    if not state.get("start"):
        return info
    info["amount"] = Decimal(str(state.get("amount")))
    info["unit"] = state.get("unit", "")
    info["paused"] = bool(state.get("paused_at"))
    info["restart_start"] = dt.datetime.fromisoformat(state["start"])
    if info["paused"] or state.get("remaining_seconds") is not None:
        return info
    try:
        result = calendars.compute_due(dt.datetime.fromisoformat(state["start"]), info["amount"], info["unit"],
                                       state.get("policy") or "working_hours",
                                       (dossier.processing_unit.agency() or dossier.processing_unit).code)
    except DomainError:
        return info
    info["skipped"] = result.skipped
    # Received outside working hours: the time counts from the next working period.
    if result.effective_start - result.start >= dt.timedelta(minutes=1):
        info["effective_start"] = result.effective_start
    if dossier.due_at and now_before(dossier.due_at):
        info["remaining"] = dossier.due_at - timezone.now()
    return info


def now_before(value: dt.datetime) -> bool:
    return timezone.now() < value


CLASS_LABELS = {"early": gettext_lazy("Early"), "on_time": gettext_lazy("On time"), "late": gettext_lazy("Late")}


def _class_label(result: dict[str, Any] | None) -> Any:
    return CLASS_LABELS.get(result["outcome"], "") if result else ""


def _step_rows(info: Any, now: dt.datetime) -> list[dict[str, Any]]:
    """The steps of the internal process with their due instants and class (early, on time, late)."""
    rows = []
    for s in info.steps:
        if s.started_at is None and s.outcome:
            continue
        result = info.step_classes.get(s.pk)
        rows.append({"step": s, "officer": s.actor.get_full_name() if s.actor_id else "",
                     "unit": s.unit.name if s.unit_id else "", "class": result["outcome"] if result else "",
                     "class_label": _class_label(result), "current": s.pk == info.dossier.current_step_id,
                     "overdue": s.open and s.due_at is not None and s.due_at < now})
    return rows


UNIT_LABELS = {"working_days": gettext_lazy("working days"), "working_hours": gettext_lazy("working hours"),
               "days": gettext_lazy("days")}


@login_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """The dossier: applicant (masked unless opened, and every opening is logged), documents and files,
    promised date with its explanation, history, forms issued, and the actions the user may take."""
    from .workflow import selectors as wf_selectors

    user = _staff(request)
    opened: dict[str, Any] = {}

    def before_history(dossier: Dossier) -> None:
        # The opening of the personal data is logged before the history is read, so that the page shows it.
        opened["may_see"] = may_see = selectors.may_see_personal_data(user, dossier)
        opened["full"] = full = may_see and request.GET.get("ca-nhan") == "1"
        if full:
            services.record_personal_data_view(user, dossier, request.path)

    now = timezone.now()
    try:
        info = wf_selectors.dossier_detail(user, code, at=now, before_history=before_history)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    dossier, may_see, full = info.dossier, opened["may_see"], opened["full"]
    personal = selectors.personal_data(dossier, full)
    attachments: dict[int | None, list[Attachment]] = {}
    for a in info.attachments:
        attachments.setdefault(a.document_id, []).append(a)
    docs = [{"doc": d, "files": attachments.get(d.pk, [])} for d in info.documents]
    events = info.events
    issued = list(IssuedForm.objects.filter(dossier=dossier).select_related("issued_by").order_by("issued_at"))
    clock = _clock(dossier)
    clock["unit_label"] = UNIT_LABELS.get(clock["unit"], clock["unit"])
    current = next((s for s in info.steps if s.pk == dossier.current_step_id), None)
    return render(request, "dossiers/detail.html", {
        "dossier": dossier, "status_label": Status(dossier.status).label, "personal": personal,
        "may_see_personal": may_see, "full": full, "documents": docs,
        "loose_files": attachments.get(None, []), "events": _event_rows(events),
        "issued": [{"form": f, "label": FORM_LABELS.get(f.role, f.role)} for f in issued],
        "forms": _forms_available(info), "clock": clock, "actions": _actions_for(user, dossier),
        "procedure": dossier.snapshot.get("procedure", {}), "version": dossier.snapshot.get("version", {}),
        "channel_label": Channel(dossier.channel).label if dossier.channel in Channel.values else dossier.channel,
        "overdue": dossier.due_at is not None and dossier.due_at < now and dossier.status in OPEN
        and dossier.status != Status.DONE,
        "representative": personal.get("representative") or {},
        "current_step": current, "steps": _step_rows(info, now), "consultations": info.consultations,
        "apology": info.apology, "results": info.results,
        "classification": info.classification, "class_label": _class_label(info.classification),
    })


# --- forms as PDF -------------------------------------------------------------------------------------

@login_required
@require_GET
def form_pdf(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """A legal form of the dossier as PDF: issued once (and logged), then served from storage."""
    user = _staff(request)
    dossier = _dossier(user, code)
    try:
        issued = documents.issue(user, dossier, form, request.build_absolute_uri("/"))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
        return redirect(_detail_url(dossier))
    response = HttpResponse(documents.read(issued), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.public_id}-{issued.role}.pdf"'
    return response

