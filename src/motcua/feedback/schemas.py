"""API schemas of ``/api/v1/feedback``: what a sender submits, what staff, the sender and the public read.

The public schemas (``PublicAnswerOut``) have no field for the sender at all, so no code path can leak it;
the staff schemas carry the sender only as ``SenderOut``, full for the agency's own officers and masked for a
tree-wide reader (the inspector, the administrator), as dossiers are.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, Field

from motcua.core.api_schemas import CleanText
from motcua.core.text import refuse_control_characters

# PostgreSQL refuses NUL in text: refused here as bad input, never a 500 at the database (the shared check,
# which also refuses the other control characters).
_no_nul = refuse_control_characters
Text = CleanText
# An item's code in a path, e.g. T.SXD-PA26-00001.
Code = Annotated[str, Field(max_length=40, description="the item's code, e.g. T.SXD-PA26-00001"),
                 AfterValidator(_no_nul)]


class FeedbackIn(Schema):
    """A feedback or petition sent through the API (channel ``api``). Name and contact are optional for
    feedback on a regulation and required for one about a dossier or an officer."""

    title: Text = Field(max_length=300)
    content: Text = Field(max_length=10_000, description="at least a sentence (10 characters)")
    agency_code: Text = Field("", max_length=40, description="the receiving agency's code, e.g. T.SXD "
                                                              "(empty: the agency of the dossier, else the first)")
    topic: Literal["regulation", "conduct"] = Field(
        "regulation", description="regulation (Decree 20/2008) or conduct (how a procedure was carried out)")
    kind: Literal["feedback", "petition"] = Field("feedback",
                                                  description="feedback, or petition (needs a proposal)")
    proposal: Text = Field("", max_length=10_000)
    field_id: int | None = Field(None, ge=1, le=2**31 - 1)
    procedure_code: Text = Field("", max_length=40)
    dossier_code: Text = Field("", max_length=40, description="the dossier it is about (makes it a conduct item)")
    address_string: Text = Field("", max_length=300, description="where the problem is")
    lat: float | None = None
    long: float | None = None
    name: Text = Field("", max_length=200)
    phone: Text = Field("", max_length=20)
    email: Text = Field("", max_length=254)
    id_number: Text = Field("", max_length=20)
    address: Text = Field("", max_length=300)


class UnitOut(Schema):
    id: int
    code: str
    name: str


class NamedOut(Schema):
    id: int
    name: str


class DeadlinesOut(Schema):
    reject_due: dt.datetime
    forward_due: dt.datetime
    info_due: dt.datetime
    answer_due: dt.datetime
    publish_due: dt.datetime | None = None


class SubmittedOut(Schema):
    code: str
    status: str
    status_label: str
    received_at: dt.datetime
    tracking_url: str = Field(description="the sender's tracking page; it carries the secret: keep it")
    secret: str = Field(description="give it with the code to /api/v1/feedback/track/{code}")
    deadlines: DeadlinesOut


class SenderOut(Schema):
    name: str
    phone: str
    email: str
    id_number: str
    address: str
    masked: bool = Field(description="true: the reader is not one of the agency's officers; only the name and "
                                     "the ends of the rest are shown")


class FeedbackOut(Schema):
    code: str
    status: str
    status_label: str
    topic: str
    kind: str
    channel: str
    title: str
    agency: UnitOut
    division: UnitOut | None
    assignee: NamedOut | None
    field: NamedOut | None
    received_at: dt.datetime
    answer_due: dt.datetime
    publish_due: dt.datetime | None
    next_due: dt.datetime | None = Field(description="the date the agency must act by next")
    extended: bool
    hidden: bool
    sender: SenderOut


class FeedbackListOut(Schema):
    count: int
    items: list[FeedbackOut]


class StepOut(Schema):
    step: str = Field(description="reject, forward, info, answer or publish")
    label: str
    due_at: dt.datetime
    done_at: dt.datetime | None
    met: bool | None = Field(description="true done in time, false late, null not done and still in time")
    late: bool


class EventOut(Schema):
    seq: int
    kind: str
    label: str
    at: dt.datetime
    actor: str
    data: dict[str, Any]


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    public: bool


class FeedbackDetailOut(FeedbackOut):
    content: str
    proposal: str
    address_string: str
    lat: float | None
    long: float | None
    procedure: str | None
    dossier: str | None
    officers: list[NamedOut]
    reason: str
    forwarded_to: str
    duplicate_of: str | None
    follow_up_of: str | None
    forwarded_from: str | None
    info_request: str
    answer: str
    review: dict[str, Any]
    public_title: str
    public_content: str
    public_answer: str
    publication_channels: str
    published_at: dt.datetime | None
    reaction: str
    finding: str
    finding_note: str
    on_time: bool
    steps: list[StepOut]
    history: list[EventOut]
    attachments: list[AttachmentOut]
    actions: list[str] = Field(description="the slugs of the actions the caller may take now "
                                           "(POST /api/v1/feedback/{code}/actions/<slug>)")


class PublicAnswerOut(Schema):
    """A published answer: the texts as the approver left them after the redaction step, never the sender."""

    code: str
    agency: str
    field: str | None
    kind: str
    title: str
    question: str
    answer: str
    received_at: dt.datetime
    published_at: dt.datetime


class PublicListOut(Schema):
    count: int
    items: list[PublicAnswerOut]


class SenderItemOut(Schema):
    """What the sender reads with the code and the secret of their receipt."""

    code: str
    status: str
    status_label: str
    agency: str
    title: str
    content: str
    received_at: dt.datetime
    answer_due: dt.datetime
    info_request: str = Field(description="what the agency asks for, while it waits for it")
    reason: str = Field(description="why it was not accepted, forwarded or merged")
    forwarded_to: str
    merged_into: str | None
    answer: str = Field(description="the approved answer (empty before approval)")
    reaction: str
    may_react: bool
    may_follow_up: bool
    may_provide_info: bool


class SecretIn(Schema):
    secret: Text = Field(max_length=64, description="the secret printed on the receipt")


class ReactIn(SecretIn):
    reaction: Text = Field(max_length=20, description="satisfied or dissatisfied")


class InfoIn(SecretIn):
    text: Text = Field(max_length=10_000, description="the information asked for")


class FollowUpIn(SecretIn):
    content: Text = Field(max_length=10_000, description="what is wrong with the answer")


class FollowedUpOut(Schema):
    code: str = Field(description="the code of the new, linked item")
    follow_up_of: str
    tracking_url: str
    secret: str
