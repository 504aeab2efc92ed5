"""The one registry of dossier actions.

Each action is declared once here: its slug, the statuses it may start from, who may take it (one predicate
over the user and the dossier), its input schema and the service that does it. Everything else is derived:

- the staff pages (``views.actions``): which buttons a person sees on the dossier page, the action's form and
  its refusals;
- the API (``api``): one operation ``POST /api/v1/dossiers/{code}/actions/<slug>`` per action, its request
  body documented from the input schema; an unknown slug answers 404, an action the caller may not take 403,
  one the dossier's status does not allow 409, bad input 400;
- the services' own guard on the starting status (``lifecycle.check_action``), filled from here;
- the lifecycle tests, which walk this table.

Plain guarded functions rather than django-fsm-2 transitions: the status is only one of the things an action
changes (steps, clock, payments, results, the event chain), every change happens inside a service that locks
the dossier row, and the law fixes the statuses while the who-may rules depend on the organisation tree —
a model-level state machine would own the one part that is already a table (``lifecycle.TRANSITIONS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from pydantic import ValidationError as PydanticError

from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.api_schemas import field_message
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied

from . import deadlines, files, lifecycle, selectors, services
from . import schemas as s
from .choices import Status
from .models import Dossier
from .workflow import selectors as wf_selectors
from .workflow import services as workflow
from .workflow.choices import DraftKind
from .workflow.models import PaperDraft, ProcessingStep

S = Status
P = Status.IN_PROGRESS


class Access:
    """What one user may do on one dossier; each answer is looked up once (a page asks for every action)."""

    def __init__(self, user: User, dossier: Dossier) -> None:
        self.user = user
        self.dossier = dossier

    @cached_property
    def desk(self) -> bool:
        """Receives for the dossier's receiving unit (the one-stop desk)."""
        return has_capability(self.user, Capability.RECEIVE_DOSSIERS, self.dossier.receiving_unit)

    @cached_property
    def processing(self) -> bool:
        """Processes for the dossier's processing unit."""
        return selectors.processes(self.user, self.dossier)

    @cached_property
    def partner(self) -> bool:
        """Processes for an agency taking part in an inter-agency dossier (its own part, in its own queue)."""
        return wf_selectors.takes_part(self.user, self.dossier)

    @cached_property
    def owner(self) -> bool:
        """The applicant's own account (an online dossier)."""
        return self.dossier.owner_id is not None and self.dossier.owner_id == self.user.pk

    @cached_property
    def consulted(self) -> bool:
        """An officer of a unit asked for its opinion on this dossier, with the request still unanswered: only
        the consulted unit's own officers answer in its name (``workflow.answers_for``)."""
        return bool(wf_selectors.open_consultations(self.user, self.dossier))

    @cached_property
    def open_steps(self) -> list[ProcessingStep]:
        """The dossier's open steps, read once for every action of the page."""
        steps = list(self.dossier.steps.filter(open=True).select_related("unit").order_by("order", "id"))
        for step in steps:
            step.dossier = self.dossier
        return steps

    def my_step(self, roles: Callable[[str], bool] | None = None) -> ProcessingStep | None:
        """The open step the user works on: assigned to them (an officer first takes or is given the step, then
        works on it), or the head's review or the leader's signature that nobody holds and they may take (their
        button is the work itself). None when there is none."""
        steps = [s for s in self.open_steps if roles is None or roles(s.role)]
        mine = next((s for s in steps if s.actor_id == self.user.pk), None)
        return mine or next((s for s in steps if s.actor_id is None and s.role in LEADS
                             and workflow.can_act(self.user, s)), None)


Who = Callable[[Access], bool]


def desk(a: Access) -> bool:
    return a.desk


def processing(a: Access) -> bool:
    return a.processing


def processing_or_partner(a: Access) -> bool:
    # The step actions (take, finish, send back, approve) are also a participating agency's, on its own steps:
    # ``workflow.services`` lets each officer act only on the steps of the units they work for.
    return a.processing or a.partner


def desk_or_processing(a: Access) -> bool:
    return a.desk or a.processing


def desk_or_applicant(a: Access) -> bool:
    return a.desk or a.owner


def consulted(a: Access) -> bool:
    return a.consulted


