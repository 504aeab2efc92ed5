"""The one registry of feedback actions, as for dossiers (``motcua.dossiers.actions``).

Each action is declared once: its slug, the statuses it may start from, who may take it (a predicate over
``Access``), its input schema and the service that does it. The staff page (which buttons and forms an
officer sees), the API (``POST /api/v1/feedback/{code}/actions/<slug>``: 404 unknown slug, 403 not allowed,
409 wrong status, 400 bad input) and the tests are derived from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from pydantic import Field as PField
from pydantic import ValidationError as PydanticError

from motcua.accounts.models import User
from motcua.core.api_schemas import field_message
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied

from . import services
from .access import Access
from .choices import Status, Topic
from .models import FeedbackItem

S = Status


class ClassifyIn(Schema):
    topic: str | None = None
    kind: str | None = None
    field_id: int | None = None
    division_id: int | None = None
    assignee_id: int | None = None


class AssignIn(Schema):
    division_id: int | None = None
    assignee_id: int | None = None


class ForwardIn(Schema):
    to_unit_id: int | None = None
    to_name: str = ""
    reason: str = ""


class ReasonIn(Schema):
    reason: str = ""


class MergeIn(Schema):
    into_code: str = ""
    reason: str = ""


class MessageIn(Schema):
    message: str = ""


class CriterionIn(Schema):
    verdict: str = ""
    note: str = ""


class DraftIn(Schema):
    answer: str = ""
    # Decree 20/2008 Art. 14: one entry per criterion (necessity, reasonableness, simplicity, feasibility,
    # consistency, treaties), each "met", "not_met" or "not_applicable"; required for a regulation item.
    review: dict[str, CriterionIn] = PField(default_factory=dict)


class DecisionIn(Schema):
    accept: bool = True
    note: str = ""


class PublicationIn(Schema):
    title: str = ""
    content: str = ""
    answer: str = ""


class PublishIn(Schema):
    channels: str = ""


class SpamIn(Schema):
    reason: str = ""


class FindingIn(Schema):
    finding: str = ""
    note: str = ""


class EmptyIn(Schema):
    pass


@dataclass(frozen=True)
class Action:
    slug: str
    label: str | Promise
    statuses: frozenset[str]
    may: Callable[[Access], bool]
    schema: type[Schema]
    run: Callable[[FeedbackItem, User, Any], FeedbackItem]
    # Shown only when this also holds (e.g. a finding only for a conduct item).
    when: Callable[[FeedbackItem], bool] = lambda item: True
    danger: bool = False

    def offered(self, access: Access) -> bool:
        item = access.item
        return item.status in self.statuses and self.when(item) and self.may(access)


def _dump_review(data: DraftIn) -> dict[str, Any]:
    return {key: value.dict() for key, value in data.review.items()}


_OPEN = frozenset({S.RECEIVED, S.HANDLING})
_ALL = frozenset(Status.values)

ACTIONS: dict[str, Action] = {a.slug: a for a in [
    Action("classify", gettext_lazy("Accept and route"), frozenset({S.RECEIVED}), lambda a: a.routes, ClassifyIn,
           lambda i, u, d: services.classify(i, u, topic=d.topic, kind=d.kind, field_id=d.field_id,
                                             division_id=d.division_id, assignee_id=d.assignee_id)),
    Action("assign", gettext_lazy("Reassign"), frozenset({S.HANDLING, S.INFO_REQUESTED}), lambda a: a.routes,
           AssignIn, lambda i, u, d: services.assign(i, u, division_id=d.division_id, assignee_id=d.assignee_id)),
    Action("forward", gettext_lazy("Forward to the competent agency"), _OPEN, lambda a: a.routes, ForwardIn,
           lambda i, u, d: services.forward(i, u, to_unit_id=d.to_unit_id, to_name=d.to_name, reason=d.reason)),
    Action("reject", gettext_lazy("Do not accept"), _OPEN, lambda a: a.routes, ReasonIn,
           lambda i, u, d: services.reject(i, u, reason=d.reason), danger=True),
    Action("merge", gettext_lazy("Merge with an earlier item"), _OPEN, lambda a: a.routes, MergeIn,
           lambda i, u, d: services.merge(i, u, into_code=d.into_code, reason=d.reason)),
    Action("request-info", gettext_lazy("Ask the sender for more information"), frozenset({S.HANDLING}),
           lambda a: a.drafts, MessageIn, lambda i, u, d: services.request_info(i, u, message=d.message),
           when=lambda i: bool(i.sender_email or i.sender_phone or i.sender_account_id)),
    Action("extend", gettext_lazy("Extend the time limit (once)"),
           frozenset({S.HANDLING, S.INFO_REQUESTED, S.ANSWER_DRAFTED, S.ANSWER_REVIEWED}), lambda a: a.leader,
           ReasonIn, lambda i, u, d: services.extend(i, u, reason=d.reason), when=lambda i: i.extended_at is None),
    Action("draft-answer", gettext_lazy("Draft the answer"), frozenset({S.HANDLING, S.ANSWER_DRAFTED}),
           lambda a: a.drafts, DraftIn,
           lambda i, u, d: services.draft_answer(i, u, answer=d.answer, review=_dump_review(d))),
    Action("review-answer", gettext_lazy("Review the answer"), frozenset({S.ANSWER_DRAFTED}), lambda a: a.head,
           DecisionIn, lambda i, u, d: services.review_answer(i, u, accept=d.accept, note=d.note)),
    Action("approve-answer", gettext_lazy("Approve the answer"), frozenset({S.ANSWER_REVIEWED}),
           lambda a: a.leader, DecisionIn,
           lambda i, u, d: services.approve_answer(i, u, accept=d.accept, note=d.note)),
    Action("edit-publication", gettext_lazy("Check the texts to publish"), frozenset({S.APPROVED, S.PUBLISHED}),
           lambda a: a.leader, PublicationIn,
           lambda i, u, d: services.edit_publication(i, u, title=d.title, content=d.content, answer=d.answer),
           when=lambda i: i.topic == Topic.REGULATION),
    Action("publish", gettext_lazy("Publish the answer"), frozenset({S.APPROVED}), lambda a: a.leader, PublishIn,
           lambda i, u, d: services.publish(i, u, channels=d.channels)),
    Action("mark-spam", gettext_lazy("Mark as spam (hide from the public)"), _ALL, lambda a: a.routes or a.leader,
           SpamIn, lambda i, u, d: services.mark_spam(i, u, spam=True, reason=d.reason),
           when=lambda i: not i.hidden, danger=True),
    Action("unmark-spam", gettext_lazy("Not spam"), _ALL, lambda a: a.routes or a.leader, SpamIn,
           lambda i, u, d: services.mark_spam(i, u, spam=False, reason=d.reason), when=lambda i: i.hidden),
    Action("decide-finding", gettext_lazy("Decide on the officer's conduct"),
           frozenset(Status.values) - {S.RECEIVED, S.REJECTED, S.MERGED, S.FORWARDED}, lambda a: a.leader,
           FindingIn, lambda i, u, d: services.decide_finding(i, u, finding=d.finding, note=d.note),
           when=lambda i: i.topic == Topic.CONDUCT),
]}


def offered(user: User, item: FeedbackItem) -> list[Action]:
    access = Access(user, item)
    return [action for action in ACTIONS.values() if action.offered(access)]


def parse(action: Action, data: dict[str, Any]) -> Schema:
    try:
        return action.schema.model_validate(data)
    except PydanticError as exc:
        first = exc.errors()[0]
        raise DomainError(field_message(dict(first)), details={"field": ".".join(str(p) for p in first["loc"])}
                          ) from exc


def take(user: User, item: FeedbackItem, slug: str, data: dict[str, Any]) -> FeedbackItem:
    """Take the action ``slug`` on ``item``: 404 unknown, 403 not allowed, 409 not now, 400 bad input. The
    service checks again under its lock; this gives the caller the same answers before anything is parsed."""
    action = ACTIONS.get(slug)
    if action is None:
        raise NotFound(_("Unknown action."))
    access = Access(user, item)
    if not access.reads:
        raise NotFound(_("No feedback has this code."))
    if not action.may(access):
        raise PermissionDenied(_("You may not do this on this item."))
    if item.status not in action.statuses or not action.when(item):
        raise Conflict(_("This cannot be done while the item is “%(status)s”.")
                       % {"status": Status(item.status).label}, code="wrong_status")
    return action.run(item, user, parse(action, data))
