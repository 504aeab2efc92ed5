"""Reads of the internal processing for the screens and the API: the officer's work queue and the dossier
page, each in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from motcua.accounts.choices import Role
from motcua.accounts.models import OrgUnit, RoleAssignment, User
from motcua.accounts.permissions import ROLE_CAPABILITIES, Capability, own_unit_ids, unit_ids_in_scope
from motcua.core.text import fold_vi

from .. import risk, timeliness
from .. import selectors as dossier_selectors
from ..choices import Status
from ..models import Attachment, Dossier, DossierDocument, DossierEvent
from . import classification, interagency
from .models import AgencyPart, Apology, Consultation, PaperDraft, Payment, ProcessingStep, Result

BUCKETS = ("overdue", "step_overdue", "due_today", "at_risk")
SORTS: dict[str, tuple[Any, ...]] = {
    # What is due first, a step without a planned end last (on every database).
    "due": (F("due_at").asc(nulls_last=True), F("dossier__due_at").asc(nulls_last=True), "id"),
    "-due": (F("due_at").desc(nulls_last=True), "-id"),
    "dossier_due": ("dossier__due_at", "id"), "-dossier_due": ("-dossier__due_at", "-id"),
    "received": ("dossier__received_at", "id"), "-received": ("-dossier__received_at", "-id"),
    "code": ("dossier__code", "id"), "-code": ("-dossier__code", "-id"),
}
QUEUE_FIELDS = (
    "id", "order", "name", "role", "unit_id", "actor_id", "started_at", "due_at", "open", "budget_seconds",
    "ended_at", "outcome", "note", "assigned_at", "assigned_by_id", "budget_amount", "budget_unit",
    "dossier__id", "dossier__code", "dossier__reference", "dossier__status", "dossier__applicant_name",
    "dossier__applicant_id_number", "dossier__due_at", "dossier__received_at", "dossier__risk_at",
    "dossier__original_due_at", "dossier__late_flagged_at", "dossier__procedure_id", "dossier__procedure__code",
    "dossier__procedure__name", "dossier__current_step_id", "dossier__processing_supplements",
    "unit__code", "unit__name", "actor__username", "actor__full_name", "actor__first_name", "actor__last_name",
)


@dataclass
class QueueFilters:
    # overdue (the dossier), step_overdue, due_today (the step), at_risk; mine, to_take, to_sign (``_own_q``)
    bucket: str = ""
    q: str = ""  # a dossier code, an ID number or part of the applicant's name
    procedure: str = ""
    status: int | None = None
    mine: bool = False  # only what is assigned to me
    sort: str = "due"


@dataclass
class Queue:
    items: list[ProcessingStep]
    count: int  # rows matching the filters (all buckets when no bucket)
    # total, mine, unassigned, overdue, step_overdue, due_today, at_risk (before the bucket filter)
    counts: dict[str, int]
    now: dt.datetime = field(default_factory=timezone.now)


def _ancestors(ids: set[int]) -> set[int]:
    result: set[int] = set()
    for unit in OrgUnit.objects.filter(pk__in=ids).only("path"):
        result |= set(unit.ancestor_ids())
    return result - ids


def _members_of(unit_ids: set[int]) -> QuerySet[RoleAssignment, Any]:
    """The officers who, today, process dossiers in one of ``unit_ids`` (as a subquery: no query of its own)."""
    roles = [r for r, caps in ROLE_CAPABILITIES.items() if Capability.PROCESS_DOSSIERS in caps]
    return (RoleAssignment.objects.valid_on(timezone.localdate()).filter(unit_id__in=unit_ids, role__in=roles)
            .values("user_id"))


# The roles of a step placed at the agency that each of its divisions may take.
OPEN_TO_DIVISIONS = (Role.SPECIALIST, "", Role.DIVISION_HEAD)


def _division_q(assign: set[int]) -> Q:
    """What a division head oversees (Decree 61/2018 Art. 19: the head of the processing unit assigns the
    officer and answers for the dossier): every current step of their division, claimed or not, and a step
    placed higher (at the agency, open to each division) that nobody holds yet or that an officer of their
    division holds. The work queue shows these and ``services.assign`` lets the head (re)assign them
    (``overseen_steps``): one rule for both."""
    above = _ancestors(assign)
    return (Q(unit_id__in=assign) | Q(unit_id__in=above, actor__isnull=True, role__in=OPEN_TO_DIVISIONS)
            | Q(unit_id__in=above, actor_id__in=_members_of(assign)))


def overseen_steps(user: User, steps: list[ProcessingStep]) -> list[ProcessingStep]:
    """Those of ``steps`` that ``user`` oversees as a division head (``_division_q``), in their order; every
    one for a role whose reach is the whole tree; none without the right to assign (one query)."""
    assign = unit_ids_in_scope(user, Capability.ASSIGN_DOSSIERS)
    if assign is None:
        return list(steps)
    if not assign or not steps:
        return []
    ids = set(ProcessingStep.objects.filter(pk__in=[s.pk for s in steps]).filter(_division_q(assign))
              .values_list("pk", flat=True))
    return [s for s in steps if s.pk in ids]


def may_receive_from(head: User, officer: User, step: ProcessingStep) -> bool:
    """Whether ``head`` may hand ``step`` (one they oversee) to ``officer``, beyond the step's own rule
    (``services.can_act``): a step placed higher than the head's division (at the agency) goes only to an
    officer of that division, who processes dossiers there today (Decree 61/2018 Art. 19)."""
    assign = unit_ids_in_scope(head, Capability.ASSIGN_DOSSIERS)
    if assign is None or step.unit_id in assign:
        return True
    return _members_of(assign).filter(user_id=officer.pk).exists()


def work_q(user: User) -> Q | None:
    """The open steps an officer sees in their queue: theirs, and the dossiers' current steps their roles
    may take, assign or sign within their scope. A specialist sees the steps nobody holds yet and their own,
    not those a colleague holds; a division head sees those too (``_division_q``). None: nothing."""
    if not user.is_authenticated:
        return None
    mine = Q(actor=user)
    scoped = Q(pk__in=[])
    process = unit_ids_in_scope(user, Capability.PROCESS_DOSSIERS)
    assign = unit_ids_in_scope(user, Capability.ASSIGN_DOSSIERS)
    sign = unit_ids_in_scope(user, Capability.SIGN_RESULTS)
    receive = unit_ids_in_scope(user, Capability.RECEIVE_DOSSIERS)
    if None in (process, assign, sign, receive):
        scoped = Q()
    else:
        assert process is not None and assign is not None and sign is not None and receive is not None
        if process:
            scoped |= Q(actor__isnull=True, role__in=(Role.SPECIALIST, ""), unit_id__in=process | _ancestors(process))
        if assign:
            scoped |= _division_q(assign)
        if sign:
            scoped |= Q(role=Role.AGENCY_LEADER, unit_id__in=sign)
        if receive:
            scoped |= Q(role__in=(Role.DESK_OFFICER, Role.CENTRE_OFFICER), unit_id__in=receive)
    # One row per dossier: the current step, unless the officer holds another open step of it; an agency taking
    # part in an inter-agency dossier sees its own open steps, which are not the dossier's current step.
    return mine | (scoped & (Q(pk=F("dossier__current_step_id")) | Q(part__isnull=False)))


def _bucket_q(now: dt.datetime) -> dict[str, Q]:
    """The buckets, each named for the deadline it means: ``overdue`` the dossier's promised date has passed
    (``timeliness.overdue_q``: the one definition of every screen); ``step_overdue`` the step's own deadline
    has passed, the dossier's has not; ``due_today`` the step is due before midnight; ``at_risk`` the working
    time left before the promised date is below what the remaining steps are planned to take, or, for a
    dossier that the lateness model has scored, the model says so (``risk.at_risk_q``)."""
    today = timezone.localdate(now)
    tomorrow = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    dossier_overdue = timeliness.overdue_q(now, "dossier__")
    return {
        "overdue": dossier_overdue,
        "step_overdue": Q(due_at__lt=now) & ~dossier_overdue,
        "due_today": Q(due_at__gte=now, due_at__lt=tomorrow) & ~dossier_overdue,
        "at_risk": (risk.at_risk_q(now, "dossier_id", "dossier__") & Q(dossier__due_at__gt=now, due_at__gte=now)
                    & ~dossier_overdue),
    }


# The steps that wait for a decision rather than for work: the head of division's review ("duyệt") and the
# leader's signature ("ký").
DECIDING_ROLES = (Role.DIVISION_HEAD, Role.AGENCY_LEADER)


def _own_q(user: User) -> dict[str, Q]:
    """The officer's own views of the queue (among the rows ``work_q`` gives them): what is assigned to them,
    what waits to be taken by them (a step nobody holds that their role may take), and what waits for their
    review or signature."""
    return {
        "mine": Q(actor=user),
        "to_take": Q(actor__isnull=True) & ~Q(role__in=DECIDING_ROLES),
        "to_sign": Q(role__in=DECIDING_ROLES) & (Q(actor__isnull=True) | Q(actor=user)),
    }


def queue_qs(user: User, filters: QueueFilters | None = None) -> QuerySet[ProcessingStep]:
    """The open steps of the queue with the filters but without the bucket, not yet sorted."""
    filters = filters or QueueFilters()
    q = work_q(user)
    qs = ProcessingStep.objects.filter(open=True)
    if q is None:
        return qs.none()
    qs = qs.filter(q)
    if filters.mine:
        qs = qs.filter(actor=user)
    if filters.procedure:
        qs = qs.filter(dossier__procedure__code=filters.procedure)
    if filters.status:
        qs = qs.filter(dossier__status=filters.status)
    text = (filters.q or "").strip()
    if text:
        qs = qs.filter(Q(dossier__code__iexact=text) | Q(dossier__reference__iexact=text)
                       | Q(dossier__applicant_id_number=text) | Q(dossier__search_folded__contains=fold_vi(text)))
    return qs


def queue_for(user: User, filters: QueueFilters | None = None, *, limit: int = 50, offset: int = 0,
              now: dt.datetime | None = None) -> Queue:
    """The officer's work queue (GET /api/v1/queues/mine and the queue screens): a page of open steps with
    their dossier, the number of rows and the counts per bucket, in three queries at most."""
    filters = filters or QueueFilters()
    now = now or timezone.now()
    base = queue_qs(user, filters)
    buckets = {**_bucket_q(now), **_own_q(user)}
    counts = base.aggregate(
        total=Count("id"), unassigned=Count("id", filter=Q(actor__isnull=True)),
        **{name: Count("id", filter=cond) for name, cond in buckets.items()})
    counts = {k: int(v or 0) for k, v in counts.items()}
    qs = base
    if filters.bucket in buckets:
        qs = qs.filter(buckets[filters.bucket])
        count = counts[filters.bucket]
    else:
        count = counts["total"]
    order = SORTS.get(filters.sort, SORTS["due"])
    items = list(risk.annotate(qs.select_related("dossier", "dossier__procedure", "unit", "actor")
                               .only(*QUEUE_FIELDS), "dossier_id")
                 .order_by(*order)[max(0, offset):max(0, offset) + max(1, min(limit, 200))])
    for item in items:
        risk.attach(item, item.dossier)
    return Queue(items, count, counts, now)


def dossier_state(d: Dossier, now: dt.datetime) -> str:
    """The dossier's own flag against its promised date: ``overdue`` (``timeliness.is_overdue``), ``at_risk``
    (the working time left cannot cover the remaining steps, or the lateness model says so: ``risk``) or ""."""
    if timeliness.is_overdue(d.status, d.due_at, d.original_due_at, now, d.processing_supplements):
        return "overdue"
    if risk.is_at_risk(d, now):
        return "at_risk"
    return ""


def step_state(step: ProcessingStep | None, now: dt.datetime) -> str:
    """The current step's flag against its own deadline: ``overdue``, ``due_today`` (before midnight) or ""."""
    if step is None or not step.open or step.due_at is None:
        return ""
    if step.due_at < now:
        return "overdue"
    tomorrow = timezone.make_aware(dt.datetime.combine(timezone.localdate(now) + dt.timedelta(days=1), dt.time.min))
    return "due_today" if step.due_at < tomorrow else ""


