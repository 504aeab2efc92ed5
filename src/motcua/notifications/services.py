"""Every write of the notifications app: create a message, deliver it with fallback and retries, record
receipts, version templates.

``notify()`` is what other apps call. It never raises and never blocks: the officer's action must go
through even when every provider is down (the notice is then retried, and its failure is recorded as
evidence). Decree 224/2026 Art. 15 asks for status notices in real time, so delivery is enqueued as soon as
the caller's transaction commits, not batched.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from . import conf, defaults, selectors, tasks
from .channels import DeliveryResult, OutgoingMessage, Receipt, get_channel
from .channels.base import DELIVERED
from .choices import AttemptStatus, ChannelKind, MessageStatus
from .models import DeliveryAttempt, Message, MessageTemplate
from .rendering import RenderError, render

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Who gets a notice and how they can be reached. ``preferred`` is the channel order they chose."""

    name: str = ""
    email: str = ""
    phone: str = ""
    zalo_id: str = ""
    language: str = "vi"
    preferred: tuple[str, ...] = field(default_factory=tuple)

    def address(self, kind: str) -> str:
        return {ChannelKind.EMAIL: self.email, ChannelKind.SMS: self.phone, ChannelKind.ZALO: self.zalo_id}.get(
            ChannelKind(kind), "") if kind in ChannelKind.values else ""

    @classmethod
    def from_user(cls, user: Any, preferred: tuple[str, ...] = ()) -> Recipient:
        return cls(name=user.get_full_name() or user.get_username(), email=user.email or "",
                   phone=getattr(user, "phone", "") or "", language=getattr(user, "preferred_language", "vi"),
                   preferred=preferred)


# --- creating a message ------------------------------------------------------------------------------------

def send_guarded(prepare: Callable[[], None], what: str) -> None:
    """Run ``prepare`` (which makes notices) inside the caller's transaction, so the notices are kept if and
    only if the caller's change is, but in a savepoint, and never raise: a notice problem must not block an
    officer's action or undo it; it is logged with ``what``."""
    try:
        with transaction.atomic():
            prepare()
    except Exception:
        log.exception("%s could not be prepared", what)


def notify(recipient: Recipient, key: str, context: dict[str, Any], *, preferred: list[str] | None = None,
           language: str | None = None, related_object: models.Model | None = None,
           subject_ref: str = "", sender: str = "") -> Message | None:
    """Render the notice ``key`` for ``recipient`` and deliver it after the current transaction commits.

    ``language`` defaults to the recipient's; ``preferred`` (else ``recipient.preferred``) is tried first,
    then the other configured channels. ``subject_ref`` (e.g. ``"dossier:<code>"``) or ``related_object``
    ties the message to what it is about, as evidence; ``sender`` names the agency it is from (the e-mail's
    From name). Returns the message, or None if even recording it
    failed (logged; never raised).
    """
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the caller's transaction usable
            message = _create_message(recipient, key, context, preferred, language or recipient.language,
                                      related_object, subject_ref, sender)
    except Exception:
        log.exception("notification %s could not be recorded", key)
        return None
    if message.status == MessageStatus.QUEUED:
        transaction.on_commit(partial(enqueue_delivery, message.pk))
    return message


def _plan(recipient: Recipient, preferred: list[str] | None) -> list[str]:
    configured = list(conf.channels())
    order = [*(preferred or recipient.preferred), *conf.fallback_order(), *configured]
    plan: list[str] = []
    for kind in order:
        if kind in configured and kind not in plan and recipient.address(kind):
            plan.append(kind)
    return plan


def _render_for(key: str, language: str, channel: str, context: dict[str, Any]) -> dict[str, Any] | None:
    """The first template that renders, in ``language`` then the default language; None if none does."""
    for lang in dict.fromkeys([language, settings.LANGUAGE_CODE]):
        for template in selectors.template_candidates(key, lang, channel):
            try:
                rendered = render(template.subject, template.body, context, lang)
            except RenderError as exc:
                log.error("template %s does not render: %s", template, exc)
                continue
            return {"template_id": template.pk, "template_version": template.version, "language": lang,
                    "subject": rendered.subject, "body": rendered.body}
    return None


def _subject_of(related_object: models.Model | None, subject_ref: str) -> tuple[ContentType | None, str, str]:
    if related_object is None:
        return None, "", subject_ref
    content_type = ContentType.objects.get_for_model(related_object)
    ref = subject_ref or getattr(related_object, "notification_subject_ref", "") or (
        f"{content_type.app_label}.{content_type.model}:{related_object.pk}")
    return content_type, str(related_object.pk), ref


