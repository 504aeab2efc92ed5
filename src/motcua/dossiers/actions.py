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

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from pydantic import ValidationError as PydanticError

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.api_schemas import field_message
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied

from . import deadlines, files, lifecycle, selectors, services
from . import schemas as s
from .choices import Status
from .models import Dossier
from .workflow import services as workflow

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
    def owner(self) -> bool:
        """The applicant's own account (an online dossier)."""
        return self.dossier.owner_id is not None and self.dossier.owner_id == self.user.pk

    @cached_property
    def consulted(self) -> bool:
        """Processes dossiers somewhere: a consulted unit answers for its own (the service checks which)."""
        return has_capability(self.user, Capability.PROCESS_DOSSIERS)


Who = Callable[[Access], bool]


def desk(a: Access) -> bool:
    return a.desk


def processing(a: Access) -> bool:
    return a.processing


def desk_or_processing(a: Access) -> bool:
    return a.desk or a.processing


def desk_or_applicant(a: Access) -> bool:
    return a.desk or a.owner


def consulted(a: Access) -> bool:
    return a.consulted


def supplement_requester(a: Access) -> bool:
    # During appraisal the processing unit asks (Decree 61/2018 Art. 19(4)); at intake, the desk.
    return a.processing if a.dossier.status == Status.IN_PROGRESS else a.desk


def _always(dossier: Dossier) -> bool:
    return True


def _not_requested_yet(dossier: Dossier) -> bool:
    # A supplement may be asked for once at intake (Decree 118/2025, Arts. 11-12) and once during appraisal
    # (Decree 61/2018 Art. 19(4)).
    asked = dossier.processing_supplements if dossier.status == Status.IN_PROGRESS else dossier.intake_supplements
    return not asked


def _clock_waits(dossier: Dossier) -> bool:
    # The time limit counts from a later event the procedure version names (a CCHN's evaluation result,
    # Decree 212/2026 Arts. 30-31) and it has not been recorded yet.
    return bool(deadlines.waits_for(dossier))


def _not_apologised(dossier: Dossier) -> bool:
    # The date moves once (Decree 61/2018 Art. 19(9)): once the letter is signed, there is nothing to draft.
    return not (dossier.clock or {}).get("extended")


