"""API schemas of the dossier endpoints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

# Choices are Literal types, not free strings: "carrier-pigeon" as a channel was taken and stored as desk.
# A value outside the list is a 400 naming the field and the values allowed (issue 21, finding 4).
ApplicantKindIn = Literal["individual", "organisation"]


class ApplicantIn(Schema):
    kind: ApplicantKindIn = "individual"
    name: str = Field(max_length=255)
    id_number: str = Field("", max_length=12, description="Personal ID number, 12 digits (individuals)")
    tax_code: str = Field("", max_length=14, description="Tax code (organisations)")
    address: str = Field("", max_length=500)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)


class RepresentativeIn(Schema):
    name: str = Field("", max_length=255)
    id_number: str = Field("", max_length=12)
    address: str = Field("", max_length=500)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    document: str = Field("", max_length=255, description="The authorisation document")


class DocumentIn(Schema):
    order: int = Field(ge=1, description="The document's number in the procedure version's list")
    provided: bool = True
    scanned_at_desk: bool = Field(False, description="digitised at the desk: needs a file for this document in "
                                                     "the same request (or one already attached), else 400")
    reused_digitised: bool = False
    note: str = Field("", max_length=500)
    reuse_of: str = Field("", max_length=100, description="the number of a paper the applicant holds (an earlier "
                          "result kept in their documents) that stands in for this one: taken from there, flagged "
                          "reused, no file needed; 400 if the applicant holds no such paper of this kind")


class MissingIn(Schema):
    order: int | None = Field(None, description="the order of a document of the dossier's list (its name is "
                                                  "taken from the list); null for a free item named in document")
    document: str = Field("", max_length=500, description="a free item's name; ignored when order is given")
    kind: Literal["", "missing", "wrong", "invalid"] = Field(
        "", description="what is wrong: missing, wrong or invalid (empty for a free item)")
    reason: str = Field("", max_length=1000, description="why: required unless kind says it")


class DossierIn(Schema):
    procedure: str = Field(description="National procedure code, e.g. 1.013236")
    applicant: ApplicantIn
    representative: RepresentativeIn | None = None
    subject: str = Field("", max_length=1000)
    sets: int = 1
    documents: list[DocumentIn] = []
    time_variant: str = ""
    receiving_unit: str = Field("", description="Code of the receiving unit (default: the officer's unit)")
    channel: Literal["desk", "post", "online"] = Field("desk", description="desk or post (staff); online for a "
                                                                             "citizen")
    outcome: Literal["receive", "supplement", "refuse"] = Field("receive", description="Staff only: receive, "
                                                                                      "supplement or refuse")
    reason: str = Field("", max_length=2000)
    missing: list[MissingIn] = []
    respond_working_days: int | None = Field(None, description="with outcome supplement: the working days the "
                                                                "applicant has to supplement, where the law sets "
                                                                "them; null where it sets none")
    result_method: Literal["", "desk", "post", "online"] = Field(
        "", description="how the applicant asks to receive the result: desk, post or online; empty if not asked")
    result_address: str = Field("", description="the postal address for the result: required when "
                                                 "result_method is post, ignored otherwise")
    form_data: dict[str, Any] | None = Field(
        None, description="the values of the application's e-form, by field key, when the procedure version "
                          "declares one (GET /api/v1/procedures/{code}: version.eform; Decree 118/2025 Art. 15), "
                          "e.g. {\"plot_number\": \"125\", \"floors\": 3}; checked against that form: each bad "
                          "field is a 400 with details.fields[].field = \"form_data.<key>\". Omit it for a "
                          "version without a form (describe the request in subject)")


# --- the inputs of the dossier actions (``actions.REGISTRY``): one schema per action, shared by the staff
# pages (a form's cleaned data) and the API (a JSON body, or multipart with the JSON in ``data``) ---------

class EmptyIn(Schema):
    """The action takes no input."""


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000, description="The reason, stated to the applicant (required)")


class OptionalReasonIn(Schema):
    reason: str = Field("", max_length=2000, description="The reason, if any")


class NoteIn(Schema):
    note: str = Field("", max_length=2000, description="A note on the hand-over")


class SignIn(Schema):
    note: str = Field("", max_length=2000, description="A note on the signature")
    number: str = Field("", max_length=100, description="The result's number: given, the signature records the "
                                                        "result too and the dossier is done")
    issued_on: dt.date | None = Field(None, description="The result's date (default: the day of the signature)")


class AcceptIn(Schema):
    time_variant: str = Field("", max_length=255, description="The case that sets the time limit, for a "
                                                                "procedure whose limit depends on the case")


class RequestSupplementIn(Schema):
    missing: list[MissingIn] = Field(default_factory=list, description="Everything missing or wrong, at once")
    reason: str = Field("", max_length=2000, description="A note to the applicant")
    respond_working_days: int | None = Field(None, description="The working days the applicant has to "
                                                                "supplement, where the law sets them (a "
                                                                "construction permit: 2, Decree 217/2026 Art. 54)")


class SubmitSupplementIn(Schema):
    documents: list[DocumentIn] = Field(default_factory=list, description="What is now provided")
    reason: str = Field("", max_length=2000, description="A note")


class StartClockIn(Schema):
    event_at: dt.datetime = Field(description="When the event the time limit counts from happened, with its time "
                                              "zone: for a practising certificate, the notice of the evaluation "
                                              "result (not before the receipt, not in the future)")
    reference: str = Field("", max_length=100, description="The number of the notice, e.g. 12/TB-HĐ")
    note: str = Field("", max_length=2000, description="A note")


class AssignIn(Schema):
    officer: str = Field("", max_length=150, description="The username of the officer")
    step: int | None = Field(None, ge=1, le=2**62, description="The id of the open step (default: the division's)")


class ReturnStepIn(Schema):
    reason: str = Field("", max_length=2000, description="What must be redone")
    to_order: int | None = Field(None, ge=1, le=1000, description="The order of the step to go back to "
                                                                  "(default: the previous one)")


class ConsultIn(Schema):
    unit: str = Field("", max_length=255, description="The unit or agency consulted: its code (e.g. 000.00.06.H68) "
                                                       "or its name, when only one unit bears it")
    question: str = Field("", max_length=4000, description="The question")
    days: Decimal | None = Field(None, ge=1, le=60, decimal_places=2,
                                 description="Working days to answer (default by the rules)")


class AnswerIn(Schema):
    consultation: int = Field(ge=1, le=2**62, description="The id of the request for an opinion")
    answer: str = Field("", max_length=4000, description="The opinion")
    agrees: bool = Field(True, description="Whether the unit agrees")


class RecordResultIn(Schema):
    number: str = Field("", max_length=100, description="The number of the result")
    issued_on: dt.date = Field(description="The date of the result")
    signer: str = Field("", max_length=150, description="The signer's username (default: who signed)")


class RequestPaymentIn(Schema):
    amount_vnd: int | None = Field(None, ge=1, le=10**15, description="The amount (default: the fees due)")
    description: str = Field("", max_length=500, description="What for")


class ConfirmPaymentIn(Schema):
    channel: Literal["", "desk", "online", "bank", "post"] = Field("", description="desk, online, bank or post")
    receipt_number: str = Field("", max_length=100, description="The receipt number")
    paid_at: dt.datetime | None = Field(None, description="When it was paid (default: now)")


class ApologyIn(Schema):
    reason: str = Field("", max_length=2000, description="The reason for the delay")
    new_due_at: dt.datetime = Field(description="The new promised return")


class ReturnResultIn(Schema):
    method: Literal["", "desk", "post", "online"] = Field("", description="desk, post or online")
    collector_name: str = Field("", max_length=255, description="desk: the person who collected the result")
    collector_id_number: str = Field("", max_length=20, description="desk: their ID number (12 digits) or passport")
    collector_signed: bool = Field(False, description="desk: they signed the register (required)")
    postal_tracking: str = Field("", max_length=40, description="post: the postal tracking number")


class DocumentOut(Schema):
    order: int
    name: str
    required: bool
    provided: bool
    scanned_at_desk: bool
    reused_digitised: bool
    files: list[dict[str, Any]]


class EventOut(Schema):
    seq: int
    kind: str
    at: dt.datetime
    actor: str
    status_before: int | None
    status_after: int | None
    reason: str
    data: dict[str, Any]


class DossierOut(Schema):
    code: str | None
    reference: str
    status: str
    status_code: int
    channel: str
    procedure: dict[str, Any]
    receiving_unit: dict[str, str]
    processing_unit: dict[str, str]
    applicant: dict[str, Any]
    subject: str
    form_data: dict[str, Any] = Field(default_factory=dict, description="the application's e-form as filled in, "
                                                                        "by field key; {} for none")
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None = Field(description="the promised return; null before receipt, while a supplement "
                                                    "is awaited, or while the time waits for clock_waits_for")
    clock_start_at: dt.datetime | None = Field(None, description="the instant the time limit counts from")
    clock_waits_for: str = Field("", description="the later event the time limit counts from and that is not "
                                                 "recorded yet (evaluation_result, exam_result: action start-clock); "
                                                 "empty otherwise")
    transfer_due_at: dt.datetime | None
    receipt_url: str | None
    rule_set: str
    fees_due_vnd: int
    fees_paid_vnd: int
    original_due_at: dt.datetime | None = None
    current_step: str | None = None
    assigned_to: str | None = None
    late_flagged_at: dt.datetime | None = None
    risk_at: dt.datetime | None = None


class StepOut(Schema):
    id: int
    order: int
    name: str
    unit: dict[str, str] | None
    role: str
    officer: str | None
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    ended_at: dt.datetime | None
    outcome: str
    note: str
    open: bool
    classification: dict[str, Any] | None


class ConsultationOut(Schema):
    id: int
    unit: dict[str, str]
    question: str
    asked_at: dt.datetime
    due_at: dt.datetime
    answered_at: dt.datetime | None
    answer: str
    agrees: bool | None
    late: bool
    deemed_agreed: bool
    silence_is_consent: bool


class DossierDetailOut(DossierOut):
    result_method: str = Field("", description="how the result is (to be) returned: desk, post or online; "
                                                "empty if not chosen")
    result_address: str = Field("", description="the postal address for the result when result_method is "
                                                 "post; personal data, masked like the applicant's address "
                                                 "(applicant.masked) for readers who do not handle the dossier")
    collection: dict[str, Any] = Field(default_factory=dict, description=(
        "how the result left the desk, once returned: collector_name, collector_id_number (masked like the "
        "applicant's), collector_signed (the register), postal_tracking"))
    documents: list[DocumentOut]
    events: list[EventOut]
    steps: list[StepOut] = []
    consultations: list[ConsultationOut] = []
    parts: list[dict[str, Any]] = Field(default_factory=list, description="Inter-agency dossier: each agency's part "
                                        "(lead, work, transfer slip, sent, due, ended, result early/on_time/late, "
                                        "responsible for the delay)")
    apology: dict[str, Any] | None = None
    drafts: list[dict[str, Any]] = Field(default_factory=list, description="Papers of the sign-off chain: drafted by, "
                                         "approved by, signed by")
    results: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    classification: dict[str, Any] | None = None
    identity_level: str = Field("", description="the applicant's account's electronic identification when the "
                                                "dossier was filed online: vneid1 or vneid2 (VNeID level 1 or 2; "
                                                "DVCQG TaiKhoanDuocXacThucVoiVNeID), empty if none")


class QueueItemOut(Schema):
    step: StepOut
    dossier: dict[str, Any]
    state: str = Field(description="overdue, due_today, at_risk or empty")
    risk: dict[str, Any] | None = Field(None, description="the lateness model's prediction once it has scored the "
                                        "dossier: probability of ending late, at_risk, expected_finish, reasons "
                                        "(in the request's language); null: the fixed rule decides at_risk")


class QueueOut(Schema):
    count: int
    counts: dict[str, int]
    items: list[QueueItemOut]


class DossierListOut(Schema):
    count: int
    items: list[DossierOut]


def openapi_schema(model: type[Schema]) -> dict[str, Any]:
    """The model's JSON schema with its nested definitions written in place, for a request body documented
    by hand (``openapi_extra``): a reference to ``#/components/schemas/...`` resolves only for the schemas
    ninja collected from parameters, so nothing here refers elsewhere."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    result: dict[str, Any] = inline(schema)
    return result
