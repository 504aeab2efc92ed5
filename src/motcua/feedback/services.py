"""Every write of the feedback app. Each function checks who may act, locks the item, changes it in one
transaction, appends its history (``FeedbackEvent``) and leaves the sender's notice in the same transaction
(``notifications.notify`` records it and delivers after the commit), so nothing acknowledged is lost and
nothing is announced that did not commit.

Sources of the rules: ``docs/feedback.md`` and the domain note ``feedback-pakn.md``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.catalogue.models import Field, Procedure
from motcua.core import redaction, revisions
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from motcua.core.links import absolute
from motcua.core.text import fold_vi, nfc
from motcua.dossiers import codes, files
from motcua.dossiers.models import Dossier
from motcua.notifications import services as notifications

from . import deadlines
from .access import Access, is_sender, may_enter
from .choices import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    STAFF_CHANNELS,
    Channel,
    Criterion,
    EventKind,
    Finding,
    Kind,
    Reaction,
    Status,
    Topic,
)
from .models import ApiClient, FeedbackAttachment, FeedbackEvent, FeedbackItem, FeedbackRevision

FILES_ROOT = "feedback"
MAX_FILES = 5
MAX_TITLE = 300
MAX_CONTENT = 10_000

# Notice keys (texts in ``notifications.defaults``).
NOTICE_RECEIVED = "feedback.received"
NOTICE_STATUS = "feedback.status_changed"
NOTICE_ANSWERED = "feedback.answered"
NOTICE_LATE = "feedback.late"



def bump_revision() -> None:
    """Mark the kept public pages of answers as stale (``selectors.revision_token``, ``core.pagecache``), in the
    caller's transaction: every save or deletion of an item does it through ``signals``; writes that send no
    signal (``update()``) call it themselves."""
    revisions.bump(FeedbackRevision)

def _now() -> dt.datetime:
    return timezone.now()


def _invalid(message: str, field_name: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, details={"field": field_name})


# --- receiving -----------------------------------------------------------------------------------------------

@dataclass
class Submission:
    """What a sender gives, on any channel."""

    title: str
    content: str
    agency: OrgUnit | None = None
    topic: str = Topic.REGULATION
    kind: str = Kind.FEEDBACK
    proposal: str = ""
    field_id: int | None = None
    procedure_code: str = ""
    dossier_code: str = ""
    address_string: str = ""
    lat: float | None = None
    long: float | None = None
    name: str = ""
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    language: str = "vi"
    received_at: dt.datetime | None = None  # staff entry of a letter: the day it came (never in the future)
    uploads: list[files.Upload] = field(default_factory=list)


def default_agency() -> OrgUnit:
    """The agency a web form without a choice reports to: the first agency in the tree."""
    agency = OrgUnit.objects.filter(kind=UnitKind.AGENCY).order_by("pk").first()
    if agency is None:
        raise DomainError(_("No agency receives feedback yet."), code="no_agency", status=409)
    return agency


def _clean(data: Submission, channel: str, user: User | None) -> None:
    data.title = nfc(data.title or "").strip()
    data.content = nfc(data.content or "").strip()
    data.proposal = nfc(data.proposal or "").strip()
    data.name = nfc(data.name or "").strip()
    data.address = nfc(data.address or "").strip()
    data.address_string = nfc(data.address_string or "").strip()
    data.phone = "".join(ch for ch in (data.phone or "") if ch.isdigit() or ch == "+")
    data.id_number = (data.id_number or "").strip()
    data.email = (data.email or "").strip()
    if not data.title:
        raise _invalid(_("Give a title."), "title", "required")
    if len(data.title) > MAX_TITLE:
        raise _invalid(_("The title may have at most %(n)s characters.") % {"n": MAX_TITLE}, "title")
    if len(data.content) < 10:
        raise _invalid(_("Describe the problem in at least a sentence."), "content", "required")
    if len(data.content) > MAX_CONTENT or len(data.proposal) > MAX_CONTENT:
        raise _invalid(_("The text may have at most %(n)s characters.") % {"n": MAX_CONTENT}, "content")
    if data.topic not in Topic.values:
        raise _invalid(_("Choose what the feedback is about."), "topic")
    if data.kind not in Kind.values:
        raise _invalid(_("Choose feedback or petition."), "kind")
    if data.kind == Kind.PETITION and not data.proposal:
        # Decree 20/2008 Art. 3(2): a petition proposes a solution or a new regulation.
        raise _invalid(_("A petition proposes a solution: write it."), "proposal", "required")
    if data.phone and not 9 <= len(data.phone.lstrip("+")) <= 12:
        raise _invalid(_("The phone number is not valid."), "phone")
    if data.id_number and not (data.id_number.isdigit() and len(data.id_number) in (9, 12)):
        raise _invalid(_("An ID number has 12 digits (or 9 for an old card)."), "id_number")
    if data.email and ("@" not in data.email or len(data.email) > 254):
        raise _invalid(_("The e-mail address is not valid."), "email")
    if (data.lat is None) != (data.long is None):
        raise _invalid(_("Give both the latitude and the longitude."), "lat")
    if data.lat is not None and data.long is not None and not (-90 <= data.lat <= 90 and -180 <= data.long <= 180):
        raise _invalid(_("The coordinates are not valid."), "lat")
    if user is not None and user.is_authenticated and channel in (Channel.WEB, Channel.DOSSIER):
        data.name = data.name or user.get_full_name()
        data.email = data.email or user.email or ""
        data.phone = data.phone or getattr(user, "phone", "") or ""
    needs_sender = data.topic == Topic.CONDUCT or bool(data.dossier_code)
    if needs_sender and not data.name:
        raise _invalid(_("Feedback about a dossier or an officer needs your name."), "name", "required")
    if needs_sender and not (data.phone or data.email or data.address):
        raise _invalid(_("Feedback about a dossier or an officer needs a phone, an e-mail or an address for "
                         "the answer."), "phone", "required")
    if len(data.uploads) > MAX_FILES:
        raise _invalid(_("Attach at most %(n)s files.") % {"n": MAX_FILES}, "files")


def _handlers_of(dossier: Dossier) -> list[int]:
    """The officers who handled the dossier: who received it, took a step, held it."""
    from motcua.dossiers.models import DossierEvent

    ids = set(DossierEvent.objects.filter(dossier=dossier).exclude(actor__role_assignments__isnull=True)
              .values_list("actor_id", flat=True))
    if dossier.assigned_to_id:
        ids.add(dossier.assigned_to_id)
    owner = dossier.owner_id
    return sorted(pk for pk in ids if pk != owner)


def _next_code(agency: OrgUnit, at: dt.datetime) -> str:
    local = timezone.localtime(at)
    number = codes.next_paper_number(agency.code, "feedback", local.year)
    return f"{agency.code}-PA{local:%y}-{number:05d}"


def _append(item: FeedbackItem, event_kind: str, actor: User | None, at: dt.datetime, **data: Any
            ) -> FeedbackEvent:
    last = FeedbackEvent.objects.filter(item=item).aggregate(m=Max("seq"))["m"] or 0
    return FeedbackEvent.objects.create(item=item, seq=last + 1, kind=event_kind, actor=actor, at=at,
                                        data={k: v for k, v in data.items() if v not in (None, "")})


def submit(data: Submission, *, channel: str, user: User | None = None, api_client: ApiClient | None = None
           ) -> FeedbackItem:
    """Receive an item on any channel: check it, store its files, give it a code and its deadlines, record
    it in the register and send the receipt notice. Files are written before the row that names them commits
    and removed if the transaction does not."""
    if channel not in Channel.values:
        raise _invalid(_("Unknown channel."), "channel")
    _clean(data, channel, user)
    if channel in STAFF_CHANNELS and (user is None or data.agency is None or not may_enter(user, data.agency.pk)):
        raise PermissionDenied(_("Only the agency's desk, division heads and leaders enter feedback."))
    now = _now()
    received_at = now
    if data.received_at is not None and channel in STAFF_CHANNELS:
        if data.received_at > now:
            raise _invalid(_("The day it came cannot be in the future."), "received_at")
        received_at = data.received_at
    dossier = None
    if data.dossier_code:
        dossier = Dossier.objects.select_related("processing_unit", "receiving_unit").filter(
            code=data.dossier_code.strip()).first()
        if dossier is None:
            raise _invalid(_("No dossier has this code."), "dossier_code", "not_found")
        if channel == Channel.DOSSIER and (user is None or dossier.owner_id != user.pk):
            raise NotFound(_("No dossier has this code."))
        data.topic = Topic.CONDUCT
    agency = data.agency
    if agency is None and dossier is not None:
        unit = dossier.processing_unit or dossier.receiving_unit
        agency = unit.agency() if unit else None
    agency = agency or (api_client.agency if api_client else None) or default_agency()
    if agency.kind not in (UnitKind.AGENCY, UnitKind.SERVICE_CENTRE, UnitKind.COMMUNE, UnitKind.PROVINCE):
        agency = agency.agency() or agency
    procedure = None
    if data.procedure_code:
        procedure = Procedure.objects.filter(code=data.procedure_code.strip()).first()
        if procedure is None:
            raise _invalid(_("No procedure has this code."), "procedure_code", "not_found")
    elif dossier is not None:
        procedure = dossier.procedure
    field_obj = None
    if data.field_id:
        field_obj = Field.objects.filter(pk=data.field_id).first()
        if field_obj is None:
            raise _invalid(_("Unknown field."), "field")
    elif procedure is not None:
        field_obj = getattr(procedure, "field", None)
    files.check(data.uploads)
    folder = f"{FILES_ROOT}/{now:%Y/%m/%d}/{secrets.token_hex(6)}"
    stored: list[str] = []
    try:
        for upload in data.uploads:
            stored.append(files.store(upload, folder))
        with transaction.atomic():
            dues = deadlines.dues_from(received_at, agency.code)
            item = FeedbackItem.objects.create(
                code=_next_code(agency, received_at), agency=agency, topic=data.topic, kind=data.kind,
                channel=channel, field=field_obj, procedure=procedure, dossier=dossier, title=data.title,
                content=data.content, proposal=data.proposal, address_string=data.address_string,
                lat=data.lat, long=data.long, sender_name=data.name, sender_id_number=data.id_number,
                sender_phone=data.phone, sender_email=data.email, sender_address=data.address,
                sender_account=user if (user is not None and user.is_authenticated
                                        and channel in (Channel.WEB, Channel.DOSSIER)) else None,
                sender_language=data.language if data.language in ("vi", "en") else "vi",
                received_by=user if channel in STAFF_CHANNELS else None, api_client=api_client,
                received_at=received_at, reject_due=dues.reject, forward_due=dues.forward, info_due=dues.info,
                answer_due=dues.answer, secret=secrets.token_urlsafe(12)[:16])
            if dossier is not None:
                item.officers.set(_handlers_of(dossier))
            for upload, name in zip(data.uploads, stored, strict=True):
                FeedbackAttachment.objects.create(item=item, file=name, name=upload.safe_name,
                                                  content_type=files.CONTENT_TYPES[upload.kind], size=upload.size,
                                                  sha256=upload.sha256)
            _append(item, EventKind.RECEIVED, user if user and user.is_authenticated else None, now,
                    channel=channel, dossier=dossier.code if dossier else None)
            _notify(item, NOTICE_RECEIVED)
    except BaseException:
        files.discard(stored)
        raise
    return item


# --- notices -------------------------------------------------------------------------------------------------

# Backdated history (the demo, an import of an old register) must not notify anyone today.
_QUIET: contextvars.ContextVar[bool] = contextvars.ContextVar("feedback_quiet", default=False)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No notice leaves while inside: for history written after the fact (``feedback.demo``)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def tracking_url(item: FeedbackItem) -> str:
    return absolute(f"/phan-anh/tra-cuu/?ma={item.code}&khoa={item.secret}")


def _notify(item: FeedbackItem, key: str, **extra: Any) -> None:
    """The sender's notice on the channel they gave (e-mail, else SMS); nothing when they gave none."""
    if _QUIET.get() or not (item.sender_email or item.sender_phone):
        return
    recipient = notifications.Recipient(name=item.sender_name or _("Sender"), email=item.sender_email,
                                        phone=item.sender_phone, language=item.sender_language)
    context = {"recipient_name": item.sender_name, "feedback_code": item.code, "title": item.title,
               "agency_name": item.agency.name, "status": item.status,
               "status_label": str(Status(item.status).label),
               "received_at": item.received_at, "answer_due": item.answer_due, "lookup_url": tracking_url(item),
               "hotline": item.agency.hotline or item.agency.phone, "reason": item.reason,
               "forwarded_to": item.forwarded_to, "info_request": item.info_request, "answer": item.answer,
               **extra}
    notifications.notify(recipient, key, context, related_object=item, subject_ref=f"feedback:{item.code}",
                         sender=item.agency.name)