def supplement_requester(a: Access) -> bool:
    # During appraisal the processing unit asks (Decree 61/2018 Art. 19(4)); at intake, the desk.
    return a.processing if a.dossier.status == Status.IN_PROGRESS else a.desk


# --- what the page offers -------------------------------------------------------------------------------
#
# The status and the who-may rule say whether an action exists for someone; ``offered`` says whether it can be
# taken NOW: there is a step for this user, a paper waiting for them, an open request addressed to their unit.
# It answers None (offered) or the refusal the service would give, 403 or 409, which ``check`` raises: the page
# hides exactly what the API refuses, and an offered action succeeds when taken with valid input.

Refusal = DomainError | None
Offer = Callable[[Access], Refusal]


def _conflict(message: str, code: str) -> Conflict:
    return Conflict(message, code=code)


def _forbid() -> PermissionDenied:
    return PermissionDenied(_("You may not do this for this dossier."), code="forbidden")


def _always(a: Access) -> Refusal:
    return None


LEADS = frozenset({Role.DIVISION_HEAD, Role.AGENCY_LEADER})


def _appraiser(role: str) -> bool:
    """A step that is neither the desk's (intake, return) nor the head's review nor the leader's signature."""
    return role not in workflow.DESK_ROLES and role not in LEADS


def _not_desk(role: str) -> bool:
    return role not in workflow.DESK_ROLES


def _consultation_awaited(a: Access) -> Refusal:
    if a.dossier.consultations.filter(answered_at__isnull=True, deemed_agreed_at__isnull=True,
                                      due_at__gt=timezone.now()).exists():
        return _conflict(_("An opinion is still awaited: wait for the answer or its deadline."),
                         "consultation_pending")
    return None


def _step_of(roles: Callable[[str], bool], *, waits: bool = False) -> Offer:
    """Offered to whoever works on an open step of these roles (and, with ``waits``, once no opinion is
    awaited: the step cannot end before)."""

    def offer(a: Access) -> Refusal:
        if a.my_step(roles) is None:
            return _forbid() if any(roles(s.role) for s in a.open_steps) else _conflict(
                _("No step of this kind is open on the dossier."), "no_open_step")
        return _consultation_awaited(a) if waits else None

    return offer


def _claimable(a: Access) -> Refusal:
    # "Take this dossier" only on a step the user may take (Decree 61/2018 Art. 19: the head assigns, the
    # officer of the step's unit takes): a specialist never sees it on the head's step.
    if any(s.actor_id == a.user.pk for s in a.open_steps):
        return _conflict(_("You already work on this dossier."), "already_claimed")
    # The head's review and the leader's signature are taken by doing them (``approve``, ``sign``).
    free = [s for s in a.open_steps if s.actor_id is None and s.role not in LEADS]
    if any(workflow.can_act(a.user, s) for s in free):
        return None
    return _forbid() if free else _conflict(_("Every open step already has an officer."), "already_claimed")


def _assignable(a: Access) -> Refusal:
    if not a.open_steps:
        return _conflict(_("No step of this kind is open on the dossier."), "no_open_step")
    return None if wf_selectors.overseen_steps(a.user, a.open_steps) else _forbid()


def _returnable(a: Access) -> Refusal:
    step = a.my_step(_not_desk)
    if step is None:
        return _forbid()
    earlier = a.dossier.steps.filter(order__lt=step.order).exclude(role__in=workflow.DESK_ROLES).exists()
    return None if earlier else _conflict(_("Choose a previous step of the processing unit."), "no_previous_step")


def _consultation_for_me(a: Access) -> Refusal:
    # Only an officer of the consulted unit answers, and only while the request is open (Decree 61/2018 Art.
    # 19(5): the consulted agency answers within its deadline).
    open_ = [c for c in a.dossier.consultations.filter(answered_at__isnull=True).select_related("unit")]
    if not open_:
        return _conflict(_("No request for an opinion is open on this dossier."), "no_consultation")
    if any(workflow.answers_for(a.user, c.unit_id) for c in open_):
        return None
    return _forbid()