def _create_message(recipient: Recipient, key: str, context: dict[str, Any], preferred: list[str] | None,
                    language: str, related_object: models.Model | None, subject_ref: str, sender: str = ""
                    ) -> Message:
    now = timezone.now()
    renderings: dict[str, dict[str, Any]] = {}
    for kind in _plan(recipient, preferred):
        rendering = _render_for(key, language, kind, context)
        if rendering is not None:
            renderings[kind] = rendering
    plan = list(renderings)
    content_type, object_id, ref = _subject_of(related_object, subject_ref)
    message = Message(key=key, language=language, recipient_name=recipient.name, sender_name=sender, plan=plan,
                      addresses={kind: recipient.address(kind) for kind in plan}, renderings=renderings,
                      subject_ref=ref, content_type=content_type, object_id=object_id, created_at=now)
    if plan:
        primary = renderings[plan[0]]
        message.subject, message.body = primary["subject"], primary["body"]
        message.template_id, message.template_version = primary["template_id"], primary["template_version"]
        message.next_attempt_at = now
    else:
        message.status = MessageStatus.FAILED
        message.failed_at = now
        message.error = "no channel: the recipient has no address on a configured channel with a usable template"
        log.warning("notification %s for %s: %s", key, ref or "-", message.error)
    message.save()
    return message


def enqueue_delivery(message_id: int, run_after: dt.datetime | None = None) -> None:
    """Hand the message to the task backend. If that fails the message stays due and the retry command
    (cron) picks it up: nothing is lost and the caller sees nothing."""
    try:
        task = tasks.deliver_message
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return  # the retry command will pick it up when due
            task = task.using(run_after=run_after)
        task.enqueue(message_id)
    except Exception:
        log.exception("message %s: delivery could not be enqueued; the retry command will pick it up", message_id)


# --- delivering ------------------------------------------------------------------------------------------

def deliver(message_id: int) -> str | None:
    """Try the message's current channel; on a permanent failure fall back to the next at once; on a transient
    one schedule a retry. Idempotent: a message that is sent, failed, not due or being sent by another
    worker is left alone, so running this twice never sends twice. Returns the message's status."""
    while True:
        claimed = _claim(message_id)
        if claimed is None:
            return Message.objects.filter(pk=message_id).values_list("status", flat=True).first()
        attempt, outgoing = claimed
        result = _send(outgoing)
        if not _record_result(attempt.pk, result):
            return Message.objects.filter(pk=message_id).values_list("status", flat=True).first()


def _claim(message_id: int) -> tuple[DeliveryAttempt, OutgoingMessage] | None:
    """Take a short lease on a due message and open an attempt, in one short transaction; the provider is
    called after it commits so no database lock is held over the network."""
    policy = conf.retry_policy()
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != MessageStatus.QUEUED:
            return None
        now = timezone.now()
        if message.next_attempt_at is None or message.next_attempt_at > now:
            return None
        _close_interrupted(message, now)
        kind = message.current_channel()
        if kind is None:
            _fail(message, now, message.error or "no channel left")
            return None
        content = message.content_for(kind)
        attempt = DeliveryAttempt.objects.create(
            message=message, number=message.attempts.count() + 1, channel=kind,
            address=message.addresses.get(kind, ""), template_version=content.get("template_version"),
            queued_at=now)
        message.next_attempt_at = now + dt.timedelta(seconds=policy["LEASE_SECONDS"])
        message.save(update_fields=["next_attempt_at"])
    outgoing = OutgoingMessage(message_id=message.pk, channel=kind, to=attempt.address,
                               recipient_name=message.recipient_name, subject=content.get("subject", ""),
                               body=content.get("body", ""), language=content.get("language", message.language),
                               key=message.key, sender_name=message.sender_name)
    return attempt, outgoing


def _close_interrupted(message: Message, now: dt.datetime) -> None:
    # A worker died between claiming and recording: the outcome is unknown. Record it and try again.
    message.attempts.filter(status=AttemptStatus.QUEUED).update(
        status=AttemptStatus.FAILED, retryable=True, failed_at=now, error="interrupted: outcome unknown")


def _send(outgoing: OutgoingMessage) -> DeliveryResult:
    channel = get_channel(outgoing.channel)
    if channel is None:
        return DeliveryResult.permanent(f"channel {outgoing.channel} is not configured")
    try:
        result = channel.send(outgoing)
    except Exception as exc:  # an adapter bug or an unforeseen provider error: assume it may pass
        log.exception("channel %s raised", outgoing.channel)
        return DeliveryResult.transient(f"{type(exc).__name__}: {exc}")
    if not isinstance(result, DeliveryResult):
        return DeliveryResult.transient(f"channel {outgoing.channel} answered {result!r}")
    return result