# --- acting on an item ---------------------------------------------------------------------------------------

def _lock(item: FeedbackItem | int) -> FeedbackItem:
    pk = item.pk if isinstance(item, FeedbackItem) else item
    return FeedbackItem.objects.select_for_update().select_related("agency").get(pk=pk)


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied(_("You may not do this on this item."))


def _status_in(item: FeedbackItem, allowed: Sequence[str]) -> None:
    if item.status not in allowed:
        raise Conflict(_("This cannot be done while the item is “%(status)s”.")
                       % {"status": Status(item.status).label}, code="wrong_status")


def _reason(text: str, field_name: str = "reason") -> str:
    text = nfc(text or "").strip()
    if len(text) < 5:
        raise _invalid(_("Give the reason."), field_name, "required")
    return text


def _unit_in(agency: OrgUnit, unit_id: int | None) -> OrgUnit | None:
    if unit_id is None:
        return None
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None or not unit.path.startswith(agency.path) or unit.pk == agency.pk:
        raise _invalid(_("Choose a division of the agency."), "division")
    return unit


def _officer_in(agency: OrgUnit, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    officer = User.objects.filter(pk=user_id, is_active=True).first()
    probe = FeedbackItem(agency=agency)
    if officer is None or not (Access(officer, probe).officer or Access(officer, probe).head):
        raise _invalid(_("Choose an officer of the agency who handles feedback."), "assignee")
    return officer


def classify(item: FeedbackItem, actor: User, *, topic: str | None = None, kind: str | None = None,
             field_id: int | None = None, division_id: int | None = None, assignee_id: int | None = None
             ) -> FeedbackItem:
    """Accept an item as within the agency's remit (Decree 20/2008 Art. 9) and route it."""
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).routes)
        _status_in(item, [Status.RECEIVED])
        if topic is not None:
            if topic not in Topic.values:
                raise _invalid(_("Choose what the feedback is about."), "topic")
            item.topic = topic
        if kind is not None:
            if kind not in Kind.values:
                raise _invalid(_("Choose feedback or petition."), "kind")
            item.kind = kind
        if field_id is not None:
            item.field = Field.objects.filter(pk=field_id).first()
            if item.field is None:
                raise _invalid(_("Unknown field."), "field")
        item.division = _unit_in(item.agency, division_id) or item.division
        item.assignee = _officer_in(item.agency, assignee_id) or item.assignee
        now = _now()
        item.status, item.classified_at = Status.HANDLING, now
        item.save()
        _append(item, EventKind.CLASSIFIED, actor, now, topic=item.topic, kind=item.kind,
                division=item.division.name if item.division else None,
                assignee=item.assignee.get_full_name() if item.assignee else None)
    return item