def _supplement_requestable(a: Access) -> Refusal:
    # A supplement may be asked for once at intake (Decree 118/2025, Arts. 11-12) and once during appraisal,
    # within the window (Decree 61/2018 Art. 19(4)); during appraisal the officer drafts it for the chain.
    d = a.dossier
    if d.status != Status.IN_PROGRESS:
        return _conflict(_("A supplement has already been requested once: it may not be requested again."),
                         "supplement_already_requested") if d.intake_supplements else None
    if d.processing_supplements:
        return _conflict(_("A supplement has already been requested once: it may not be requested again."),
                         "supplement_already_requested")
    if workflow.pending_draft(d, DraftKind.SUPPLEMENT) is not None:
        return _conflict(_("A supplement request is already on its way to the signature."), "draft_pending")
    if a.my_step(_appraiser) is None:
        return _forbid()
    try:
        workflow.check_processing_supplement(a.user, d, timezone.now())
    except DomainError as exc:
        return exc
    return None


def _on_a_step(a: Access) -> Refusal:
    """Offered to an officer who works on an open step of the processing unit (the one who knows the
    dossier: a delay, the fees), or to the head of division."""
    if a.my_step(_not_desk) is None and not workflow.may_approve(a.user, a.dossier):
        return _forbid()
    return None


def _payment_requestable(a: Access) -> Refusal:
    return None if a.desk else _on_a_step(a)


def _refusable(a: Access) -> Refusal:
    if workflow.pending_draft(a.dossier, DraftKind.REFUSAL) is not None:
        return _conflict(_("A refusal is already on its way to the signature."), "draft_pending")
    if a.my_step(_appraiser) is None:
        return _forbid()
    due = a.dossier.due_at
    if due is not None and timezone.now() > due:
        return _conflict(_("The time limit has passed: the refusal had to be sent before it."), "refusal_too_late")
    return None


def _draft_waits(kind: str, *, approved: bool) -> Offer:
    """A paper of ``kind`` waits for the head's approval (``approved`` False) or the leader's signature."""

    def offer(a: Access) -> Refusal:
        allowed = workflow.may_sign(a.user, a.dossier) if approved else workflow.may_approve(a.user, a.dossier)
        if not allowed:
            return _forbid()
        draft = workflow.pending_draft(a.dossier, kind)
        if draft is None or (draft.approved_at is not None) != approved:
            return _conflict(_("No paper of this kind waits for you on this dossier."), "no_draft")
        return None

    return offer


def _draft_returnable(kind: str) -> Offer:
    """A paper of ``kind`` waits, and it is this user's turn on it: the head before approval, the leader (who
    may also send back what the head has not approved yet) before the signature."""

    def offer(a: Access) -> Refusal:
        draft = workflow.pending_draft(a.dossier, kind)
        if draft is None:
            return _conflict(_("No paper of this kind waits for you on this dossier."), "no_draft")
        signer = workflow.may_sign(a.user, a.dossier)
        if signer or (draft.approved_at is None and workflow.may_approve(a.user, a.dossier)):
            return None
        return _forbid()

    return offer


def _clock_waits(a: Access) -> Refusal:
    # The time limit counts from a later event the procedure version names (a CCHN's evaluation result,
    # Decree 212/2026 Arts. 30-31) and it has not been recorded yet.
    if deadlines.waits_for(a.dossier) not in ("", deadlines.ARRIVAL):  # the arrival is recorded by the transfer
        return None
    return _conflict(_("The time limit of this dossier does not wait for a later event: it counts from the receipt, "
                       "or has already started."), "clock_not_waiting")


def _apology_draftable(a: Access) -> Refusal:
    # The date moves once (Decree 61/2018 Art. 19(9)): once the letter is signed, there is nothing to draft;
    # once approved, it waits for the signature.
    d = a.dossier
    if (refusal := _on_a_step(a)) is not None:
        return refusal
    if (d.clock or {}).get("extended") or d.due_at is None:
        return _conflict(_("The apology and new date may be issued only once."), "already_apologised")
    pending = workflow.pending_apology(d)
    if pending is not None and pending.approved_at is not None:
        return _conflict(_("This paper is already approved: it waits for the leader's signature."),
                         "already_approved")
    return None


def _apology_waits(*, approved: bool) -> Offer:
    def offer(a: Access) -> Refusal:
        allowed = workflow.may_sign(a.user, a.dossier) if approved else workflow.may_approve(a.user, a.dossier)
        if not allowed:
            return _forbid()
        pending = workflow.pending_apology(a.dossier)
        if pending is None or (pending.approved_at is not None) != approved:
            return _conflict(_("No paper of this kind waits for you on this dossier."), "no_draft")
        return None

    return offer


