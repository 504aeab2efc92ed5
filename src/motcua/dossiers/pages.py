"""Page selectors of the staff screens: each returns a typed page object that the view renders as it is.

Reads only (DESIGN.md: every non-trivial read in a selector). The views parse the request, call one of these
(or a service) and render.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import User
from motcua.catalogue.choices import SupplementRule

from . import deadlines, retention, risk, selectors, timeliness
from .choices import Channel, DestructionStatus, EventKind, OnlineClockFrom, RefusalStatus, Status
from .models import Attachment, DestructionItem, DestructionList, Dossier, DossierEvent, RuleSet
from .rules import SWITCH_DEFAULTS
from .workflow import selectors as wf_selectors
from .workflow.choices import DraftKind

PAGE_SIZE = 25
OPEN = (Status.NEW, Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED,
        Status.WITHDRAWAL_REQUESTED, Status.DONE)
CLOSED = (Status.NOT_RECEIVED, Status.STOPPED, Status.RETURNED)


@dataclass(frozen=True)
class PageOf:
    """One page of a longer list, numbered from 1: what the pagination links need."""

    items: list[Any]
    number: int
    count: int
    size: int = PAGE_SIZE

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_number(text: str | None) -> int:
    """The page asked for: a positive whole number; anything else is the first page."""
    try:
        return max(1, min(int(text or 1), 10**6))
    except ValueError:
        return 1


# --- queue and search ---------------------------------------------------------------------------------

# The work buckets are the processing queue's (``workflow.selectors.queue_for``, also behind
# GET /api/v1/queues/mine): a step due today, a step past its own deadline and the dossiers at risk by the
# remaining working time against the remaining steps' budgets. The other views of the screen are listings of
# the dossiers in the user's scope (``selectors.search``): everything open, those past their promised date
# (``timeliness.overdue_q``: the one definition of overdue, also the statistics'), the online submissions to
# check, the closed ones.
WORK_BUCKETS = ("due_today", "step_overdue", "at_risk", "mine", "to_take", "to_sign")
# The officer's own views (issue 14): assigned to me, waiting to be taken by me, waiting for my review or
# signature — rows of the processing queue, soonest due first — and the requests for an opinion addressed to
# my unit.
OWN_VIEWS = ("mine", "to_take", "to_sign", "consultations")
LISTINGS: dict[str, Q] = {
    "": Q(status__in=OPEN), "to_check": Q(status=Status.NEW), "closed": Q(status__in=CLOSED), "all": Q(),
    # Apology letters drafted, approved by the head of division and waiting for the signature of the head of the
    # agency (form 04).
    "apologies": Q(status__in=(Status.IN_PROGRESS, Status.PAYMENT_REQUESTED), apology__isnull=False,
                   apology__approved_at__isnull=False, apology__issued_at__isnull=True),
}


def listing_q(listing: str, now: dt.datetime) -> Q:
    """The filter of a listing; ``overdue``: past the promised date at ``now``, in any status while processed."""
    if listing == "overdue":
        return timeliness.overdue_q(now)
    return LISTINGS.get(listing, LISTINGS[""])


# The form's orders, as the queue's (on the step) and as the listing's (on the dossier).
_QUEUE_SORT = {"due": "due", "-due": "-due", "-submitted": "-received", "submitted": "received", "code": "code"}
_LISTING_SORT: dict[str, list[Any]] = {
    "due": [F("due_at").asc(nulls_last=True), "-submitted_at", "-id"],
    "-due": [F("due_at").desc(nulls_last=True), "-submitted_at", "-id"],
    "-submitted": ["-submitted_at", "-id"],
    "submitted": ["submitted_at", "id"],
    "code": [F("code").asc(nulls_last=True), "reference"],
}


@dataclass(frozen=True)
class Row:
    """A dossier in a list: its status, its flag against its promised date (``dossier_state``: overdue, at
    risk), the flag of its current step against the step's own deadline (``step_state``: overdue, due today),
    and the step it waits on."""

    dossier: Dossier
    status: str
    state: str
    step: Any
    when: dt.datetime | None
    id_number: str
    dossier_state: str = ""
    step_state: str = ""


@dataclass(frozen=True)
class QueuePage:
    page: PageOf
    counts: dict[str, int]
    bucket: str


@dataclass(frozen=True)
class SearchPage:
    page: PageOf | None
    exact: Dossier | None = None


def _filters(values: dict[str, Any]) -> selectors.Filters:
    return selectors.Filters(status=values.get("status"), procedure=values.get("procedure") or "",
                             q=values.get("q") or "", form_field=values.get("form_field") or "",
                             form_value=values.get("form_value") or "")


def _queue_filters(values: dict[str, Any], bucket: str) -> wf_selectors.QueueFilters:
    return wf_selectors.QueueFilters(bucket=bucket, q=values.get("q") or "", procedure=values.get("procedure") or "",
                                     status=values.get("status"),
                                     sort=_QUEUE_SORT.get(values.get("sort") or "due", "due"))


def _listing(user: User, values: dict[str, Any], listing: str, now: dt.datetime) -> QuerySet[Dossier]:
    """The user's dossiers for a status listing or the search, the step they wait on loaded with them."""
    order = _LISTING_SORT.get(values.get("sort") or "due", _LISTING_SORT["due"])
    return risk.annotate(selectors.search(user, _filters(values)).filter(listing_q(listing, now))
                         .select_related("procedure", "current_step")
                         .defer("snapshot", "rules", "clock", "representative").order_by(*order))