def assign(item: FeedbackItem, actor: User, *, division_id: int | None = None, assignee_id: int | None = None
           ) -> FeedbackItem:
    """Route (or reroute) an open item to a division and an officer."""
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).routes)
        _status_in(item, [Status.RECEIVED, Status.HANDLING, Status.INFO_REQUESTED])
        if division_id is None and assignee_id is None:
            raise _invalid(_("Choose a division or an officer."), "assignee", "required")
        item.division = _unit_in(item.agency, division_id) or item.division
        item.assignee = _officer_in(item.agency, assignee_id) or item.assignee
        item.save(update_fields=["division", "assignee"])
        _append(item, EventKind.ASSIGNED, actor, _now(), division=item.division.name if item.division else None,
                assignee=item.assignee.get_full_name() if item.assignee else None)
    return item


# What a forwarded copy keeps of the item: what the sender sent and how to reach them (the same tracking
# secret, so that the receipt they hold follows it); its agency, code, dates and handling are its own.
_FORWARDED_FIELDS = ("topic", "kind", "channel", "field", "procedure", "dossier", "title", "content", "proposal",
                     "address_string", "lat", "long", "sender_name", "sender_id_number", "sender_phone",
                     "sender_email", "sender_address", "sender_account", "sender_language", "secret")


def forward(item: FeedbackItem, actor: User, *, to_unit_id: int | None = None, to_name: str = "",
            reason: str = "") -> FeedbackItem:
    """Forward an item outside the agency's remit to the competent agency, within 5 working days of receipt
    (Decree 20/2008 Art. 9), and tell the sender. An agency on this system gets it as a new item of its own,
    linked to this one, whose limits run from the forwarding."""
    reason = _reason(reason)
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).routes)
        _status_in(item, [Status.RECEIVED, Status.HANDLING])
        target = None
        if to_unit_id is not None:
            target = OrgUnit.objects.filter(pk=to_unit_id).first()
            if target is None or target.pk == item.agency_id:
                raise _invalid(_("Choose another agency."), "to_unit")
            to_name = target.name
        to_name = nfc(to_name or "").strip()
        if not to_name:
            raise _invalid(_("Name the agency it is forwarded to."), "to_name", "required")
        now = _now()
        item.status, item.forwarded_at, item.forwarded_to, item.forwarded_unit, item.reason = (
            Status.FORWARDED, now, to_name, target, reason)
        item.classified_at = item.classified_at or now
        item.save()
        _append(item, EventKind.FORWARDED, actor, now, to=to_name, reason=reason)
        if target is not None:
            dues = deadlines.dues_from(now, target.code)
            copy = FeedbackItem.objects.create(
                **{name: getattr(item, name) for name in _FORWARDED_FIELDS}, code=_next_code(target, now),
                agency=target, forwarded_from=item, received_at=now, reject_due=dues.reject,
                forward_due=dues.forward, info_due=dues.info, answer_due=dues.answer)
            copy.officers.set(item.officers.all())
            for attachment in item.attachments.all():
                FeedbackAttachment.objects.create(item=copy, file=attachment.file.name, name=attachment.name,
                                                  content_type=attachment.content_type, size=attachment.size,
                                                  sha256=attachment.sha256)
            _append(copy, EventKind.RECEIVED, actor, now, channel="forwarded", forwarded_from=item.code)
        _notify(item, NOTICE_STATUS)
    return item