def _result_recordable(a: Access) -> Refusal:
    d = a.dossier
    # (A payment still awaited keeps the dossier in status 6, where the action does not start.) The steps are
    # made from the plan of the dossier's snapshot (``workflow._plan``): read there, without a query.
    plan = (d.snapshot.get("version") or {}).get("steps") or workflow.DEFAULT_STEPS
    if d.signed_at is None and any(step.get("role") == Role.AGENCY_LEADER for step in plan):
        return _conflict(_("The result must be signed first."), "not_signed")
    return None


Run = Callable[[User, Dossier, Any, list[files.Upload]], object]


@dataclass(frozen=True)
class ActionSpec:
    slug: str
    label: Promise
    help: Promise
    statuses: frozenset[int]
    who: Who
    input: type[Schema]
    run: Run
    # The web form that collects the input (``forms.ACTION_FORMS``).
    form: str = "confirm"
    # A right the user must hold besides ``who`` (e.g. to assign, to sign).
    capability: Capability | None = None
    # Whether the dossier page offers the action, beyond its status: a button for an action that the service
    # is sure to refuse is not shown (the refusal, with its own message, stays the service's).
    offered: Offer = _always
    # Files the action takes: "" none, "file" one (the digitised result), "documents" per document.
    uploads: str = ""
    primary: bool = False
    # The legal form to print after the action.
    pdf: str = ""


def _missing(body: s.RequestSupplementIn) -> list[services.MissingItem]:
    return [services.MissingItem(m.document, m.reason, order=m.order, kind=m.kind) for m in body.missing]


def _officer(username: str, field_name: str) -> User:
    found = User.objects.filter(username=username, is_active=True).first() if username else None
    if found is None:
        raise DomainError(_("There is no active officer with this username."), code="invalid_input",
                          details={"fields": [{"field": field_name, "message": _("Unknown officer.")}]})
    return found


def _one(uploads: list[files.Upload]) -> files.Upload | None:
    return uploads[0] if uploads else None


def _request_supplement(user: User, dossier: Dossier, body: s.RequestSupplementIn, f: list[files.Upload]) -> object:
    """At intake the desk sends the request itself (form 02); during processing the officer drafts it for the
    head's approval and the leader's signature (``sign-supplement``)."""
    if dossier.status == Status.IN_PROGRESS:
        return workflow.draft_supplement(user, dossier, reason=body.reason, data=body.model_dump(mode="json"),
                                         missing=_missing(body))
    return services.request_supplement(user, dossier, _missing(body), body.reason,
                                       respond_working_days=body.respond_working_days)


def _sign_supplement(user: User, dossier: Dossier) -> object:
    def send(draft: PaperDraft, chain: dict[str, Any]) -> None:
        body = s.RequestSupplementIn.model_validate(draft.data)
        services.request_supplement(user, dossier, _missing(body), body.reason, signed=chain,
                                    respond_working_days=body.respond_working_days)

    return workflow.sign_supplement(user, dossier, send)