def row_state(step: ProcessingStep, now: dt.datetime) -> str:
    """The bucket of one queue row (the same tests as the counts, in Python): the dossier's state first."""
    state = dossier_state(step.dossier, now)
    if state == "overdue":
        return "overdue"
    mine = step_state(step, now)
    if mine == "overdue":
        return "step_overdue"
    if mine == "due_today":
        return "due_today"
    return "at_risk" if state == "at_risk" and step.due_at is not None and step.due_at >= now else ""


@dataclass
class DossierDetail:
    dossier: Dossier
    documents: list[DossierDocument]
    attachments: list[Attachment]
    events: list[DossierEvent]
    steps: list[ProcessingStep]
    consultations: list[Consultation]
    apology: Apology | None
    results: list[Result]
    payments: list[Payment]
    classification: dict[str, Any] | None
    step_classes: dict[int, dict[str, Any] | None]
    open_steps: list[ProcessingStep] = field(default_factory=list)
    # The papers of the sign-off chain (refusal, supplement request during processing), signed or waiting.
    drafts: list[PaperDraft] = field(default_factory=list)
    # An inter-agency dossier's parts, one per agency, with each part's result against its deadline.
    parts: list[AgencyPart] = field(default_factory=list)


def dossier_detail(user: User, code: str, *, at: dt.datetime | None = None,
                   before_history: Callable[[Dossier], Any] | None = None) -> DossierDetail:
    """The dossier page: the dossier (404 outside the user's scope), its documents and files, history,
    steps, consultations, apology, results, payments and its class, in a fixed number of queries.
    ``before_history`` runs once the dossier is found and before its history is read (the API logs the
    read of personal data there, so that the page shows it)."""
    at = at or timezone.now()
    dossier = dossier_selectors.get_visible(user, code)
    if before_history is not None:
        before_history(dossier)
    documents = list(DossierDocument.objects.filter(dossier=dossier).order_by("order"))
    attachments = list(Attachment.objects.filter(dossier=dossier).order_by("id"))
    events = list(DossierEvent.objects.filter(dossier=dossier).select_related("actor").order_by("seq"))
    steps = list(ProcessingStep.objects.filter(dossier=dossier)
                 .select_related("unit", "actor", "ended_by", "assigned_by").order_by("order", "id"))
    consultations = list(Consultation.objects.filter(dossier=dossier).select_related("unit", "asked_by",
                                                                                     "answered_by"))
    apology = Apology.objects.filter(dossier=dossier).select_related("issued_by", "drafted_by", "approved_by").first()
    drafts = list(PaperDraft.objects.filter(dossier=dossier).select_related("drafted_by", "approved_by", "signed_by"))
    results = list(Result.objects.filter(dossier=dossier).select_related("signer", "attachment"))
    payments = list(Payment.objects.filter(dossier=dossier))
    parts = agency_parts(dossier)
    by_step = {s.pk: classification.classify_step(s, at) for s in steps}
    return DossierDetail(
        dossier=dossier, documents=documents, attachments=attachments, events=events, steps=steps,
        consultations=consultations, apology=apology, results=results, payments=payments,
        classification=classification.classify_dossier(dossier, events, at), step_classes=by_step,
        open_steps=[s for s in steps if s.open], drafts=drafts, parts=parts)