def _row(d: Dossier, now: dt.datetime, step: Any = None, submitted: bool = True, current: Any = None) -> Row:
    """``step``: the queue's step shown on the row; ``current``: the step the dossier waits on, whose deadline
    the step flag is about (the queue's step, else the dossier's current step)."""
    current = step if step is not None else current
    dossier_state = wf_selectors.dossier_state(d, now)
    step_state = wf_selectors.step_state(current, now)
    state = dossier_state if dossier_state == "overdue" else {"overdue": "step_overdue"}.get(step_state, step_state)
    return Row(dossier=d, status=str(Status(d.status).label), state=state or dossier_state, step=step,
               when=d.submitted_at if submitted else d.received_at,
               id_number=selectors.mask(d.applicant_id_number) or ("" if not submitted else d.applicant_tax_code),
               dossier_state=dossier_state, step_state=step_state)


def _listing_page(user: User, values: dict[str, Any], listing: str, number: int, now: dt.datetime) -> PageOf:
    """A page of a listing, each row flagged against the dossier's promised date and its current step's own
    deadline."""
    page = Paginator(_listing(user, values, listing, now), PAGE_SIZE).get_page(number)
    rows = []
    for d in page.object_list:
        risk.attach(d, d)
        step = d.current_step if d.current_step_id else None
        if step is not None:
            step.dossier = d  # already loaded: no query
        rows.append(_row(d, now, current=step))
    return PageOf(rows, page.number, page.paginator.count)


def open_in_scope(user: User, values: dict[str, Any]) -> QuerySet[Dossier]:
    """The open dossiers of the user's search, unordered: what the queue's listing counts are taken from. Each
    count (open, to check, apologies, overdue) is of open dossiers, and saying so lets the database read the
    open ones only (the partial index ``dossier_open_due``) rather than the whole history of the scope."""
    return selectors.search(user, _filters(values)).filter(LISTINGS[""]).order_by()