def reject(item: FeedbackItem, actor: User, *, reason: str) -> FeedbackItem:
    """Not accepted (invalid form or content; a complaint or a denunciation, which follow their own laws):
    rejected with the reason, within 2 working days (766 5.2)."""
    reason = _reason(reason)
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).routes)
        _status_in(item, [Status.RECEIVED, Status.HANDLING])
        now = _now()
        item.status, item.rejected_at, item.reason = Status.REJECTED, now, reason
        item.classified_at = item.classified_at or now
        item.save()
        _append(item, EventKind.REJECTED, actor, now, reason=reason)
        _notify(item, NOTICE_STATUS)
    return item


def merge(item: FeedbackItem, actor: User, *, into_code: str, reason: str = "") -> FeedbackItem:
    """A duplicate: merged into the earlier item of the same agency, the sender told where to follow it."""
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).routes)
        _status_in(item, [Status.RECEIVED, Status.HANDLING])
        into = FeedbackItem.objects.filter(code=(into_code or "").strip(), agency_id=item.agency_id).first()
        if into is None or into.pk == item.pk:
            raise _invalid(_("Give the code of another item of this agency."), "into_code", "not_found")
        if into.status == Status.MERGED:
            raise _invalid(_("That item was itself merged; give the item it was merged into."), "into_code")
        now = _now()
        item.status, item.merged_at, item.duplicate_of = Status.MERGED, now, into
        item.reason = nfc(reason or "").strip() or _("Same content as %(code)s.") % {"code": into.code}
        item.classified_at = item.classified_at or now
        item.save()
        _append(item, EventKind.MERGED, actor, now, into=into.code, reason=item.reason)
        # The earlier item's public status by its code, never its tracking secret: that is another sender's key
        # to their own data and to reacting or following up in their name.
        _notify(item, NOTICE_STATUS, merged_into=into.code, merged_url=absolute(f"/phan-anh/tra-cuu/?ma={into.code}"))
    return item