_SPECS: list[ActionSpec] = [
    # --- at the desk (Decree 61/2018 Arts. 15-18; Decree 118/2025 Arts. 15-21) -----------------------------
    ActionSpec(
        "accept", gettext_lazy("Accept"),
        gettext_lazy("The online dossier is complete and correct: it gets its code and promised date; "
                     "print the receipt."),
        frozenset({S.NEW}), desk, s.AcceptIn,
        lambda u, d, b, f: services.accept(u, d, time_variant=b.time_variant),
        form="accept", primary=True, pdf="receipt"),
    ActionSpec(
        "request-supplement", gettext_lazy("Ask for a supplement (form 02)"),
        gettext_lazy("List everything missing or wrong, at once: the applicant may be asked only once."),
        frozenset({S.NEW, S.IN_PROGRESS}), supplement_requester, s.RequestSupplementIn,
        _request_supplement, form="supplement-request", offered=_supplement_requestable, pdf="supplement-request"),
    ActionSpec(
        "refuse", gettext_lazy("Refuse (form 03)"),
        gettext_lazy("The dossier is not accepted, for example when it is outside the agency's competence. "
                     "Give the reason."),
        frozenset({S.NEW, S.SUPPLEMENT_REQUESTED}), desk, s.ReasonIn,
        lambda u, d, b, f: services.refuse_intake(u, d, b.reason), form="reason", pdf="refusal"),
    ActionSpec(
        "submit-supplement", gettext_lazy("Record the supplement"),
        gettext_lazy("The applicant handed in what was missing: tick the documents, attach the scans."),
        frozenset({S.SUPPLEMENT_REQUESTED}), desk_or_applicant, s.SubmitSupplementIn,
        lambda u, d, b, f: services.submit_supplement(
            u, d, [services.DocumentInput(**x.dict()) for x in b.documents], f, b.reason),
        form="supplement-arrived", uploads="documents", primary=True),
    ActionSpec(
        "transfer", gettext_lazy("Transfer to the processing unit"),
        gettext_lazy("Hand the dossier to the processing unit: the same working day, or at the start of the next "
                     "one when received after 15:00."),
        frozenset({S.RECEIVED}), desk, s.EmptyIn, lambda u, d, b, f: services.transfer(u, d), primary=True),
    ActionSpec(
        "start-clock", gettext_lazy("Record the event the time limit counts from"),
        gettext_lazy("For a procedure whose time limit counts from an event after the receipt (for a practising "
                     "certificate, the notice of the evaluation result): its date and time start the time limit "
                     "and set the promised return."),
        frozenset({S.RECEIVED, P, S.PAYMENT_REQUESTED}), desk_or_processing, s.StartClockIn,
        lambda u, d, b, f: services.start_clock(u, d, event_at=b.event_at, reference=b.reference, note=b.note),
        form="start-clock", offered=_clock_waits, primary=True),
    ActionSpec(
        "request-withdrawal", gettext_lazy("Record a request to stop"),
        gettext_lazy("The applicant asks, in person or by post, to stop processing the dossier."),
        frozenset({S.NEW, S.RECEIVED, S.IN_PROGRESS, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED}),
        desk_or_applicant, s.OptionalReasonIn, lambda u, d, b, f: services.request_withdrawal(u, d, b.reason),
        form="reason-optional"),
    ActionSpec(
        "stop", gettext_lazy("Stop processing (stop notice)"),
        gettext_lazy("No decision has been issued: issue the stop notice."),
        frozenset({S.WITHDRAWAL_REQUESTED}), desk, s.OptionalReasonIn,
        lambda u, d, b, f: services.stop(u, d, b.reason), form="reason-optional", primary=True,
        pdf="stop-notice"),
    # --- internal processing (Decree 61/2018 Art. 19) ------------------------------------------------------
    ActionSpec(
        "claim", gettext_lazy("Take this dossier"),
        gettext_lazy("Work on the open step of your unit that nobody is assigned to."),
        frozenset({P}), processing_or_partner, s.EmptyIn, lambda u, d, b, f: workflow.claim(u, d), offered=_claimable,
        primary=True),
    ActionSpec(
        "assign", gettext_lazy("Assign to an officer"),
        gettext_lazy("The head of division assigns (or reassigns) the step to a specialist."),
        frozenset({P, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED, S.DONE}), processing, s.AssignIn,
        lambda u, d, b, f: workflow.assign(u, d, _officer(b.officer, "officer"), step_id=b.step),
        form="assign", capability=Capability.ASSIGN_DOSSIERS, offered=_assignable),
    ActionSpec(
        "transfer-step", gettext_lazy("Finish my step and pass it on"),
        gettext_lazy("Your step ends now (early, on time or late against its budget) and the next one starts."),
        frozenset({P}), processing_or_partner, s.NoteIn, lambda u, d, b, f: workflow.transfer_step(u, d, note=b.note),
        form="note", offered=_step_of(_appraiser, waits=True), primary=True),
    ActionSpec(
        "return-step", gettext_lazy("Send back to the previous step"), gettext_lazy("Say what must be redone."),
        frozenset({P}), processing_or_partner, s.ReturnStepIn,
        lambda u, d, b, f: workflow.return_step(u, d, reason=b.reason, to_order=b.to_order), form="reason",
        offered=_returnable),
    ActionSpec(
        "consult", gettext_lazy("Ask another unit for its opinion"),
        gettext_lazy("The consulted unit answers within its own deadline; a late answer is recorded."),
        frozenset({P}), processing, s.ConsultIn,
        lambda u, d, b, f: workflow.consult(u, d, unit_code=b.unit, question=b.question, days=b.days),
        form="consult", offered=_step_of(_appraiser)),
    ActionSpec(
        "answer-consultation", gettext_lazy("Answer a request for an opinion"),
        gettext_lazy("Give your unit's opinion on the question asked."),
        frozenset({P, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED}), consulted, s.AnswerIn,
        lambda u, d, b, f: workflow.answer_consultation(u, d, consultation_id=b.consultation, answer=b.answer,
                                                        agrees=b.agrees),
        form="answer", offered=_consultation_for_me),
    ActionSpec(
        "approve", gettext_lazy("Approve and submit for signature"),
        gettext_lazy("The head of division approves the appraisal."),
        frozenset({P}), processing_or_partner, s.NoteIn, lambda u, d, b, f: workflow.approve(u, d, note=b.note),
        form="note", capability=Capability.ASSIGN_DOSSIERS,
        offered=_step_of(lambda role: role == Role.DIVISION_HEAD, waits=True), primary=True),
    ActionSpec(
        "sign", gettext_lazy("Sign the result"),
        gettext_lazy("The leader signs the result; with its number (and date and signed file) the result is "
                     "recorded at once and the dossier is done."),
        frozenset({P}), processing, s.SignIn,
        lambda u, d, b, f: workflow.sign(u, d, note=b.note, number=b.number, issued_on=b.issued_on,
                                         upload=_one(f)),
        form="sign", capability=Capability.SIGN_RESULTS, uploads="file",
        offered=_step_of(lambda role: role == Role.AGENCY_LEADER, waits=True), primary=True),
    # The refusal after appraisal is the agency's written answer with the reason (Decree 61/2018 Art. 19(8)),
    # within the time limit: proposed by the officer, approved by the head of division, signed by the leader,
    # like a result. Form 03 stays the desk's refusal at intake (``refuse``).
    ActionSpec(
        "refuse-after-appraisal", gettext_lazy("Propose to refuse the dossier"),
        gettext_lazy("The dossier does not qualify: give the reason. The head of division approves and the leader "
                     "signs the agency's answer, before the promised date."),
        frozenset({P}), processing, s.ReasonIn,
        lambda u, d, b, f: workflow.propose_refusal(u, d, reason=b.reason), form="reason", offered=_refusable),
    ActionSpec(
        "approve-refusal", gettext_lazy("Approve the refusal and submit it for signature"),
        gettext_lazy("The head of division checks the proposed refusal and its reason."),
        frozenset({P}), processing, s.NoteIn,
        lambda u, d, b, f: workflow.approve_draft(u, d, DraftKind.REFUSAL, note=b.note), form="note",
        capability=Capability.ASSIGN_DOSSIERS, offered=_draft_waits(DraftKind.REFUSAL, approved=False),
        primary=True),
    ActionSpec(
        "sign-refusal", gettext_lazy("Sign the refusal"),
        gettext_lazy("The leader signs the agency's answer refusing the dossier: it is numbered and issued, and "
                     "the dossier ends refused."),
        frozenset({P}), processing, s.NoteIn, lambda u, d, b, f: workflow.sign_refusal(u, d, note=b.note),
        form="note", capability=Capability.SIGN_RESULTS, offered=_draft_waits(DraftKind.REFUSAL, approved=True),
        primary=True, pdf="refusal-answer"),
    ActionSpec(
        "return-refusal", gettext_lazy("Send the proposed refusal back"),
        gettext_lazy("You do not agree with the refusal: it goes back to the officer with your reason and nothing "
                     "is sent to the applicant."),
        frozenset({P}), processing, s.ReasonIn,
        lambda u, d, b, f: workflow.return_draft(u, d, DraftKind.REFUSAL, reason=b.reason), form="reason",
        offered=_draft_returnable(DraftKind.REFUSAL)),
    # A supplement request during processing (Decree 61/2018 Art. 19(4)) goes out the same way: the officer
    # drafts it (``request-supplement``), the head approves it, the leader's signature sends it.
    ActionSpec(
        "approve-supplement", gettext_lazy("Approve the supplement request and submit it for signature"),
        gettext_lazy("The head of division checks what the officer asks the applicant to supplement."),
        frozenset({P}), processing, s.NoteIn,
        lambda u, d, b, f: workflow.approve_draft(u, d, DraftKind.SUPPLEMENT, note=b.note), form="note",
        capability=Capability.ASSIGN_DOSSIERS, offered=_draft_waits(DraftKind.SUPPLEMENT, approved=False),
        primary=True),
    ActionSpec(
        "sign-supplement", gettext_lazy("Sign the supplement request (form 02)"),
        gettext_lazy("The leader signs: the request is sent to the applicant and the clock stops until the "
                     "complete dossier arrives."),
        frozenset({P}), processing, s.NoteIn, lambda u, d, b, f: _sign_supplement(u, d),
        form="note", capability=Capability.SIGN_RESULTS, offered=_draft_waits(DraftKind.SUPPLEMENT, approved=True),
        primary=True, pdf="supplement-request"),
    ActionSpec(
        "return-supplement", gettext_lazy("Send the supplement request back"),
        gettext_lazy("You do not agree with the request: it goes back to the officer with your reason and nothing "
                     "is sent to the applicant."),
        frozenset({P}), processing, s.ReasonIn,
        lambda u, d, b, f: workflow.return_draft(u, d, DraftKind.SUPPLEMENT, reason=b.reason), form="reason",
        offered=_draft_returnable(DraftKind.SUPPLEMENT)),
    ActionSpec(
        "record-result", gettext_lazy("Record the result"),
        gettext_lazy("Its number, date and the digitised file, once signed."),
        frozenset({P}), desk_or_processing, s.RecordResultIn,
        lambda u, d, b, f: workflow.record_result(
            u, d, number=b.number, issued_on=b.issued_on,
            signer=_officer(b.signer, "signer") if b.signer else None, upload=_one(f)),
        form="result", uploads="file", offered=_result_recordable),
    ActionSpec(
        "request-payment", gettext_lazy("Request payment"),
        gettext_lazy("Ask the applicant to pay the fees or other obligations."),
        frozenset({P}), desk_or_processing, s.RequestPaymentIn,
        lambda u, d, b, f: workflow.request_payment(u, d, amount_vnd=b.amount_vnd, description=b.description),
        form="payment-request", offered=_payment_requestable),
    ActionSpec(
        "confirm-payment", gettext_lazy("Confirm the payment"),
        gettext_lazy("The applicant paid: processing continues."),
        frozenset({S.PAYMENT_REQUESTED}), desk_or_processing, s.ConfirmPaymentIn,
        lambda u, d, b, f: workflow.confirm_payment(u, d, channel=b.channel, receipt_number=b.receipt_number,
                                                    paid_at=b.paid_at),
        form="payment", primary=True),
    # The apology letter (form 04, Decree 61/2018 Art. 19(9)): drafted by an officer, approved by the head of
    # division, signed by the head of the agency, which issues it and moves the date; after the limit it is still
    # issued, marked late.
    ActionSpec(
        "draft-apology", gettext_lazy("Draft the apology and new date (form 04)"),
        gettext_lazy("The reason and the new date, for the head of division to approve and the head of the agency "
                     "to sign; due at least one working day before the promised date (a later letter is marked "
                     "late). The date moves once only."),
        frozenset({P, S.PAYMENT_REQUESTED}), processing, s.ApologyIn,
        lambda u, d, b, f: workflow.draft_apology(u, d, reason=b.reason, new_due_at=b.new_due_at), form="apology",
        offered=_apology_draftable),
    ActionSpec(
        "approve-apology", gettext_lazy("Approve the apology letter (form 04)"),
        gettext_lazy("The head of division checks the reason and the new date and submits the letter for "
                     "signature."),
        frozenset({P, S.PAYMENT_REQUESTED}), processing, s.NoteIn,
        lambda u, d, b, f: workflow.approve_apology(u, d, note=b.note), form="note",
        capability=Capability.ASSIGN_DOSSIERS, offered=_apology_waits(approved=False), primary=True),
    ActionSpec(
        "sign-apology", gettext_lazy("Sign the apology letter (form 04)"),
        gettext_lazy("The head of the agency signs the drafted letter: it is issued to the applicant and the "
                     "promised date moves to the new one."),
        frozenset({P, S.PAYMENT_REQUESTED}), processing, s.NoteIn,
        lambda u, d, b, f: workflow.sign_apology(u, d, note=b.note), form="note",
        capability=Capability.SIGN_RESULTS, offered=_apology_waits(approved=True), primary=True, pdf="apology"),
    ActionSpec(
        "return-result", gettext_lazy("Return the result"),
        gettext_lazy("Hand the result to the applicant: at the desk (who collected it, their ID number and "
                     "signature in the register), by post (the tracking number) or online (the digitised file)."),
        frozenset({S.DONE}), desk, s.ReturnResultIn,
        lambda u, d, b, f: workflow.return_result(u, d, method=b.method, collection=workflow.Collection(
            name=b.collector_name, id_number=b.collector_id_number, signed=b.collector_signed,
            tracking=b.postal_tracking)), form="return", primary=True),
]

