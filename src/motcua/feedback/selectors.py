"""Every non-trivial read of the feedback app: the staff queue and search, one item for staff or for its
sender, the public answers and their search (without diacritics), and the Open311 client of a key."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core import revisions
from motcua.core.errors import DomainError, NotFound
from motcua.core.text import fold_vi

from . import access, deadlines
from .choices import OPEN_STATUSES, Status, Topic
from .models import ApiClient, FeedbackItem, FeedbackRevision

QUEUE_VIEWS = ("open", "mine", "unclassified", "due_today", "overdue", "at_risk", "approved", "closed", "all",
               "spam")


def _local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def staff_items(user: User, *, view: str = "open", q: str = "", agency_id: int | None = None,
                field_id: int | None = None, division_id: int | None = None, status: str = "",
                topic: str = "", now: dt.datetime | None = None, channel: str = "",
                received_from: dt.date | None = None, received_to: dt.date | None = None,
                handled_from: dt.date | None = None, handled_to: dt.date | None = None,
                counted: bool = False) -> QuerySet[FeedbackItem]:
    """The items ``user`` reads as staff, filtered. Views: ``open`` (everything still to do), ``mine`` (open
    and assigned to me), ``unclassified``, ``due_today`` / ``overdue`` (the agency's next date: publication
    once approved, else the answer), ``at_risk`` (due within the next two working days), ``approved``
    (waiting for publication), ``closed``, ``all``, ``spam``.

    The statistics link their numbers here: ``received_from`` / ``received_to`` (local dates, inclusive),
    ``handled_from`` / ``handled_to`` (being handled in those days: received by the last, not closed before
    the first), ``counted`` (what the statistics count: neither hidden as spam nor merged)."""
    agencies = access.agencies_read(user)
    if agencies is not None and not agencies:
        return FeedbackItem.objects.none()
    qs = FeedbackItem.objects.select_related("agency", "division", "assignee", "field")
    if agencies is not None:
        qs = qs.filter(agency_id__in=agencies)
    now = now or timezone.now()
    if view not in QUEUE_VIEWS:
        raise DomainError(_("Unknown view."), details={"field": "view"})
    if view != "spam" and view != "all":
        qs = qs.filter(hidden=False)
    opened = Q(status__in=OPEN_STATUSES)
    # The agency's next date: publish_due once approved, answer_due before.

    def next_due_before(t: dt.datetime) -> Q:
        return Q(status=Status.APPROVED, publish_due__lt=t) | (opened & ~Q(status=Status.APPROVED)
                                                                & Q(answer_due__lt=t))

    if view == "open":
        qs = qs.filter(opened)
    elif view == "mine":
        qs = qs.filter(opened, assignee=user)
    elif view == "unclassified":
        qs = qs.filter(status=Status.RECEIVED)
    elif view == "overdue":
        qs = qs.filter(next_due_before(now))
    elif view == "due_today":
        start, end = _local_day_bounds(timezone.localdate(now))
        qs = qs.filter(next_due_before(end)).exclude(next_due_before(max(start, now)))
    elif view == "at_risk":
        horizon = deadlines.due(now, 2, None).due_at
        qs = qs.filter(next_due_before(horizon)).exclude(next_due_before(now))
    elif view == "approved":
        qs = qs.filter(status=Status.APPROVED)
    elif view == "closed":
        qs = qs.exclude(opened)
    elif view == "spam":
        qs = qs.filter(hidden=True)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    if field_id:
        qs = qs.filter(field_id=field_id)
    if division_id:
        qs = qs.filter(division_id=division_id)
    if status:
        qs = qs.filter(status=status)
    if topic:
        qs = qs.filter(topic=topic)
    if channel:
        qs = qs.filter(channel=channel)
    if received_from:
        qs = qs.filter(received_at__gte=_local_day_bounds(received_from)[0])
    if received_to:
        qs = qs.filter(received_at__lt=_local_day_bounds(received_to)[1])
    if handled_to:
        qs = qs.filter(received_at__lt=_local_day_bounds(handled_to)[1])
    if handled_from:
        start = _local_day_bounds(handled_from)[0]
        qs = qs.exclude(Q(status=Status.PUBLISHED, published_at__lt=start)
                        | Q(status=Status.FORWARDED, forwarded_at__lt=start)
                        | Q(status=Status.REJECTED, rejected_at__lt=start))
    if counted:
        qs = qs.filter(hidden=False).exclude(status=Status.MERGED)
    if q:
        text = q.strip()
        qs = qs.filter(Q(code__iexact=text) | Q(title__icontains=text) | Q(content__icontains=text)
                       | Q(public_folded__contains=fold_vi(text)))
    order = "answer_due" if view in ("open", "mine", "unclassified", "due_today", "overdue", "at_risk") else \
        "-received_at"
    return qs.order_by(order, "pk")


def queue_counts(user: User, now: dt.datetime | None = None) -> dict[str, int]:
    return {view: staff_items(user, view=view, now=now).count()
            for view in ("open", "mine", "unclassified", "due_today", "overdue", "at_risk", "approved")}


def item_for_staff(user: User, code: str) -> FeedbackItem:
    """One item for staff; 404 for anyone who may not read it (another agency's officer included)."""
    item = (FeedbackItem.objects.select_related("agency", "division", "assignee", "field", "procedure",
                                                "dossier", "duplicate_of", "follow_up_of", "forwarded_from")
            .prefetch_related("attachments", "officers").filter(code=code).first())
    if item is None or not access.Access(user, item).reads:
        raise NotFound(_("No feedback has this code."))
    return item


def history(item: FeedbackItem) -> list:  # type: ignore[type-arg]
    return list(item.events.select_related("actor").order_by("seq"))


def item_for_sender(code: str, secret: str = "", user: User | None = None) -> FeedbackItem:
    """The sender's view: by code and the receipt's secret, or as the account that sent it. One answer (404)
    whether the code does not exist or the secret is wrong, so codes cannot be probed."""
    item = FeedbackItem.objects.select_related("agency", "duplicate_of").filter(code=(code or "").strip()).first()
    if item is None:
        raise NotFound(_("No feedback has this code."))
    if not access.is_sender(item, secret, user):
        raise NotFound(_("No feedback has this code."))
    return item


def public_status(code: str) -> FeedbackItem | None:
    """What anyone may learn from a code alone: whether it exists, its status and dates (no content, no
    sender); hidden items do not exist for the public."""
    return FeedbackItem.objects.select_related("agency").filter(code=(code or "").strip(), hidden=False).first()


@dataclass(frozen=True)
class PublicQuery:
    q: str = ""
    agency_id: int | None = None
    field_id: int | None = None
    year: int | None = None


def revision_token() -> str:
    """The token of the feedback items (``signals.py``): replaced by every save or deletion of one, so a kept
    page of published answers is never served after an item changed."""
    return revisions.read(FeedbackRevision)


def public_answers(query: PublicQuery) -> QuerySet[FeedbackItem]:
    """Published answers about regulations, newest first; never a hidden item, never a conduct item (those are
    answered to their sender only). Search is on the folded text, so ``giay phep`` finds *giấy phép*."""
    qs = (FeedbackItem.objects.filter(status=Status.PUBLISHED, hidden=False, topic=Topic.REGULATION)
          .select_related("agency", "field").only(
              "code", "agency__name", "agency__short_name", "field__name", "public_title", "public_content",
              "public_answer", "published_at", "received_at", "kind", "status", "topic", "hidden"))
    if query.q:
        for word in fold_vi(query.q).split()[:8]:
            qs = qs.filter(public_folded__contains=word)
    if query.agency_id:
        qs = qs.filter(agency_id=query.agency_id)
    if query.field_id:
        qs = qs.filter(field_id=query.field_id)
    if query.year:
        start = timezone.make_aware(dt.datetime(query.year, 1, 1))
        qs = qs.filter(published_at__gte=start, published_at__lt=start.replace(year=query.year + 1))
    return qs.order_by("-published_at", "-pk")


def public_answer(code: str) -> FeedbackItem:
    item = public_answers(PublicQuery()).filter(code=code).first()
    if item is None:
        raise NotFound(_("No published answer has this code."))
    return item


def client_for_key(key: str) -> ApiClient | None:
    prefix = (key or "").split(".", 1)[0]
    client = ApiClient.objects.select_related("agency").filter(prefix=prefix, revoked_at__isnull=True).first()
    if client is None:
        return None
    digest = hashlib.sha256((key or "").encode("utf-8", "replace")).hexdigest()
    return client if secrets.compare_digest(digest, client.digest) else None