def queue_page(user: User, values: dict[str, Any], number: int) -> QueuePage:
    """My queue: a work bucket (due today, overdue, at risk) from the processing queue, or a listing of what
    is open in my scope, the online submissions to check or the closed dossiers; with every count."""
    bucket = values.get("bucket") or ""
    asked = wf_selectors.consultations_to_answer(user)
    if bucket == "consultations":
        work = wf_selectors.queue_for(user, _queue_filters(values, ""), limit=1)
        found = Paginator(asked, PAGE_SIZE).get_page(number)
        page = PageOf(list(found.object_list), found.number, found.paginator.count)
    elif bucket in WORK_BUCKETS:
        filters = _queue_filters(values, bucket)
        work = wf_selectors.queue_for(user, filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        last = max(1, -(-work.count // PAGE_SIZE))
        if number > last:  # past the end: the last page
            number = last
            work = wf_selectors.queue_for(user, filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE,
                                          now=work.now)
        rows = [_row(s.dossier, work.now, s, submitted=False) for s in work.items]
        page = PageOf(rows, number, work.count)
    else:
        work = wf_selectors.queue_for(user, _queue_filters(values, ""), limit=1)
        page = _listing_page(user, values, bucket, number, work.now)
    listed = open_in_scope(user, values).aggregate(
        open=Count("id", filter=LISTINGS[""]), to_check=Count("id", filter=LISTINGS["to_check"]),
        apologies=Count("id", filter=LISTINGS["apologies"]), overdue=Count("id", filter=listing_q("overdue", work.now)))
    listed["consultations"] = page.count if bucket == "consultations" else asked.count()
    return QueuePage(page=page, counts={**work.counts, **listed}, bucket=bucket)


def search_page(user: User, values: dict[str, Any], number: int, *, first_visit: bool) -> SearchPage:
    """Find a dossier by its code (or reference), an ID number or a name, whatever its status; an exact code
    (on a first visit, not when paging) is the dossier itself."""
    text = (values.get("q") or "").strip()
    if text and first_visit:
        exact = selectors.visible(user).filter(Q(code__iexact=text) | Q(reference__iexact=text)).first()
        if exact is not None:
            return SearchPage(page=None, exact=exact)
    if not (text or values.get("status") or values.get("procedure") or (values.get("form_value") or "").strip()):
        return SearchPage(page=None)
    return SearchPage(page=_listing_page(user, values, "all", number, timezone.now()))


# --- the dossier page ---------------------------------------------------------------------------------

FORM_LABELS = {
    "receipt": gettext_lazy("Receipt and promised date"),
    "supplement-request": gettext_lazy("Supplement request"),
    "refusal": gettext_lazy("Refusal"),
    "refusal-answer": gettext_lazy("Answer refusing the dossier, signed by the leader"),
    "apology": gettext_lazy("Apology and new date"),
    "stop-notice": gettext_lazy("Stop notice"),
    "control-sheet": gettext_lazy("Control sheet"),
}
# The papers of the sign-off chain (drafted, approved, signed), as the history names them.
PAPER_LABELS = {DraftKind.REFUSAL.value: DraftKind.REFUSAL.label,
                DraftKind.SUPPLEMENT.value: DraftKind.SUPPLEMENT.label, "apology": gettext_lazy("Apology and new date")}
CLOCK_REASONS = {"paused": gettext_lazy("paused"), "restarted": gettext_lazy("restarted from zero"),
                 "extended": gettext_lazy("extended"), "resumed": gettext_lazy("resumed"),
                 "started": gettext_lazy("started at the event it counts from")}
CLASS_LABELS = {"early": gettext_lazy("Early"), "on_time": gettext_lazy("On time"), "late": gettext_lazy("Late")}
UNIT_LABELS = {"working_days": gettext_lazy("working days"), "working_hours": gettext_lazy("working hours"),
               "days": gettext_lazy("days")}


@dataclass(frozen=True)
class EventRow:
    event: DossierEvent
    label: Any
    detail: str
    reason: str
    missing: list[Any]
    actor: str


@dataclass
class ClockInfo:
    """The promised date and how it was reached: the legal time, the start, and the days off skipped."""

    due_at: dt.datetime | None
    start: dt.datetime | None
    amount: Decimal | None = None
    unit: str = ""
    unit_label: Any = ""
    paused: bool = False
    extended: bool = False
    variant: str = ""
    skipped: list[Any] = field(default_factory=list)
    restart_start: dt.datetime | None = None
    effective_start: dt.datetime | None = None
    remaining: dt.timedelta | None = None
    # The later event the time counts from (``ProcedureVersion.clock_start``): awaited, or the one it started at.
    waits_for: Any = ""
    start_event: Any = ""


def event_rows(events: list[DossierEvent], *, anonymised: bool = False) -> list[EventRow]:
    """The history's rows. Of a dossier anonymised at the end of its retention period the events stay (the log is
    append-only), but the page no longer names the citizen who acted nor the names of the files removed."""
    rows = []
    official: dict[int, bool] = {}
    for e in events:
        label: Any = EventKind(e.kind).label if e.kind in EventKind.values else e.kind
        detail = ""
        if e.status_after is not None:
            before = Status(e.status_before).label if e.status_before else ""
            after = Status(e.status_after).label
            detail = f"{before} → {after}" if before else str(after)
        elif e.kind == EventKind.FORM_ISSUED:
            role = e.data.get("form", "")
            detail = f"{FORM_LABELS.get(role, role)} ({_('form')} {e.data.get('number', '')})"
        elif e.kind in (EventKind.DRAFTED, EventKind.DRAFT_APPROVED, EventKind.DRAFT_RETURNED):
            paper = e.data.get("paper", "")
            detail = str(PAPER_LABELS.get(paper, paper))
        elif e.kind == EventKind.DOCUMENT_ADDED:
            detail = str(e.data.get("name", ""))
        elif e.kind in (EventKind.PART_SENT, EventKind.PART_ENDED):
            agency = e.data.get("agency_name") or e.data.get("agency", "")
            slip = e.data.get("slip")
            detail = f"{agency} ({_('transfer slip')} {slip})" if slip else str(agency)
        elif e.kind == EventKind.CLOCK:
            detail = str(CLOCK_REASONS.get(e.reason, e.reason))
        elif e.kind == EventKind.CODE_ASSIGNED:
            detail = str(e.data.get("code", ""))
        elif e.kind == EventKind.PERSONAL_DATA_VIEWED and isinstance(e.data.get("file"), dict):
            detail = str(e.data["file"].get("name", ""))
        missing = e.data.get("missing") if isinstance(e.data, dict) else None
        actor = e.actor.get_full_name() if e.actor_id else ""
        if anonymised:
            if e.kind in (EventKind.DOCUMENT_ADDED, EventKind.PERSONAL_DATA_VIEWED):
                detail = ""
            if e.actor_id and not official.setdefault(e.actor_id, e.actor.is_official):
                actor = str(_("The applicant"))
        rows.append(EventRow(event=e, label=label, detail=detail,
                             reason="" if e.kind == EventKind.CLOCK else e.reason, missing=missing or [],
                             actor=actor))
    return rows


def clock_info(dossier: Dossier, now: dt.datetime) -> ClockInfo:
    """The dossier's clock explained from its stored state; the days off skipped are those the legal clock
    (``deadlines.compute_due``) skips for the same start and amount."""
    state = dossier.clock or {}
    info = ClockInfo(due_at=dossier.due_at, start=dossier.clock_start_at, extended=bool(state.get("extended")),
                     variant=state.get("variant", ""))
    event = deadlines.waits_for(dossier) or state.get("start_event", "")
    label = deadlines.event_label(event)
    if not state.get("start"):
        if event:  # the time counts from a later event, not recorded yet: no promised date
            info.waits_for = label
            if state.get("amount") is not None:
                info.amount = Decimal(str(state["amount"]))
                info.unit = state.get("unit", "")
                info.unit_label = UNIT_LABELS.get(info.unit, info.unit)
        return info
    info.start_event = label
    info.amount = Decimal(str(state.get("amount")))
    info.unit = state.get("unit", "")
    info.unit_label = UNIT_LABELS.get(info.unit, info.unit)
    info.paused = bool(state.get("paused_at"))
    info.restart_start = dt.datetime.fromisoformat(state["start"])
    if info.paused or state.get("remaining_seconds") is not None:
        return info
    explained = deadlines.explain(dossier)
    if explained is None:
        return info
    info.skipped = explained.skipped
    # Received outside working hours: the time counts from the next working period.
    if explained.effective_start - explained.start >= dt.timedelta(minutes=1):
        info.effective_start = explained.effective_start
    if dossier.due_at and now < dossier.due_at:
        info.remaining = dossier.due_at - now
    return info


def class_label(result: dict[str, Any] | None) -> Any:
    return CLASS_LABELS.get(result["outcome"], "") if result else ""


def step_rows(info: wf_selectors.DossierDetail, now: dt.datetime) -> list[dict[str, Any]]:
    """The steps of the internal process with their due instants and class (early, on time, late): the lead
    agency's process, then each participating agency's own steps (an inter-agency dossier)."""
    rows = []
    for s in sorted(info.steps, key=lambda s: (s.part_id is not None, s.part_id or 0, s.order, s.id)):
        if s.started_at is None and s.outcome:
            continue
        result = info.step_classes.get(s.pk)
        rows.append({"step": s, "officer": s.actor.get_full_name() if s.actor else "",
                     "unit": s.unit.name if s.unit else "", "class": result["outcome"] if result else "",
                     "class_label": class_label(result), "current": s.pk == info.dossier.current_step_id,
                     "overdue": s.open and s.due_at is not None and s.due_at < now})
    return rows


@dataclass(frozen=True)
class RuleLine:
    """One switch of the rules the dossier keeps, and whether its procedure version set it."""

    label: Any
    value: Any
    by_procedure: bool


_RULE_LABELS = {"supplement_rule": SupplementRule, "refusal_status": RefusalStatus,
                "online_clock_from": OnlineClockFrom}


@dataclass(frozen=True)
class RulesBlock:
    """The "rules applied" block of the dossier page: the switches copied at receipt and where from."""

    lines: list[RuleLine]
    valid_from: dt.date | None
    basis: str


def rules_block(dossier: Dossier) -> RulesBlock | None:
    """None before the receipt (the rules are kept from the receipt day) or for a copy without switches."""
    rules = dossier.rules or {}
    if dossier.received_at is None or not any(name in rules for name in SWITCH_DEFAULTS):
        return None
    source = rules.get("switches") or {}
    by_procedure = set(source.get("by_procedure") or [])
    lines = []
    for name in SWITCH_DEFAULTS:
        if name not in rules:
            continue
        value: Any = rules[name]
        choices = _RULE_LABELS.get(name)
        if choices is not None and value in choices.values:
            value = choices(value).label
        elif name.endswith("_working_days"):
            value = _("%(days)s working days") % {"days": value}
        label = getattr(RuleSet._meta.get_field(name), "verbose_name", name)
        lines.append(RuleLine(label, value, name in by_procedure))
    valid_from = dt.date.fromisoformat(source["valid_from"]) if source.get("valid_from") else None
    return RulesBlock(lines, valid_from, str(source.get("basis") or ""))


@dataclass(frozen=True)
class DetailPage:
    info: wf_selectors.DossierDetail
    documents: list[dict[str, Any]]
    loose_files: list[Attachment]
    events: list[EventRow]
    clock: ClockInfo
    steps: list[dict[str, Any]]
    current_step: Any
    overdue: bool
    channel_label: Any
    rules: RulesBlock | None = None


def detail_page(info: wf_selectors.DossierDetail, now: dt.datetime) -> DetailPage:
    """The dossier page from what ``workflow.selectors.dossier_detail`` loaded: no further query but the
    legal clock's explanation."""
    dossier = info.dossier
    attachments: dict[int | None, list[Attachment]] = {}
    for a in info.attachments:
        attachments.setdefault(a.document_id, []).append(a)
    return DetailPage(
        info=info, documents=[{"doc": d, "files": attachments.get(d.pk, [])} for d in info.documents],
        loose_files=attachments.get(None, []),
        events=event_rows(info.events, anonymised=dossier.anonymised_at is not None), clock=clock_info(dossier, now),
        steps=step_rows(info, now), current_step=next((s for s in info.steps if s.pk == dossier.current_step_id),
                                                      None),
        overdue=timeliness.is_overdue(dossier.status, dossier.due_at, dossier.original_due_at, now,
                                      dossier.processing_supplements),
        channel_label=Channel(dossier.channel).label if dossier.channel in Channel.values else dossier.channel,
        rules=rules_block(dossier))


# --- destruction lists (issue 21; ``retention``): the same reads as the API's /api/v1/destruction-lists ----------

def _counted(lists: QuerySet[DestructionList]) -> QuerySet[DestructionList]:
    return lists.annotate(dossier_count=Count("items", distinct=True),
                          done_count=Count("items", filter=Q(items__done_at__isnull=False), distinct=True))


def destruction_lists_page(user: User, number: int) -> PageOf:
    """The lists ``user`` may read (``retention.visible_lists``: a leader's agencies, every list for an
    administrator; anyone else PermissionDenied, as the API), newest first, with their counts in one query."""
    lists = _counted(retention.visible_lists(user))
    count = lists.count()
    number = min(number, max(1, -(-count // PAGE_SIZE)))
    start = (number - 1) * PAGE_SIZE
    return PageOf(items=list(lists[start:start + PAGE_SIZE]), number=number, count=count)


@dataclass(frozen=True)
class DestructionRow:
    item: DestructionItem
    code: str
    procedure_code: str
    procedure_name: str
    years: int  # the period the list was prepared with: from the end of the closing year to ``kept_until``


@dataclass(frozen=True)
class DestructionPage:
    destruction_list: DestructionList
    page: PageOf
    prepared_on: dt.date
    may_decide: bool  # may approve it now: a proposed list and a user who decides for its agency
    links: bool  # the codes link to the dossiers' pages: a member of staff (an administrator reads no dossier)


def destruction_list_page(user: User, pk: int, number: int) -> DestructionPage:
    """One list as ``retention.get_list`` finds it for ``user`` (NotFound outside their agencies, as the API), with
    one page of its dossiers: code, procedure, closing instant, period, its last day — no applicant's data."""
    found = _counted(retention.visible_lists(user)).filter(pk=pk).first()
    if found is None:
        found = retention.get_list(user, pk)  # raises NotFound with the API's message
    zone = timezone.get_default_timezone()  # Vietnam's: the archive's years are local years
    rows = retention.items(found)
    count = getattr(found, "dossier_count", None)
    count = rows.count() if count is None else count
    number = min(number, max(1, -(-count // PAGE_SIZE)))
    start = (number - 1) * PAGE_SIZE
    shown = [DestructionRow(item=i, code=i.dossier.public_id, procedure_code=i.dossier.procedure.code,
                            procedure_name=i.dossier.procedure.name,
                            years=i.kept_until.year - i.closed_at.astimezone(zone).year)
             for i in rows[start:start + PAGE_SIZE]]
    return DestructionPage(destruction_list=found, page=PageOf(items=shown, number=number, count=count),
                           prepared_on=found.prepared_at.astimezone(zone).date(),
                           may_decide=(found.status == DestructionStatus.PROPOSED
                                       and retention.may_decide(user, found)),
                           links=selectors.is_staff(user))