def _apology_to_sign(dossier: Dossier) -> bool:
    return workflow.pending_apology(dossier) is not None


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
    offered: Callable[[Dossier], bool] = _always
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
        lambda u, d, b, f: services.request_supplement(u, d, _missing(b), b.reason,
                                                       respond_working_days=b.respond_working_days),
        form="supplement-request", offered=_not_requested_yet, pdf="supplement-request"),
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
        frozenset({P}), processing, s.EmptyIn, lambda u, d, b, f: workflow.claim(u, d), primary=True),
    ActionSpec(
        "assign", gettext_lazy("Assign to an officer"),
        gettext_lazy("The head of division assigns (or reassigns) the step to a specialist."),
        frozenset({P, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED, S.DONE}), processing, s.AssignIn,
        lambda u, d, b, f: workflow.assign(u, d, _officer(b.officer, "officer"), step_id=b.step),
        form="assign", capability=Capability.ASSIGN_DOSSIERS),
    ActionSpec(
        "transfer-step", gettext_lazy("Finish my step and pass it on"),
        gettext_lazy("Your step ends now (early, on time or late against its budget) and the next one starts."),
        frozenset({P}), processing, s.NoteIn, lambda u, d, b, f: workflow.transfer_step(u, d, note=b.note),
        form="note", primary=True),
    ActionSpec(
        "return-step", gettext_lazy("Send back to the previous step"), gettext_lazy("Say what must be redone."),
        frozenset({P}), processing, s.ReturnStepIn,
        lambda u, d, b, f: workflow.return_step(u, d, reason=b.reason, to_order=b.to_order), form="reason"),
    ActionSpec(
        "consult", gettext_lazy("Ask another unit for its opinion"),
        gettext_lazy("The consulted unit answers within its own deadline; a late answer is recorded."),
        frozenset({P}), processing, s.ConsultIn,
        lambda u, d, b, f: workflow.consult(u, d, unit_code=b.unit, question=b.question, days=b.days),
        form="consult"),
    ActionSpec(
        "answer-consultation", gettext_lazy("Answer a request for an opinion"),
        gettext_lazy("Give your unit's opinion on the question asked."),
        frozenset({P, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED}), consulted, s.AnswerIn,
        lambda u, d, b, f: workflow.answer_consultation(u, d, consultation_id=b.consultation, answer=b.answer,
                                                        agrees=b.agrees),
        form="answer"),
    ActionSpec(
        "approve", gettext_lazy("Approve and submit for signature"),
        gettext_lazy("The head of division approves the appraisal."),
        frozenset({P}), processing, s.NoteIn, lambda u, d, b, f: workflow.approve(u, d, note=b.note),
        form="note", capability=Capability.ASSIGN_DOSSIERS),
    ActionSpec(
        "sign", gettext_lazy("Sign the result"), gettext_lazy("The leader signs the result."),
        frozenset({P}), processing, s.NoteIn, lambda u, d, b, f: workflow.sign(u, d, note=b.note),
        form="note", capability=Capability.SIGN_RESULTS),
    ActionSpec(
        "refuse-after-appraisal", gettext_lazy("Refuse after appraisal (form 03)"),
        gettext_lazy("The dossier does not qualify: give the reason; the refusal must go out before the "
                     "promised date."),
        frozenset({P}), processing, s.ReasonIn, lambda u, d, b, f: workflow.refuse(u, d, reason=b.reason),
        form="reason", pdf="refusal"),
    ActionSpec(
        "record-result", gettext_lazy("Record the result"),
        gettext_lazy("Its number, date and the digitised file, once signed."),
        frozenset({P}), desk_or_processing, s.RecordResultIn,
        lambda u, d, b, f: workflow.record_result(
            u, d, number=b.number, issued_on=b.issued_on,
            signer=_officer(b.signer, "signer") if b.signer else None, upload=_one(f)),
        form="result", uploads="file"),
    ActionSpec(
        "request-payment", gettext_lazy("Request payment"),
        gettext_lazy("Ask the applicant to pay the fees or other obligations."),
        frozenset({P}), desk_or_processing, s.RequestPaymentIn,
        lambda u, d, b, f: workflow.request_payment(u, d, amount_vnd=b.amount_vnd, description=b.description),
        form="payment-request"),
    ActionSpec(
        "confirm-payment", gettext_lazy("Confirm the payment"),
        gettext_lazy("The applicant paid: processing continues."),
        frozenset({S.PAYMENT_REQUESTED}), desk_or_processing, s.ConfirmPaymentIn,
        lambda u, d, b, f: workflow.confirm_payment(u, d, channel=b.channel, receipt_number=b.receipt_number,
                                                    paid_at=b.paid_at),
        form="payment", primary=True),
    # The apology letter (form 04, Decree 61/2018 Art. 19(9)): drafted by an officer, signed by the head of the
    # agency, which issues it and moves the date; after the limit it is still issued, marked late.
    ActionSpec(
        "draft-apology", gettext_lazy("Draft the apology and new date (form 04)"),
        gettext_lazy("The reason and the new date, for the head of the agency to sign; due at least one working "
                     "day before the promised date (a later letter is marked late). The date moves once only."),
        frozenset({P, S.PAYMENT_REQUESTED}), processing, s.ApologyIn,
        lambda u, d, b, f: workflow.draft_apology(u, d, reason=b.reason, new_due_at=b.new_due_at), form="apology",
        offered=_not_apologised),
    ActionSpec(
        "sign-apology", gettext_lazy("Sign the apology letter (form 04)"),
        gettext_lazy("The head of the agency signs the drafted letter: it is issued to the applicant and the "
                     "promised date moves to the new one."),
        frozenset({P, S.PAYMENT_REQUESTED}), processing, s.NoteIn,
        lambda u, d, b, f: workflow.sign_apology(u, d, note=b.note), form="note",
        capability=Capability.SIGN_RESULTS, offered=_apology_to_sign, primary=True, pdf="apology"),
    ActionSpec(
        "return-result", gettext_lazy("Return the result"),
        gettext_lazy("Hand the result to the applicant: at the desk, by post or online."),
        frozenset({S.DONE}), desk, s.ReturnResultIn,
        lambda u, d, b, f: workflow.return_result(u, d, method=b.method), form="return", primary=True),
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
    # ``offered`` last: it may read the database (an apology waiting for its signature), ``may`` is cached.
    return [spec for spec in _SPECS if startable(spec, dossier) and may(access, spec) and spec.offered(dossier)]


def check(user: User, dossier: Dossier, spec: ActionSpec) -> None:
    """Refuse the action before anything is read from the input: 403 for who may not, 409 for a status that
    does not allow it. The service checks both again under the dossier lock, with the rest of the law."""
    if not may(Access(user, dossier), spec):
        raise PermissionDenied(_("You may not do this for this dossier."), code="forbidden")
    if not startable(spec, dossier):
        status = Status(dossier.status).label
        raise Conflict(
            _("This action is not possible while the dossier is “%(status)s”.") % {"status": status},
            code="illegal_transition", details={"action": spec.slug, "status_code": dossier.status})


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
