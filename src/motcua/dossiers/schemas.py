"""API schemas of the dossier endpoints."""

from __future__ import annotations

import datetime as dt
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


class ActionIn(Schema):
    reason: str = Field("", max_length=2000)
    missing: list[MissingIn] = []
    documents: list[DocumentIn] = []
    time_variant: str = ""


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


class DossierDetailOut(DossierOut):
    documents: list[DocumentOut]
    events: list[EventOut]


class DossierListOut(Schema):
    count: int
    items: list[DossierOut]
