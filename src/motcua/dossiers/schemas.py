"""API schemas of the dossier endpoints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class ApplicantIn(Schema):
    kind: str = "individual"
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
    scanned_at_desk: bool = False
    reused_digitised: bool = False
    note: str = Field("", max_length=500)


class MissingIn(Schema):
    document: str = Field(max_length=500)
    reason: str = Field("", max_length=1000)


class DossierIn(Schema):
    procedure: str = Field(description="National procedure code, e.g. 1.013236")
    applicant: ApplicantIn
    representative: RepresentativeIn | None = None
    subject: str = Field("", max_length=1000)
    sets: int = 1
    documents: list[DocumentIn] = []
    time_variant: str = ""
    receiving_unit: str = Field("", description="Code of the receiving unit (default: the officer's unit)")
    channel: str = Field("desk", description="desk or post (staff); online for a citizen")
    outcome: str = Field("receive", description="Staff only: receive, supplement or refuse")
    reason: str = Field("", max_length=2000)
    missing: list[MissingIn] = []
    result_method: str = Field("", description="how the applicant asks to receive the result: desk, post or "
                                                "online; empty if not asked")
    result_address: str = Field("", description="the postal address for the result: required when "
                                                 "result_method is post, ignored otherwise")


class ActionIn(Schema):
    reason: str = Field("", max_length=2000)
    missing: list[MissingIn] = []
    documents: list[DocumentIn] = []
    time_variant: str = ""
    # Internal processing (issue 6); each action reads the fields it needs.
    note: str = Field("", max_length=2000, description="transfer, approve, sign: a note on the hand-over")
    officer: str = Field("", max_length=150, description="assign: the username of the officer")
    step: int | None = Field(None, description="assign: the id of the open step (default: the division's)")
    to_order: int | None = Field(None, description="return-step: the order of the step to go back to")
    unit: str = Field("", max_length=40, description="consult: the code of the unit or agency consulted")
    question: str = Field("", max_length=4000, description="consult: the question")
    days: Decimal | None = Field(None, description="consult: working days to answer (default by the rules)")
    consultation: int | None = Field(None, description="answer-consultation: the id of the request")
    answer: str = Field("", max_length=4000, description="answer-consultation: the opinion")
    agrees: bool = Field(True, description="answer-consultation: whether the unit agrees")
    number: str = Field("", max_length=100, description="record-result: the number of the result")
    issued_on: dt.date | None = Field(None, description="record-result: the date of the result")
    signer: str = Field("", max_length=150, description="record-result: the signer's username (default: who signed)")
    amount_vnd: int | None = Field(None, description="request-payment: amount (default: fees due)")
    description: str = Field("", max_length=500, description="request-payment: what for")
    channel: str = Field("", max_length=10, description="confirm-payment: desk, online, bank or post")
    receipt_number: str = Field("", max_length=100, description="confirm-payment: the receipt number")
    paid_at: dt.datetime | None = Field(None, description="confirm-payment: when it was paid (default: now)")
    new_due_at: dt.datetime | None = Field(None, description="apologize: the new promised return")
    method: str = Field("", max_length=10, description="return-result: desk, post or online")


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
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
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
    documents: list[DocumentOut]
    events: list[EventOut]
    steps: list[StepOut] = []
    consultations: list[ConsultationOut] = []
    apology: dict[str, Any] | None = None
    results: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    classification: dict[str, Any] | None = None


class QueueItemOut(Schema):
    step: StepOut
    dossier: dict[str, Any]
    state: str = Field(description="overdue, due_today, at_risk or empty")


class QueueOut(Schema):
    count: int
    counts: dict[str, int]
    items: list[QueueItemOut]


class DossierListOut(Schema):
    count: int
    items: list[DossierOut]