def agency_parts(dossier: Dossier) -> list[AgencyPart]:
    """The dossier's parts in order, each with ``judged`` ("early", "on_time", "late", "" while open) and
    ``responsible`` (the late dossier is attributed to it)."""
    if not interagency.mode(dossier):
        return []  # a dossier of one agency: no query
    parts = list(AgencyPart.objects.filter(dossier=dossier).select_related("agency", "ended_by", "sent_by")
                 .order_by("order"))
    blamed = {u.pk for u in interagency.responsible(dossier, parts)}
    for p in parts:
        p.judged = interagency.judge_part(p)  # type: ignore[attr-defined]
        p.responsible = p.agency_id in blamed  # type: ignore[attr-defined]
    return parts


def takes_part(user: User, dossier: Dossier) -> bool:
    """Whether ``user`` processes for an agency that takes part in the dossier (not the lead)."""
    if not interagency.mode(dossier):
        return False  # a dossier of one agency: no query
    ids = unit_ids_in_scope(user, Capability.PROCESS_DOSSIERS)
    if ids is None:
        return True
    paths = list(AgencyPart.objects.filter(dossier=dossier, lead=False).values_list("agency__path", flat=True))
    if not paths or not ids:
        return False
    q = Q()
    for path in paths:
        q |= Q(path__startswith=path)
    return OrgUnit.objects.filter(q, pk__in=ids).exists()