def backoff(tries: int) -> dt.timedelta:
    policy = conf.retry_policy()
    seconds = min(policy["BACKOFF_SECONDS"] * 2 ** max(tries - 1, 0), policy["MAX_BACKOFF_SECONDS"])
    return dt.timedelta(seconds=seconds)


def _record_result(attempt_id: int, result: DeliveryResult) -> bool:
    """Store the provider's answer. Returns True when the next channel should be tried right away."""
    with transaction.atomic():
        attempt = DeliveryAttempt.objects.select_for_update().select_related("message").get(pk=attempt_id)
        if attempt.status != AttemptStatus.QUEUED:
            return False
        message = Message.objects.select_for_update().get(pk=attempt.message_id)
        now = timezone.now()
        attempt.provider_id = result.provider_id[:200]
        attempt.provider_response = result.provider_response
        attempt.error = result.error
        attempt.retryable = result.retryable
        if result.ok:
            _mark_attempt_ok(attempt, message, result.status, now)
            return False
        attempt.status = AttemptStatus.FAILED
        attempt.failed_at = now
        attempt.save()
        message.error = f"{attempt.channel}: {result.error}"
        tries = message.attempts.filter(channel=attempt.channel).count()
        if result.retryable and tries < conf.retry_policy()["MAX_ATTEMPTS"]:
            message.next_attempt_at = now + backoff(tries)
            message.save(update_fields=["next_attempt_at", "error"])
            transaction.on_commit(partial(enqueue_delivery, message.pk, message.next_attempt_at))
            return False
        return _fall_back(message, now)


def _mark_attempt_ok(attempt: DeliveryAttempt, message: Message, status: str, now: dt.datetime) -> None:
    attempt.status = AttemptStatus.DELIVERED if status == DELIVERED else AttemptStatus.SENT
    attempt.sent_at = now
    attempt.delivered_at = now if status == DELIVERED else None
    attempt.save()
    message.status = MessageStatus.DELIVERED if status == DELIVERED else MessageStatus.SENT
    message.channel = attempt.channel
    message.sent_at = now
    message.delivered_at = attempt.delivered_at
    message.next_attempt_at = None
    message.error = ""
    message.save()


def _fall_back(message: Message, now: dt.datetime) -> bool:
    message.channel_index += 1
    if message.current_channel() is None:
        _fail(message, now, message.error)
        return False
    message.status = MessageStatus.QUEUED
    message.channel = ""
    message.next_attempt_at = now
    message.save()
    return True


def _fail(message: Message, now: dt.datetime, error: str) -> None:
    message.status = MessageStatus.FAILED
    message.failed_at = now
    message.next_attempt_at = None
    message.error = error
    message.save()
    log.warning("message %s (%s, %s) could not be delivered: %s", message.pk, message.key,
                message.subject_ref or "-", error)


def retry_due(limit: int = 500, inline: bool = False) -> int:
    """Deliver (or enqueue) every message whose next try is due. Run from cron by
    ``motcua notifications retry``. Returns how many messages were handled."""
    ids = selectors.due_message_ids(limit=limit)
    for message_id in ids:
        if inline:
            try:
                deliver(message_id)
            except Exception:
                log.exception("message %s: delivery failed", message_id)
        else:
            enqueue_delivery(message_id)
    return len(ids)


# --- delivery receipts -----------------------------------------------------------------------------------

def forget_bodies(before: dt.datetime, *, dry_run: bool = False, batch: int = 500) -> int:
    """Blank the text (subject and body, of every channel's rendering) of the notices sent or delivered before
    ``before``, keeping the delivery record: who it was for, the key, the subject reference, the status, the
    times and the attempts (``motcua portal retention``; the period is an operating choice, docs/security.md).
    A queued or failed notice keeps its text: it may still be sent or looked into. Idempotent (a blanked
    notice is not counted again); returns how many were (or, with ``dry_run``, would be) blanked."""
    stale = Message.objects.filter(status__in=(MessageStatus.SENT, MessageStatus.DELIVERED),
                                   created_at__lt=before).exclude(body="", subject="", renderings={})
    if dry_run:
        return stale.count()
    done = 0
    while ids := list(stale.order_by("pk").values_list("pk", flat=True)[:batch]):
        done += Message.objects.filter(pk__in=ids).update(body="", subject="", renderings={})
    return done