REGISTRY: dict[str, ActionSpec] = {spec.slug: spec for spec in _SPECS}
lifecycle.register_starts({spec.slug: spec.statuses for spec in _SPECS})


def get(slug: str) -> ActionSpec:
    """The action, or 404 for a slug that names none."""
    spec = REGISTRY.get(slug)
    if spec is None:
        raise NotFound(_("Unknown action."), code="unknown_action", details={"actions": list(REGISTRY)})
    return spec


def may(access: Access, spec: ActionSpec) -> bool:
    """Whether the user may take the action on this dossier, whatever its status."""
    if spec.capability is not None and not has_capability(access.user, spec.capability):
        return False
    return spec.who(access)


def startable(spec: ActionSpec, dossier: Dossier) -> bool:
    """Whether the dossier's status allows the action."""
    return dossier.status in spec.statuses


def available(user: User, dossier: Dossier) -> list[ActionSpec]:
    """The actions the user may take on the dossier now: the buttons of the dossier page."""
    access = Access(user, dossier)
    # ``offered`` last: it may read the database (a paper waiting for a signature), ``may`` is cached.
    return [spec for spec in _SPECS if startable(spec, dossier) and may(access, spec) and spec.offered(access) is None]


def check(user: User, dossier: Dossier, spec: ActionSpec) -> None:
    """Refuse the action before anything is read from the input: 403 for who may not, 409 for a status that
    does not allow it, then what ``offered`` refuses (no step for this user, no paper waiting for them: 403 or
    409), so that the API refuses exactly what the page hides. The service checks again under the dossier lock,
    with the rest of the law."""
    access = Access(user, dossier)
    if not may(access, spec):
        raise PermissionDenied(_("You may not do this for this dossier."), code="forbidden")
    if not startable(spec, dossier):
        status = Status(dossier.status).label
        raise Conflict(
            _("This action is not possible while the dossier is “%(status)s”.") % {"status": status},
            code="illegal_transition", details={"action": spec.slug, "status_code": dossier.status})
    refusal = spec.offered(access)
    if refusal is not None:
        raise refusal


def parse(spec: ActionSpec, data: dict[str, Any]) -> Schema:
    """The action's input from plain data (a form's cleaned data, a JSON body), or 400 naming the fields."""
    try:
        return spec.input.model_validate(data)
    except PydanticError as exc:
        raise DomainError(_("The request is not valid: check the fields listed."), code="invalid_input",
                          details={"fields": [{"field": ".".join(str(p) for p in e.get("loc", [])),
                                               "message": field_message(dict(e))} for e in exc.errors()]}) from exc


def perform(user: User, dossier: Dossier, slug: str, data: dict[str, Any] | Schema,
            uploads: list[files.Upload] | None = None) -> Dossier:
    """Take the action: the one path of the staff pages and the API. Returns the dossier as it is now."""
    spec = get(slug)
    check(user, dossier, spec)
    body = data if isinstance(data, spec.input) else parse(spec, dict(data))  # type: ignore[arg-type]
    uploads = uploads or []
    if uploads and not spec.uploads:
        raise DomainError(_("This action takes no file."), code="invalid_input")
    spec.run(user, dossier, body, uploads)
    return Dossier.objects.select_related("receiving_unit", "processing_unit", "procedure", "owner").get(
        pk=dossier.pk)