def prefetch_steps() -> Prefetch[Any]:
    return Prefetch("steps", queryset=ProcessingStep.objects.select_related("unit", "actor").order_by("order", "id"))


# The statuses in which a consulted unit may still answer (the registry's ``answer-consultation``).
ANSWERABLE = (Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED)


def _to_answer(user: User) -> QuerySet[Consultation]:
    """The requests for an opinion addressed to a unit of which ``user`` is one of its own officers who
    process dossiers (``own_unit_ids``), not answered yet, on a dossier that may still take the answer."""
    own = own_unit_ids(user, Capability.PROCESS_DOSSIERS)
    qs = Consultation.objects.filter(answered_at__isnull=True, dossier__status__in=ANSWERABLE)
    return qs if own is None else qs.filter(unit_id__in=own)


def open_consultations(user: User, dossier: Dossier) -> list[Consultation]:
    """The requests on this dossier that ``user`` may answer, the soonest due first."""
    return list(_to_answer(user).filter(dossier=dossier).select_related("unit", "asked_by").order_by("due_at", "id"))


def consultations_to_answer(user: User) -> QuerySet[Consultation]:
    """"Xin ý kiến gửi đơn vị tôi": what the officer's unit is asked, the soonest due first, with the dossier,
    its procedure, the asking officer and the consulted unit loaded."""
    return (_to_answer(user).select_related("dossier", "dossier__procedure", "dossier__processing_unit", "unit",
                                            "asked_by")
            .order_by("due_at", "id"))
