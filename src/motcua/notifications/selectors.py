"""Reads of the notifications app: which template applies, what is due, the evidence for a subject."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from motcua.accounts.models import OrgUnit, RoleAssignment, User
from motcua.dossiers import selectors as dossier_selectors

from .choices import MessageStatus, TemplateChannel
from .models import DeliveryAttempt, Message, MessageTemplate


def template_candidates(key: str, language: str, channel: str, at: dt.datetime | None = None
                        ) -> QuerySet[MessageTemplate]:
    """Active templates for ``key`` in force at ``at``, best first: the channel's own template before the
    ``any`` one, then the newest version."""
    moment = at or timezone.now()
    return (
        MessageTemplate.objects.filter(key=key, language=language, is_active=True, valid_from__lte=moment,
                                       channel__in=[channel, TemplateChannel.ANY])
        .annotate(channel_rank=Case(When(channel=channel, then=Value(0)), default=Value(1),
                                    output_field=IntegerField()))
        .order_by("channel_rank", "-version")
    )


def next_template_version(key: str, language: str, channel: str) -> int:
    latest = (MessageTemplate.objects.filter(key=key, language=language, channel=channel)
              .order_by("-version").values_list("version", flat=True).first())
    return (latest or 0) + 1


def due_message_ids(now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Queued messages whose next try is due: transient failures after their backoff, and messages whose
    worker died (lease expired) or whose task was never enqueued."""
    moment = now or timezone.now()
    return list(
        Message.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=moment)
        .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit]
    )


def messages_for(subject_ref: str) -> QuerySet[Message]:
    """The notices about ``subject_ref`` (e.g. ``dossier:<code>``), newest first, with their attempts."""
    return (
        Message.objects.filter(subject_ref=subject_ref)
        .prefetch_related(Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("number")))
        .order_by("-created_at", "-id")
    )


def attempt_by_provider_id(channel: str, provider_id: str) -> DeliveryAttempt | None:
    return (DeliveryAttempt.objects.filter(channel=channel, provider_id=provider_id)
            .select_related("message").order_by("-id").first())


# Who may read the notices about a subject, by the subject's prefix ("dossier" for "dossier:<code>"): the
# notices of a dossier carry its applicant's name, the time of receipt and the promised date, so they are read
# exactly by those who may read the dossier (``dossiers.selectors.visible``: this app sits above dossiers in
# the layers and may ask it). Another app registers its own subjects with ``register_subject_access``; a
# subject nobody registered is read by no one through the API.
SubjectAccessCheck = Callable[[User, str], bool]


def _dossier_reader(user: User, subject_ref: str) -> bool:
    code = subject_ref.split(":", 1)[1]
    if not code or not user.is_authenticated:
        return False
    return dossier_selectors.visible(user).filter(Q(code=code) | Q(reference=code)).exists()


SUBJECT_ACCESS: dict[str, SubjectAccessCheck] = {"dossier": _dossier_reader}


def register_subject_access(prefix: str, check: SubjectAccessCheck) -> None:
    SUBJECT_ACCESS[prefix] = check


def _nobody(user: User, subject_ref: str) -> bool:
    return False


def can_view_subject(user: User, subject_ref: str) -> bool:
    prefix, sep, _rest = subject_ref.partition(":")
    return bool(sep) and SUBJECT_ACCESS.get(prefix, _nobody)(user, subject_ref)


def holders(role: str, unit: OrgUnit | None, day: dt.date) -> list[User]:
    """The active people holding ``role`` in ``unit`` on ``day`` (e.g. the division's heads), by name."""
    if unit is None:
        return []
    held = RoleAssignment.objects.valid_on(day).filter(role=role, unit=unit).values("user_id")
    return list(User.objects.filter(pk__in=held, is_active=True).order_by("full_name", "pk"))