def request_info(item: FeedbackItem, actor: User, *, message: str) -> FeedbackItem:
    """Ask the sender for more information; the first request is due within 5 working days (766 5.2)."""
    message = _reason(message, "message")
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).drafts)
        _status_in(item, [Status.HANDLING])
        if not (item.sender_email or item.sender_phone or item.sender_account_id):
            raise Conflict(_("The sender left no contact: they cannot be asked."), code="no_contact")
        now = _now()
        item.status, item.info_request = Status.INFO_REQUESTED, message
        item.info_requested_at = item.info_requested_at or now
        item.save()
        _append(item, EventKind.INFO_REQUESTED, actor, now, message=message)
        _notify(item, NOTICE_STATUS)
    return item


def provide_info(item: FeedbackItem, *, secret: str = "", user: User | None = None, text: str,
                 uploads: list[files.Upload] | None = None) -> FeedbackItem:
    """The sender answers a request for more information (from the tracking page, with the receipt's secret,
    or as the account that sent it)."""
    text = nfc(text or "").strip()
    if len(text) < 2 and not uploads:
        raise _invalid(_("Write the information asked for, or attach it."), "text", "required")
    uploads = uploads or []
    if len(uploads) > MAX_FILES:
        raise _invalid(_("Attach at most %(n)s files.") % {"n": MAX_FILES}, "files")
    files.check(uploads)
    folder = f"{FILES_ROOT}/{_now():%Y/%m/%d}/{secrets.token_hex(6)}"
    stored: list[str] = []
    try:
        for upload in uploads:
            stored.append(files.store(upload, folder))
        with transaction.atomic():
            item = _lock(item)
            if not is_sender(item, secret, user):
                raise NotFound(_("No feedback has this code."))
            _status_in(item, [Status.INFO_REQUESTED])
            now = _now()
            item.status, item.info_received_at = Status.HANDLING, now
            item.save(update_fields=["status", "info_received_at"])
            for upload, name in zip(uploads, stored, strict=True):
                FeedbackAttachment.objects.create(item=item, file=name, name=upload.safe_name,
                                                  content_type=files.CONTENT_TYPES[upload.kind], size=upload.size,
                                                  sha256=upload.sha256)
            _append(item, EventKind.INFO_RECEIVED, None, now, text=text, files=len(uploads))
    except BaseException:
        files.discard(stored)
        raise
    return item