def forget_subject(refs: list[str], content_type: ContentType | None = None, object_id: str = "") -> int:
    """Blank the text, the recipient's name and addresses of every notice whose subject is one of ``refs`` (or the
    object ``content_type``/``object_id``), once it is no longer waiting to be sent: the subject's personal data
    was removed at the end of its retention period (``dossiers.services.anonymise_dossier``, through the
    portal's handler of its event). The delivery record (key, subject, status, times, attempts) stays.
    Idempotent; returns how many notices were blanked."""
    about = Q(subject_ref__in=refs)
    if content_type is not None and object_id:
        about |= Q(content_type=content_type, object_id=object_id)
    stale = (Message.objects.filter(about).exclude(status=MessageStatus.QUEUED)
             .exclude(body="", subject="", renderings={}, recipient_name="", addresses={}))
    return stale.update(body="", subject="", renderings={}, recipient_name="", addresses={})


def record_receipt(kind: str, receipt: Receipt) -> bool:
    """Apply a provider's later report. A delivery confirms the message; a failure of a message that was
    only "sent" falls back to the next channel. Idempotent. Returns False for an unknown provider id."""
    found = selectors.attempt_by_provider_id(kind, receipt.provider_id)
    if found is None:
        return False
    fall_back = False
    with transaction.atomic():
        attempt = DeliveryAttempt.objects.select_for_update().get(pk=found.pk)
        message = Message.objects.select_for_update().get(pk=attempt.message_id)
        now = timezone.now()
        receipts = list(attempt.provider_response.get("receipts", [])) if attempt.provider_response else []
        receipts.append({"status": receipt.status, "at": now.isoformat(), **receipt.detail})
        attempt.provider_response = {**(attempt.provider_response or {}), "receipts": receipts[-20:]}
        is_current = message.channel == kind and message.status in (MessageStatus.SENT, MessageStatus.DELIVERED)
        if receipt.status == DELIVERED and attempt.status in (AttemptStatus.SENT, AttemptStatus.QUEUED):
            attempt.status, attempt.delivered_at = AttemptStatus.DELIVERED, now
            if is_current:
                message.status, message.delivered_at = MessageStatus.DELIVERED, now
                message.save(update_fields=["status", "delivered_at"])
        elif receipt.status != DELIVERED and attempt.status == AttemptStatus.SENT:
            attempt.status, attempt.failed_at = AttemptStatus.FAILED, now
            attempt.error = "the provider reported the delivery failed"
            if is_current and message.status == MessageStatus.SENT:
                message.error = f"{kind}: {attempt.error}"
                fall_back = _fall_back(message, now)
        attempt.save()
        if fall_back:
            transaction.on_commit(partial(enqueue_delivery, message.pk))
    return True


# --- templates -------------------------------------------------------------------------------------------

CONTENT_FIELDS = ("key", "language", "channel", "subject", "body")


def save_template(template: MessageTemplate, user: Any = None, changed: list[str] | None = None
                  ) -> MessageTemplate:
    """Save an edit. A change to the text of a template is a new version (the old one stays for the
    messages that used it); only the active flag, dates and note are changed in place."""
    content_changed = template.pk is None or any(name in CONTENT_FIELDS for name in (changed or []))
    with transaction.atomic():
        if content_changed:
            template.pk = None
            template._state.adding = True
            template.version = selectors.next_template_version(template.key, template.language, template.channel)
            template.created_by = user if getattr(user, "is_authenticated", False) else None
        template.save()
    return template


def seed_default_templates(stdout: Any = None) -> int:
    """Create version 1 of every default template that has no version yet, and a new version with the current
    default text of every template whose newest version still has an earlier default text
    (``defaults.SUPERSEDED``): it was never edited, so it follows the defaults. Idempotent: an edited
    template is never overwritten. Run by ``motcua notifications seed`` (and on every upgrade, docs)."""
    created = updated = 0
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    for key, language, channel, subject, body in defaults.TEMPLATES:
        latest = (MessageTemplate.objects.filter(key=key, language=language, channel=channel)
                  .order_by("-version").first())
        if latest is None:
            MessageTemplate.objects.create(key=key, language=language, channel=channel, version=1,
                                           subject=subject, body=body, valid_from=epoch, note="default text")
            created += 1
        elif (latest.subject, latest.body) in defaults.SUPERSEDED.get((key, language, channel), []):
            MessageTemplate.objects.create(
                key=key, language=language, channel=channel, version=latest.version + 1, subject=subject,
                body=body, valid_from=timezone.now(), is_active=latest.is_active, note="default text")
            updated += 1
    if stdout is not None:
        stdout.write(f"Notification templates: {created} created, {updated} updated to the new default text.\n")
    return created