def extend(item: FeedbackItem, actor: User, *, reason: str) -> FeedbackItem:
    """The one extension, with its reason, decided by the leader: the agency's answer date moves by
    ``limits()['extension']`` working days; the item counts as prolonged (Circular 01/2018 indicator 8)."""
    reason = _reason(reason)
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).leader)
        _status_in(item, [Status.HANDLING, Status.INFO_REQUESTED, Status.ANSWER_DRAFTED, Status.ANSWER_REVIEWED])
        if item.extended_at is not None:
            raise Conflict(_("The time limit was already extended once."), code="already_extended")
        now = _now()
        item.original_answer_due = item.answer_due
        item.answer_due = deadlines.due(item.answer_due, deadlines.limits()["extension"], item.agency.code).due_at
        item.extended_at, item.extension_reason = now, reason
        item.save()
        _append(item, EventKind.EXTENDED, actor, now, reason=reason, new_due=item.answer_due.isoformat())
        _notify(item, NOTICE_STATUS, extended=True)
    return item


def _check_review(review: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Decree 20/2008 Art. 14: the regulation reviewed against each of the six criteria, item by item."""
    review = review or {}
    out: dict[str, dict[str, Any]] = {}
    for criterion in Criterion:
        entry = review.get(criterion.value) or {}
        verdict = entry.get("verdict") if isinstance(entry, dict) else None
        if verdict not in ("met", "not_met", "not_applicable"):
            raise DomainError(_("Record the review against “%(c)s”: met, not met or not applicable.")
                              % {"c": criterion.label}, code="review_incomplete",
                              details={"field": f"review.{criterion.value}"})
        out[criterion.value] = {"verdict": verdict, "note": nfc(str(entry.get("note") or "")).strip()[:2000]}
    return out


def draft_answer(item: FeedbackItem, actor: User, *, answer: str, review: dict[str, Any] | None = None
                 ) -> FeedbackItem:
    answer = nfc(answer or "").strip()
    if len(answer) < 20:
        raise _invalid(_("Write the answer (at least a sentence)."), "answer", "required")
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).drafts)
        _status_in(item, [Status.HANDLING, Status.ANSWER_DRAFTED])
        if item.topic == Topic.REGULATION:
            item.review = _check_review(review)
        item.answer, item.drafted_by, item.status = answer, actor, Status.ANSWER_DRAFTED
        item.save()
        _append(item, EventKind.DRAFTED, actor, _now())
    return item


def review_answer(item: FeedbackItem, actor: User, *, accept: bool, note: str = "") -> FeedbackItem:
    """The division head passes the draft on to the leader, or sends it back with a note."""
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).head)
        _status_in(item, [Status.ANSWER_DRAFTED])
        now = _now()
        if accept:
            item.status, item.reviewed_by, item.reviewed_at = Status.ANSWER_REVIEWED, actor, now
            item.save()
            _append(item, EventKind.REVIEWED, actor, now, note=nfc(note or "").strip())
        else:
            note = _reason(note, "note")
            item.status = Status.HANDLING
            item.save(update_fields=["status"])
            _append(item, EventKind.RETURNED, actor, now, note=note)
    return item


def known_personal_data(item: FeedbackItem) -> dict[str, str]:
    return {"name": item.sender_name, "id_number": item.sender_id_number, "phone": item.sender_phone,
            "email": item.sender_email, "address": item.sender_address}


def approve_answer(item: FeedbackItem, actor: User, *, accept: bool = True, note: str = "") -> FeedbackItem:
    """The leader approves the answer (the national system's "waiting for publication"; publication is due
    within 2 working days) and it goes to the sender on their channel; or sends it back. The texts to publish
    are proposed with personal data masked, for the approver to check before publishing."""
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).leader)
        _status_in(item, [Status.ANSWER_REVIEWED])
        now = _now()
        if not accept:
            note = _reason(note, "note")
            item.status = Status.HANDLING
            item.save(update_fields=["status"])
            _append(item, EventKind.RETURNED, actor, now, note=note)
            return item
        known = known_personal_data(item)
        item.public_title = redaction.propose(item.title, known)[0]
        item.public_content = redaction.propose(item.content, known)[0]
        item.public_answer = redaction.propose(item.answer, known)[0]
        item.status, item.approved_at, item.approved_by = Status.APPROVED, now, actor
        item.publish_due = deadlines.publish_due(now, item.agency.code)
        item.save()
        _append(item, EventKind.APPROVED, actor, now)
        if item.sender_email or item.sender_phone:
            _notify(item, NOTICE_ANSWERED)
            _append(item, EventKind.SENT, actor, now, channel="email" if item.sender_email else "sms")
    return item


def edit_publication(item: FeedbackItem, actor: User, *, title: str, content: str, answer: str) -> FeedbackItem:
    """The approver edits the texts to publish (the redaction step) before publishing."""
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).leader)
        _status_in(item, [Status.APPROVED, Status.PUBLISHED])
        item.public_title = nfc(title or "").strip()[:MAX_TITLE]
        item.public_content = nfc(content or "").strip()
        item.public_answer = nfc(answer or "").strip()
        if not (item.public_title and item.public_answer):
            raise _invalid(_("The published title and answer may not be empty."), "public_answer", "required")
        _refuse_leaks(item)
        item.public_folded = fold_vi(" ".join([item.public_title, item.public_content, item.public_answer]))
        item.save()
    return item


def _refuse_leaks(item: FeedbackItem) -> None:
    found = [f for text in (item.public_title, item.public_content, item.public_answer)
             for f in redaction.leaks(text, known_personal_data(item))]
    if found:
        raise DomainError(_("The texts to publish still hold personal data: %(items)s. Mask it first.")
                          % {"items": ", ".join(sorted({f.text for f in found}))[:300]},
                          code="personal_data", details={"found": [f.kind for f in found]})


def publish(item: FeedbackItem, actor: User, *, channels: str = "") -> FeedbackItem:
    """Publish the approved answer on the agency's public page (Decree 20/2008 Art. 19), never with personal
    data in it. A conduct item is answered to its sender only and is not published."""
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).leader)
        _status_in(item, [Status.APPROVED])
        now = _now()
        if item.topic == Topic.REGULATION:
            _refuse_leaks(item)
            item.public_folded = fold_vi(" ".join([item.public_title, item.public_content, item.public_answer]))
            item.publication_channels = nfc(channels or "").strip()[:200] or _("the agency's website")
        else:
            item.publication_channels = _("letter to the sender")
        item.status, item.published_at = Status.PUBLISHED, now
        item.save()
        _append(item, EventKind.PUBLISHED, actor, now, channels=item.publication_channels)
    return item


def is_public(item: FeedbackItem) -> bool:
    return item.status == Status.PUBLISHED and not item.hidden and item.topic == Topic.REGULATION


def react(item: FeedbackItem, *, reaction: str, secret: str = "", user: User | None = None) -> FeedbackItem:
    """The sender says whether the answer satisfied them (766 indicator 5.3), once."""
    if reaction not in Reaction.values:
        raise _invalid(_("Say whether the answer satisfied you."), "reaction")
    with transaction.atomic():
        item = _lock(item)
        if not is_sender(item, secret, user):
            raise NotFound(_("No feedback has this code."))
        if item.status not in (Status.APPROVED, Status.PUBLISHED):
            raise Conflict(_("There is no answer to react to yet."), code="wrong_status")
        if item.reaction:
            raise Conflict(_("You already said what you think of this answer."), code="already_reacted")
        now = _now()
        item.reaction, item.reacted_at = reaction, now
        item.save(update_fields=["reaction", "reacted_at"])
        _append(item, EventKind.REACTED, None, now, reaction=reaction)
    return item


def follow_up(item: FeedbackItem, *, content: str, secret: str = "", user: User | None = None) -> FeedbackItem:
    """A further complaint about the answer: a new item linked to this one (the history of this one is never
    edited); it counts against 766 indicator 5.3 for the first."""
    with transaction.atomic():
        first = _lock(item)
        if not is_sender(first, secret, user):
            raise NotFound(_("No feedback has this code."))
        if first.status not in (Status.APPROVED, Status.PUBLISHED):
            raise Conflict(_("There is no answer to follow up yet."), code="wrong_status")
        data = Submission(title=_("Follow-up of %(code)s") % {"code": first.code}, content=content,
                          agency=first.agency, topic=first.topic, kind=Kind.FEEDBACK,
                          field_id=first.field_id, name=first.sender_name, phone=first.sender_phone,
                          email=first.sender_email, address=first.sender_address, id_number=first.sender_id_number,
                          language=first.sender_language,
                          dossier_code=first.dossier.code if first.dossier and first.dossier.code else "")
        new = submit(data, channel=first.channel if first.channel in (Channel.WEB, Channel.API, Channel.OPEN311)
                     else Channel.WEB, user=user if user and user.is_authenticated else None)
        new.follow_up_of = first
        new.save(update_fields=["follow_up_of"])
        _append(first, EventKind.FOLLOWED_UP, None, _now(), follow_up=new.code)
    return new


def mark_spam(item: FeedbackItem, actor: User, *, spam: bool = True, reason: str = "") -> FeedbackItem:
    """Hide an item from every public page and list, without deleting it; undone the same way."""
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).routes or Access(actor, item).leader)
        if item.hidden == spam:
            raise Conflict(_("The item is already so marked."), code="unchanged")
        item.hidden = spam
        item.save(update_fields=["hidden"])
        _append(item, EventKind.SPAM if spam else EventKind.UNSPAM, actor, _now(), reason=nfc(reason).strip())
    return item


def decide_finding(item: FeedbackItem, actor: User, *, finding: str, note: str) -> FeedbackItem:
    """The leader's decision on an item about how an officer carried out a procedure: a substantiated one
    counts against the officers concerned on Circular 01/2018 indicator 7 of the dossier."""
    note = _reason(note, "note")
    if finding not in Finding.values:
        raise _invalid(_("Say whether the feedback is substantiated."), "finding")
    with transaction.atomic():
        item = _lock(item)
        _require(Access(actor, item).leader)
        if item.topic != Topic.CONDUCT:
            raise Conflict(_("Only feedback about how a procedure was carried out has a finding."),
                           code="wrong_topic")
        _status_in(item, [s for s in Status.values if s not in (Status.RECEIVED, Status.REJECTED,
                                                               Status.MERGED, Status.FORWARDED)])
        now = _now()
        item.finding, item.finding_note, item.finding_at, item.finding_by = finding, note, now, actor
        item.save(update_fields=["finding", "finding_note", "finding_at", "finding_by"])
        _append(item, EventKind.FINDING, actor, now, finding=finding, note=note)
    return item


def flag_late(now: dt.datetime | None = None) -> int:
    """The periodic check: every open item past a limit is flagged once, and the agency's leaders told."""
    now = now or _now()
    count = 0
    candidates = FeedbackItem.objects.filter(status__in=OPEN_STATUSES, late_flagged_at__isnull=True)
    for pk in candidates.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            item = _lock(pk)
            if item.late_flagged_at is not None or item.status in CLOSED_STATUSES:
                continue
            late = [c for c in deadlines.work_steps(item, now) if c.met is False]
            if not late:
                continue
            item.late_flagged_at = now
            item.save(update_fields=["late_flagged_at"])
            _append(item, EventKind.LATE_FLAGGED, None, now, steps=[c.step for c in late])
            _tell_leaders(item)
            count += 1
    return count


def _tell_leaders(item: FeedbackItem) -> None:
    from motcua.accounts.choices import Role
    from motcua.accounts.models import RoleAssignment

    if _QUIET.get():
        return
    leaders = User.objects.filter(pk__in=RoleAssignment.objects.filter(
        role=Role.AGENCY_LEADER, unit__path__startswith=item.agency.path).values("user_id"), is_active=True)
    watchers = list(leaders)
    if item.assignee is not None:
        watchers.append(item.assignee)
    for user in {u.pk: u for u in watchers}.values():
        notifications.notify(notifications.Recipient.from_user(user), NOTICE_LATE,
                             {"recipient_name": user.get_full_name(), "feedback_code": item.code,
                              "title": item.title, "answer_due": item.answer_due,
                              "item_url": absolute(f"/phan-anh/can-bo/{item.code}/")},
                             related_object=item, subject_ref=f"feedback:{item.code}")


# --- Open311 clients -----------------------------------------------------------------------------------------

def issue_api_key(actor: User | None, *, name: str, agency: OrgUnit) -> tuple[ApiClient, str]:
    """A new Open311 client; the key is returned once and stored as its SHA-256. ``actor`` None: the operator's
    console command (``motcua feedback issue-key``), trusted like ``createtoken`` as it already holds the
    database."""
    import hashlib

    from motcua.accounts.permissions import Capability, has_capability

    if actor is not None and not has_capability(actor, Capability.ADMINISTER):
        raise PermissionDenied(_("Only an administrator issues API keys."))
    name = nfc(name or "").strip()
    if not name:
        raise _invalid(_("Name the client."), "name", "required")
    prefix = secrets.token_hex(4)
    key = f"{prefix}.{secrets.token_urlsafe(24)}"
    client = ApiClient.objects.create(name=name, prefix=prefix, digest=hashlib.sha256(key.encode()).hexdigest(),
                                      agency=agency, created_by=actor)
    return client, key


def revoke_api_key(actor: User | None, client: ApiClient) -> None:
    """Revoke a client's key at once (``actor`` None: the operator's console command)."""
    from motcua.accounts.permissions import Capability, has_capability

    if actor is not None and not has_capability(actor, Capability.ADMINISTER):
        raise PermissionDenied(_("Only an administrator revokes API keys."))
    if client.revoked_at is None:
        client.revoked_at = _now()
        client.save(update_fields=["revoked_at"])
