"""Every write of the citizen side: registration, submission drafts, ratings, and the applicant's notices.

Dossiers are written only through ``motcua.dossiers.services`` (online submission, supplement); this module
keeps what belongs to the portal: the pending registration, the draft and its files, the rating invitation
and the anonymous rating.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from motcua.accounts import identifiers
from motcua.accounts.choices import Role
from motcua.accounts.models import ApiToken, User
from motcua.accounts.permissions import Capability, has_capability
from motcua.accounts.services import create_citizen  # the portal's registration creates citizens through it
from motcua.calendars import clock
from motcua.calendars import selectors as calendars
from motcua.catalogue import eform
from motcua.core import links
from motcua.core import throttle as core_throttle
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from motcua.core.text import has_control_character, nfc
from motcua.dossiers import deadlines, files
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers import services as dossier_services
from motcua.dossiers.choices import ApplicantField, Channel, EventKind, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.integrations.models import VneidIdentity
from motcua.notifications import defaults as notice_keys
from motcua.notifications import selectors as notice_selectors
from motcua.notifications import services as notice_services
from motcua.notifications.services import Recipient, notify, send_guarded
from motcua.surveys import services as survey_services

from . import selectors
from .models import (
    Consent,
    ContactChannel,
    ContactPreference,
    CorrectionRequest,
    Draft,
    DraftFile,
    PendingIdentifierChange,
    PendingRegistration,
)

log = logging.getLogger(__name__)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^(\+84|0)\d{9,10}$", re.ASCII)  # 0-9 only (dossiers.services.ID_NUMBER)
DRAFT_ROOT = "drafts"


# --- registration -------------------------------------------------------------------------------------

def code_minutes() -> int:
    return int(getattr(settings, "MOTCUA_REGISTRATION_CODE_MINUTES", 10))


def normalise_identifier(raw: str) -> tuple[str, str]:
    """An email (lower-cased) or a Vietnamese mobile number (digits only), with its channel."""
    value = nfc(raw or "").strip()
    if "@" in value:
        value = value.lower()
        if not EMAIL.match(value) or len(value) > 254:
            raise _field_error(_("Enter a valid email address or phone number."), "identifier")
        return value, ContactChannel.EMAIL
    # The account's stored form (accounts.identifiers, which the uniqueness of phones compares): 0912345678.
    digits = identifiers.canonical_phone(value)
    if not PHONE.match(digits):
        raise _field_error(_("Enter a valid email address or phone number."), "identifier")
    return digits, ContactChannel.SMS


def _field_error(message: str, field: str) -> DomainError:
    return DomainError(message, code="invalid_input", details={"fields": [{"field": field, "message": message}]})


def _account_exists(identifier: str) -> bool:
    return _account_holder(identifier) is not None


def _account_holder(identifier: str) -> User | None:
    """The account registered with this e-mail or phone (as its username, e-mail or phone), if any."""
    by_contact = ({"email__iexact": identifier} if "@" in identifier else {"phone": identifier})
    return (User.objects.filter(username__iexact=identifier).order_by("pk").first()
            or User.objects.filter(**by_contact).order_by("pk").first())


def codes_per_hour() -> int:
    return int(getattr(settings, "MOTCUA_REGISTRATION_CODES_PER_HOUR", 3))


def codes_per_day() -> int:
    return int(getattr(settings, "MOTCUA_REGISTRATION_CODES_PER_DAY", 10))


def _allow_message_to(identifier: str) -> None:
    """Count one message (a code, or the notice to an existing account) to ``identifier``; refuse past
    ``codes_per_hour`` in the hour or ``codes_per_day`` in the day, so that nobody floods a stranger's phone
    or inbox. Counted alike whether or not the identifier has an account."""
    hour = core_throttle.allow_ident("portal:registration-hour", identifier, limit=codes_per_hour(), window=3600)
    day = core_throttle.allow_ident("portal:registration-day", identifier, limit=codes_per_day(), window=86400)
    if not (hour and day):
        raise DomainError(_("Too many codes have been sent to this email or phone. Please try again later."),
                          code="throttled", status=429)


# The version of the consent text shown on the registration page (``portal/_consent_text.html``): change it
# whenever that text changes, so that each account's ``Consent`` row names the text the person read.
CONSENT_VERSION = "2026-02"  # 2026-02: withdrawal on the personal-data page (2026-01: at the desk)


def start_registration(full_name: str, identifier: str, password: str, language: str = "vi", *,
                       consent: bool = False) -> PendingRegistration:
    """Record the registration and send its confirmation code by email or SMS (key
    ``account.confirmation_code``). The code is returned to no one but the person's inbox.

    The answer does not tell whether the e-mail or phone already has an account: the registration is recorded
    and the caller goes on to the same confirmation page either way, but an existing account's holder gets the
    notice ``account.registration_exists`` (sign in, or choose a new password) instead of a code, and no code
    can confirm that registration. Each identifier gets at most ``codes_per_hour``/``codes_per_day`` messages
    (``DomainError`` "throttled", status 429, nothing sent)."""
    if not consent:
        # Law 91/2025/QH15 Art. 4: the person consents or not; no account is opened without it.
        raise _field_error(_("Tick the box to agree to the processing of your data for the account: without "
                             "it no account can be opened."), "consent")
    ident, channel = normalise_identifier(identifier)
    name = nfc(full_name or "").strip()
    if not name:
        raise _field_error(_("Enter your full name."), "full_name")
    try:
        validate_password(password, User(username=ident, full_name=name,
                                         email=ident if channel == ContactChannel.EMAIL else "",
                                         phone=ident if channel == ContactChannel.SMS else ""))
    except ValidationError as exc:
        raise _field_error(" ".join(exc.messages), "password") from exc
    _allow_message_to(ident)
    language = language if language in dict(settings.LANGUAGES) else "vi"
    holder = _account_holder(ident)
    code = _new_code(holder)
    pending = PendingRegistration.objects.create(
        identifier=ident, channel=channel, full_name=name, password_hash=make_password(password),
        preferred_language=language, code_hash=make_password(code),
        expires_at=timezone.now() + dt.timedelta(minutes=code_minutes()),
        consent_version=CONSENT_VERSION, consent_at=timezone.now())
    if holder is None:
        _send_code(pending, code)
    else:
        _send_account_exists(pending, holder)
    return pending


def _new_code(holder: User | None) -> str:
    """Six digits to send; for an identifier that has an account, a long secret that is sent to no one and that
    no six digits match (hashed all the same, so that both answers take the same time)."""
    return f"{secrets.randbelow(10**6):06d}" if holder is None else secrets.token_urlsafe(32)


def _send_code(pending: PendingRegistration, code: str) -> None:
    recipient = Recipient(name=pending.full_name, language=pending.preferred_language,
                          email=pending.identifier if pending.channel == ContactChannel.EMAIL else "",
                          phone=pending.identifier if pending.channel == ContactChannel.SMS else "")
    notify(recipient, notice_keys.CONFIRMATION_CODE, {"recipient_name": pending.full_name, "code": code,
                                                      "valid_minutes": code_minutes()},
           preferred=[pending.channel], subject_ref=f"registration:{pending.key}")


def _send_account_exists(pending: PendingRegistration, holder: User) -> None:
    """Tell the holder of an existing account that someone registered with its e-mail or phone. Addressed to
    the holder by the holder's own name, never by the name the stranger typed."""
    recipient = Recipient(name=holder.get_full_name(), language=holder.preferred_language or "vi",
                          email=pending.identifier if pending.channel == ContactChannel.EMAIL else "",
                          phone=pending.identifier if pending.channel == ContactChannel.SMS else "")
    notify(recipient, notice_keys.REGISTRATION_EXISTS,
           {"recipient_name": holder.get_full_name(), "login_url": links.absolute(reverse("accounts:login")),
            "reset_url": links.absolute(reverse("portal:password-reset"))},
           preferred=[pending.channel], subject_ref=f"account:{holder.pk}")


def resend_code(pending: PendingRegistration) -> None:
    """A new code (the old one stops working), with a fresh expiry and attempt count; to an identifier that
    has an account meanwhile, the notice ``account.registration_exists`` again. Counted in the identifier's
    allowance (``_allow_message_to``)."""
    if pending.confirmed_at is not None:
        raise Conflict(_("This registration is already confirmed: sign in."), code="already_confirmed")
    _allow_message_to(pending.identifier)
    holder = _account_holder(pending.identifier)
    code = _new_code(holder)
    pending.code_hash = make_password(code)
    pending.attempts = 0
    pending.expires_at = timezone.now() + dt.timedelta(minutes=code_minutes())
    pending.save(update_fields=["code_hash", "attempts", "expires_at"])
    if holder is None:
        _send_code(pending, code)
    else:
        _send_account_exists(pending, holder)


def _check_code(pending_rows: QuerySet[Any], code: str, not_found: str) -> None:
    """Check the code of the one unconfirmed request among ``pending_rows`` (a registration or a change of sign-in
    address): at most ``MAX_ATTEMPTS`` tries, before it expires. A wrong code is counted in a transaction that
    commits, and the error raised after it."""
    wrong: DomainError | None = None
    with transaction.atomic():
        pending = pending_rows.select_for_update().filter(confirmed_at__isnull=True).first()
        if pending is None:
            raise NotFound(not_found, code="not_found")
        if pending.attempts >= pending.MAX_ATTEMPTS or pending.expires_at <= timezone.now():
            raise _field_error(_("The code has expired or too many wrong codes were entered: ask for a new code."),
                               "code")
        if not check_password((code or "").strip(), pending.code_hash):
            pending_rows.filter(pk=pending.pk).update(attempts=pending.attempts + 1)
            left = pending.MAX_ATTEMPTS - pending.attempts - 1
            wrong = _field_error(_("The code is not correct (%(left)s tries left).") % {"left": left}, "code")
    if wrong is not None:
        raise wrong


def confirm_registration(key: uuid.UUID | str, code: str) -> User:
    """Check the code (at most ``MAX_ATTEMPTS`` tries, before it expires) and create the citizen account. An
    address that has an account by then — seen by the check, or by the database's uniqueness when another
    confirmation commits at the same instant (``accounts.identifiers``) — gets the same answer, and nothing is
    created."""
    _check_code(PendingRegistration.objects.filter(key=key), code,
                _("This registration does not exist or is already confirmed."))
    try:
        return _create_registered_account(key)
    except IntegrityError as exc:
        # Another confirmation of the same address committed between the check below and this one's INSERT: the
        # database's uniqueness (accounts.identifiers) refused this one, and nothing of it was kept. The same answer
        # as when the check sees the account.
        if identifiers.conflict(exc) is None:
            raise
        raise _field_error(_("An account with this email or phone already exists: sign in instead."), "code") from exc


def _create_registered_account(key: uuid.UUID | str) -> User:
    with transaction.atomic():
        pending = PendingRegistration.objects.select_for_update().filter(key=key, confirmed_at__isnull=True).first()
        if pending is None:
            raise NotFound(_("This registration does not exist or is already confirmed."), code="not_found")
        if _account_exists(pending.identifier):
            raise _field_error(_("An account with this email or phone already exists: sign in instead."), "code")
        user = create_citizen(username=pending.identifier, full_name=pending.full_name,
                              email=pending.identifier if pending.channel == ContactChannel.EMAIL else "",
                              phone=pending.identifier if pending.channel == ContactChannel.SMS else "",
                              password_hash=pending.password_hash, language=pending.preferred_language)
        ContactPreference.objects.create(user=user, channels=[pending.channel])
        Consent.objects.create(user=user, purpose=Consent.Purpose.ACCOUNT,
                               version=pending.consent_version or CONSENT_VERSION,
                               given_at=pending.consent_at or timezone.now())
        pending.confirmed_at = timezone.now()
        pending.save(update_fields=["confirmed_at"])
    return user


def sweep_registrations(now: dt.datetime | None = None, keep_days: int | None = None, dry_run: bool = False) -> int:
    """Delete the registrations whose code expired more than ``MOTCUA_REGISTRATION_KEEP_DAYS`` days ago, confirmed
    or not: an unconfirmed one can no longer be confirmed, and a confirmed one has become an account (its consent
    is the account's ``Consent``), so the name, e-mail or phone and password hash they hold serve no purpose. The
    same for the changes of a sign-in e-mail or phone (``PendingIdentifierChange``). Idempotent; returns how many
    were (or, with ``dry_run``, would be) deleted."""
    days = int(getattr(settings, "MOTCUA_REGISTRATION_KEEP_DAYS", 7)) if keep_days is None else keep_days
    before = (now or timezone.now()) - dt.timedelta(days=days)
    stale = [PendingRegistration.objects.filter(expires_at__lt=before),
             PendingIdentifierChange.objects.filter(expires_at__lt=before)]
    if dry_run:
        return sum(rows.count() for rows in stale)
    return sum(rows.delete()[0] for rows in stale)


# --- retention (docs/security.md, "Personal data rights": periods per record kind) --------------------------

# The record kinds this job may touch, each with its setting (days; 0 = never) and its default. Each period is an
# operating choice, not a period set by law. Dossiers, their events, files and papers, feedback items and
# satisfaction answers are not here: their retention is set by the archive law and the ministry's circular on
# retention periods (to be checked), and no period is invented for them.
RETENTION: dict[str, tuple[str, int]] = {
    # A draft nobody touched for this long (the citizen's own unfinished work, never filed: no agency's record).
    "drafts": ("MOTCUA_RETENTION_DRAFT_DAYS", 180),
    # The text of a sent or delivered notice; its delivery record stays. Off by default: a notice about a dossier
    # may belong to the dossier's record (Decree 224/2026 Art. 15 notices; to be checked against the archive rules).
    "notice_bodies": ("MOTCUA_RETENTION_NOTICE_BODY_DAYS", 0),
}


def retention_days(kind: str) -> int:
    name, default = RETENTION[kind]
    return max(0, int(getattr(settings, name, default) or 0))


def apply_retention(now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Remove what has passed its period (``motcua portal retention``, daily in the scheduler): the drafts not
    updated for ``MOTCUA_RETENTION_DRAFT_DAYS`` days with their files (deleted from the store after the commit,
    as a discarded draft's), and the text of the notices sent more than ``MOTCUA_RETENTION_NOTICE_BODY_DAYS``
    days ago (``notifications.services.forget_bodies``). A period of 0 turns its kind off. Idempotent; returns
    the count per kind (with ``dry_run``, what would be removed, and nothing changes)."""
    now = now or timezone.now()
    done = {"drafts": 0, "notice_bodies": 0}
    days = retention_days("drafts")
    if days:
        stale = Draft.objects.filter(updated_at__lt=now - dt.timedelta(days=days))
        if dry_run:
            done["drafts"] = stale.count()
        else:
            with transaction.atomic():
                drafts = list(stale.select_for_update())
                names = list(DraftFile.objects.filter(draft__in=drafts).values_list("file", flat=True))
                Draft.objects.filter(pk__in=[d.pk for d in drafts]).delete()
                transaction.on_commit(lambda: files.discard(names))
            done["drafts"] = len(drafts)
    days = retention_days("notice_bodies")
    if days:
        done["notice_bodies"] = notice_services.forget_bodies(now - dt.timedelta(days=days), dry_run=dry_run)
    return done


# --- personal data rights (Law 91/2025/QH15 Art. 4) ------------------------------------------------------

def correct_own_name(user: User, full_name: str) -> User:
    """The citizen corrects the name of their own account (the right to correct one's data). The e-mail and
    phone are the account's sign-in identifiers: they change only through a code sent to the new address
    (``start_identifier_change``)."""
    name = nfc(full_name or "").strip()
    if not name or len(name) > 150:
        raise _field_error(_("Enter your full name (at most 150 characters)."), "full_name")
    if has_control_character(name) or any(c in name for c in "\t\r\n"):  # a name is one line
        raise _field_error(_("The name contains characters that are not allowed."), "full_name")
    user.full_name = name
    user.save(update_fields=["full_name"])
    return user


# --- changing the sign-in e-mail or phone (Law 91/2025/QH15 Art. 4; issue 21) -------------------------------

def _held(user: User, channel: str) -> str:
    """The account's current e-mail or phone (what ``channel`` changes)."""
    return (user.email or "").lower() if channel == ContactChannel.EMAIL else (user.phone or "")


def start_identifier_change(user: User, identifier: str, password: str) -> PendingIdentifierChange:
    """The citizen asks to make ``identifier`` (an e-mail or a Vietnamese mobile number, checked and normalised
    as at registration) the account's e-mail or phone, confirmed by the current password. A code is sent to the
    NEW address through the registration's notice (``account.confirmation_code``); nothing on the account
    changes until ``confirm_identifier_change`` gets it.

    As registration (issue 21, finding 9): the answer does not tell whether the address is another account's —
    the change is recorded and the caller goes on to the same code page either way, but that account's holder
    gets ``account.identifier_in_use`` instead of a code and no six digits confirm the change; both paths hash
    a secret, so the time does not tell them apart. Each address gets at most ``codes_per_hour``/``codes_per_day``
    messages, counted with the registrations' (``DomainError`` "throttled", 429, nothing sent). A new request
    replaces the account's earlier unconfirmed one. Staff accounts are changed by an administrator (403)."""
    if user.is_official:
        raise PermissionDenied(_("The e-mail and phone of a staff account are changed by an administrator."),
                               code="forbidden")
    ident, channel = normalise_identifier(identifier)
    if ident == _held(user, channel):
        raise _field_error(_("This is already the e-mail or phone of your account."), "identifier")
    if not password or not user.check_password(password):
        raise _field_error(_("The password is not correct."), "password")
    _allow_message_to(ident)
    holder = _account_holder(ident)
    taken = holder is not None and holder.pk != user.pk
    code = _new_code(holder if taken else None)
    with transaction.atomic():
        PendingIdentifierChange.objects.filter(user=user, confirmed_at__isnull=True).delete()
        pending = PendingIdentifierChange.objects.create(
            user=user, identifier=ident, channel=channel, password_hash=make_password(password),
            session_hash=user.get_session_auth_hash(), code_hash=make_password(code),
            expires_at=timezone.now() + dt.timedelta(minutes=code_minutes()))
        _send_change_message(pending, code, holder if taken else None)
    return pending


def _send_change_message(pending: PendingIdentifierChange, code: str, holder: User | None) -> None:
    """The code to the new address, or, when the address is another account's, the notice to its holder (by the
    holder's own name, never the asker's)."""
    email = pending.identifier if pending.channel == ContactChannel.EMAIL else ""
    phone = pending.identifier if pending.channel == ContactChannel.SMS else ""
    if holder is None:
        user = pending.user
        notify(Recipient(name=user.get_full_name(), language=user.preferred_language or "vi", email=email,
                         phone=phone),
               notice_keys.CONFIRMATION_CODE, {"recipient_name": user.get_full_name(), "code": code,
                                               "valid_minutes": code_minutes()},
               preferred=[pending.channel], subject_ref=f"identifier-change:{pending.key}")
    else:
        notify(Recipient(name=holder.get_full_name(), language=holder.preferred_language or "vi", email=email,
                         phone=phone),
               notice_keys.IDENTIFIER_IN_USE, {"recipient_name": holder.get_full_name(),
                                               "login_url": links.absolute(reverse("accounts:login"))},
               preferred=[pending.channel], subject_ref=f"account:{holder.pk}")


def resend_identifier_code(pending: PendingIdentifierChange) -> None:
    """A new code for the change (the old one stops working), with a fresh expiry and attempt count; counted in
    the new address's allowance. To an address that is another account's, that holder's notice again."""
    if pending.confirmed_at is not None:
        raise Conflict(_("This change is already confirmed."), code="already_confirmed")
    _allow_message_to(pending.identifier)
    holder = _account_holder(pending.identifier)
    taken = holder is not None and holder.pk != pending.user_id
    code = _new_code(holder if taken else None)
    with transaction.atomic():
        pending.code_hash = make_password(code)
        pending.attempts = 0
        pending.expires_at = timezone.now() + dt.timedelta(minutes=code_minutes())
        pending.save(update_fields=["code_hash", "attempts", "expires_at"])
        _send_change_message(pending, code, holder if taken else None)


def _mask_identifier(value: str) -> str:
    """The new address as the old one's notice shows it: enough for the holder to recognise it or not, not
    enough to hand a stranger the new address (``an***@example.vn``, ``097****456``)."""
    if "@" in value:
        local, _at, domain = value.partition("@")
        return f"{local[:2]}***@{domain}"
    return value[:3] + "*" * max(0, len(value) - 6) + value[-3:]


def confirm_identifier_change(user: User, key: uuid.UUID | str, code: str) -> User:
    """Check the code (at most ``MAX_ATTEMPTS`` tries, before it expires) and switch the account's e-mail or phone
    — and its user name, when that was the old address, so that the person signs in with the new one. Then, so
    that a hijack is noticed and undone elsewhere: the OLD address (or, if there was none, the account's other
    one) is told (``account.identifier_changed``), the
    account's API tokens are deleted, and its password field gets the fresh hash of the same password made when
    the change was asked, which ends every other session (the caller keeps its own with
    ``update_session_auth_hash``). The change is in django-auditlog's record of the user (old and new values,
    with the citizen as actor). A password changed since the request voids it (nothing changes). An address that
    another account took meanwhile — seen by the check, or by the database's uniqueness when both confirmations
    land at the same instant (``accounts.identifiers``) — gets the same answer, and nothing changes."""
    _check_code(PendingIdentifierChange.objects.filter(key=key, user=user), code,
                _("This change does not exist or is already confirmed."))
    try:
        _switch_identifier(user, key)
    except IntegrityError as exc:
        # Another account took the address between the check below and this UPDATE (two confirmations at the same
        # instant): the database's uniqueness (accounts.identifiers) refused this one and nothing changed. The same
        # answer as when the check sees the other account.
        if identifiers.conflict(exc) is None:
            raise
        raise _field_error(_("This e-mail or phone now belongs to another account: nothing was changed."),
                           "code") from exc
    user.refresh_from_db()
    return user


def _switch_identifier(user: User, key: uuid.UUID | str) -> None:
    with transaction.atomic():
        pending = (PendingIdentifierChange.objects.select_for_update()
                   .filter(key=key, user=user, confirmed_at__isnull=True).first())
        if pending is None:
            raise NotFound(_("This change does not exist or is already confirmed."), code="not_found")
        account = User.objects.select_for_update().get(pk=user.pk)
        if not secrets.compare_digest(pending.session_hash, account.get_session_auth_hash()):
            raise _field_error(_("Your password was changed after you asked: ask again."), "code")
        holder = _account_holder(pending.identifier)
        if holder is not None and holder.pk != account.pk:  # taken meanwhile; the code proved the address is theirs
            raise _field_error(_("This e-mail or phone now belongs to another account: nothing was changed."),
                               "code")
        field = "email" if pending.channel == ContactChannel.EMAIL else "phone"
        old = getattr(account, field)
        changed = [field, "password"]
        setattr(account, field, pending.identifier)
        if old and account.username.lower() == old.lower():
            account.username = pending.identifier
            changed.append("username")
        account.password = pending.password_hash
        account.save(update_fields=changed)  # django-auditlog records the user name, e-mail and phone, not the hash
        ApiToken.objects.filter(user=account).delete()
        pending.confirmed_at = timezone.now()
        pending.save(update_fields=["confirmed_at"])
        # The OLD address of that kind is told; an account that had none (a phone account adding an e-mail, which
        # then also receives password resets) has its other address told instead, so the holder always hears of it.
        email, phone = (old, "") if field == "email" else ("", old)
        if not old:
            email, phone = ("", account.phone) if field == "email" else (account.email, "")
        if email or phone:
            recipient = Recipient(name=account.get_full_name(), language=account.preferred_language or "vi",
                                  email=email, phone=phone)
            # ``notify`` records the notice in a savepoint and never raises: a notice problem does not undo the change.
            notify(recipient, notice_keys.IDENTIFIER_CHANGED,
                   {"recipient_name": account.get_full_name(), "new_address": _mask_identifier(pending.identifier),
                    "changed_at": pending.confirmed_at, "hotline": settings.MOTCUA_SITE.get("hotline", "")},
                   preferred=[ContactChannel.EMAIL if email else ContactChannel.SMS],
                   subject_ref=f"account:{account.pk}")


def correction_working_days() -> int:
    """Working days the agency has to answer a personal-data request: ``MOTCUA_CORRECTION_ANSWER_WORKING_DAYS``
    (default 10). An operating choice, not the law's time limit: Decree 356/2025/NĐ-CP's time limits are to be
    checked against its text (docs/security.md, "Personal data rights")."""
    return int(getattr(settings, "MOTCUA_CORRECTION_ANSWER_WORKING_DAYS", 10))


def answer_due(dossier: Dossier, at: dt.datetime) -> dt.datetime:
    """The answer's due date, on the working calendar of the agency that processes the dossier."""
    agency = dossier.processing_unit.agency() or dossier.processing_unit
    return calendars.compute_due(at, correction_working_days(), clock.WORKING_DAYS, clock.POLICY_END_OF_DAY,
                                 agency.code).due_at


def request_correction(user: User, dossier: Dossier, field_name: str, requested_value: str,
                       reason: str) -> CorrectionRequest:
    """Record the citizen's request to correct an applicant detail of their own dossier, for the agency to check
    and correct (the dossier is the agency's record of what was filed). The value held is kept with the
    request, so that the agency sees what is to change; the answer is due ``answer_due``, and the agency's
    officers are told (``personal_data.request_received``)."""
    if dossier.owner_id != user.pk:
        raise NotFound(_("There is no dossier %(code)s.") % {"code": dossier.public_id}, code="dossier_not_found")
    if field_name not in ApplicantField.values:
        raise _field_error(_("Choose the item to correct."), "field")
    value = nfc(requested_value or "").strip()
    why = nfc(reason or "").strip()
    if not value or len(value) > 500:
        raise _field_error(_("Enter the correct value (at most 500 characters)."), "requested_value")
    if not why or len(why) > 2000:
        raise _field_error(_("Say why the value held is wrong (at most 2000 characters)."), "reason")
    if has_control_character(value + why):
        raise _field_error(_("The text contains characters that are not allowed."), "requested_value")
    current = selectors.applicant_value(dossier, field_name)
    if value == current:
        raise _field_error(_("This is already the value held: nothing to correct."), "requested_value")
    now = timezone.now()
    with transaction.atomic():
        request = CorrectionRequest.objects.create(user=user, dossier=dossier, field=field_name,
                                                   current_value=current, requested_value=value, reason=why,
                                                   due_at=answer_due(dossier, now))
        send_guarded(partial(_tell_agency, request), f"notice of correction request {request.pk}")
    return request


def request_data_right(user: User, dossier: Dossier, kind: str, text: str) -> CorrectionRequest:
    """Record the citizen's request to delete the personal data of their own dossier, to restrict its
    processing or to object to it (Law 91/2025/QH15 Art. 4). The dossier is processed under the agency's legal
    duty and kept under the archive rules, so the agency decides and answers with its reason; the request is
    in the same queue, with the same due date and notices, as a correction."""
    if dossier.owner_id != user.pk:
        raise NotFound(_("There is no dossier %(code)s.") % {"code": dossier.public_id}, code="dossier_not_found")
    if kind not in CorrectionRequest.Kind.values or kind == CorrectionRequest.Kind.CORRECTION:
        raise _field_error(_("Choose what you ask for."), "kind")
    why = nfc(text or "").strip()
    if not why or len(why) > 2000:
        raise _field_error(_("Say what you ask for and why (at most 2000 characters)."), "reason")
    if has_control_character(why):
        raise _field_error(_("The text contains characters that are not allowed."), "reason")
    with transaction.atomic():
        request = CorrectionRequest.objects.create(user=user, dossier=dossier, kind=kind, reason=why,
                                                   due_at=answer_due(dossier, timezone.now()))
        send_guarded(partial(_tell_agency, request), f"notice of data request {request.pk}")
    return request


def agency_officers(dossier: Dossier) -> list[User]:
    """Who is told of a request about the dossier's data: the desk officers of the unit that received it and
    the heads of the division and the leaders of the agency that process it, each once, active only."""
    day = timezone.localdate()
    agency = dossier.processing_unit.agency() or dossier.processing_unit
    people = [*notice_selectors.holders(Role.DESK_OFFICER, dossier.receiving_unit, day),
              *notice_selectors.holders(Role.DIVISION_HEAD, dossier.current_unit or dossier.processing_unit, day),
              *notice_selectors.holders(Role.AGENCY_LEADER, agency, day)]
    return list({p.pk: p for p in people if p.is_active}.values())


def _tell_agency(request: CorrectionRequest) -> None:
    dossier = request.dossier
    for person in agency_officers(dossier):
        recipient = Recipient.from_user(person)
        with translation.override(recipient.language):
            label = request.label
        notify(recipient, notice_keys.DATA_REQUEST_RECEIVED,
               {"recipient_name": recipient.name, "dossier_code": dossier.public_id, "request_label": label,
                "due_at": request.due_at, "queue_url": links.absolute(reverse("portal:data-requests"))},
               related_object=dossier, subject_ref=f"dossier:{dossier.public_id}")


class Decision:
    ACCEPT = "accept"
    REFUSE = "refuse"


def answer_request(officer: User, request: CorrectionRequest, decision: str, answer: str) -> CorrectionRequest:
    """The agency answers a request about a dossier's data. For a correction, ``accept`` corrects the dossier
    through ``dossiers.services.correct_applicant`` (checked as at intake; an ``applicant_corrected`` event
    binds the new details, so ``motcua audit verify`` still passes); for a deletion, restriction or objection,
    ``accept`` records that the agency did what was asked (outside this system's records, which the archive
    rules keep) and needs the answer saying what was done. ``refuse`` needs the reason. Only an officer who
    may correct the dossier (``dossiers.selectors.may_correct_applicant``; anyone else: ``NotFound``); an
    answered request cannot be answered again (``Conflict``). The citizen is told
    (``personal_data.request_answered``) and sees the answer on their personal-data page."""
    if not dossier_selectors.may_correct_applicant(officer, request.dossier):
        raise NotFound(_("There is no such request."), code="not_found")
    if decision not in (Decision.ACCEPT, Decision.REFUSE):
        raise _field_error(_("Choose whether to correct the dossier or to refuse."), "decision")
    text = nfc(answer or "").strip()
    if len(text) > 2000 or has_control_character(text):
        raise _field_error(_("Write the answer in at most 2000 characters, without control characters."),
                           "answer")
    if decision == Decision.REFUSE and not text:
        raise _field_error(_("Give the reason for refusing the correction."), "answer")
    if decision == Decision.ACCEPT and request.kind != CorrectionRequest.Kind.CORRECTION and not text:
        raise _field_error(_("Say what was done."), "answer")
    with transaction.atomic():
        locked = CorrectionRequest.objects.select_for_update().select_related("dossier", "user").get(pk=request.pk)
        if locked.state != CorrectionRequest.State.OPEN:
            raise Conflict(_("This request has already been answered."), code="already_answered")
        if decision == Decision.ACCEPT and locked.kind == CorrectionRequest.Kind.CORRECTION:
            dossier_services.correct_applicant(
                officer, locked.dossier, locked.field, locked.requested_value,
                _("Correction requested by the applicant: %(reason)s") % {"reason": locked.reason})
        locked.state = CorrectionRequest.State.DONE if decision == Decision.ACCEPT else CorrectionRequest.State.REFUSED
        locked.answer = text
        locked.handled_at = timezone.now()
        locked.handled_by = officer
        locked.save(update_fields=["state", "answer", "handled_at", "handled_by"])
        send_guarded(partial(_tell_citizen, locked), f"answer to data request {locked.pk}")
    return locked


def _tell_citizen(request: CorrectionRequest) -> None:
    user, dossier = request.user, request.dossier
    pref = ContactPreference.objects.filter(user=user).first()
    # The account's address, else the one on the dossier (the citizen is its applicant), as for dossier notices.
    recipient = Recipient(name=user.get_full_name() or dossier.applicant_name,
                          email=user.email or dossier.applicant_email, phone=user.phone or dossier.applicant_phone,
                          language=user.preferred_language or "vi", preferred=tuple(pref.channels) if pref else ())
    with translation.override(recipient.language):
        label = request.label
    notify(recipient, notice_keys.DATA_REQUEST_ANSWERED,
           {"recipient_name": recipient.name, "dossier_code": request.dossier.public_id, "request_label": label,
            "accepted": request.state == CorrectionRequest.State.DONE, "answer": request.answer,
            "page_url": links.absolute(reverse("portal:personal-data"))},
           subject_ref=f"account:{user.pk}",
           sender=(request.dossier.processing_unit.agency() or request.dossier.processing_unit).name)


def close_account(user: User, password: str) -> None:
    """The citizen withdraws consent to the account's processing (Law 91/2025/QH15 Art. 4: to withdraw
    consent), which closes the account: sign-in is disabled (inactive, no usable password, its API tokens
    deleted) and the data that exists only because of the account is removed or anonymised — the contact
    preference, the drafts and their files, pending registrations with its e-mail or phone, the link to the
    person's VNeID identification, and the name, e-mail, phone, organisation and identification level on the
    user (the user name becomes ``closed-<id>``). The dossiers stay:
    they are processed under the agency's legal duty and kept under the archive rules, with the applicant's
    details they were filed with; so do the feedback items and the data requests already sent. Confirmed by
    the password (a wrong one: 400, nothing changed); staff accounts are closed by an administrator (403).
    Audited: the consent row records the withdrawal, and one django-auditlog entry says that the account was
    closed, without the removed values."""
    from auditlog.models import LogEntry

    if user.is_official:
        raise PermissionDenied(_("Staff accounts are closed by an administrator."), code="forbidden")
    if not password or not user.check_password(password):
        raise _field_error(_("The password is not correct."), "password")
    now = timezone.now()
    with transaction.atomic():
        identifiers = {i for i in (user.username, user.email, user.phone) if i}
        Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=now)
        if not Consent.objects.filter(user=user).exists():  # an account opened before the notice, or at the desk
            Consent.objects.create(user=user, version="", given_at=user.date_joined, withdrawn_at=now)
        ContactPreference.objects.filter(user=user).delete()
        drafts = list(Draft.objects.filter(owner=user))
        names = [f.file.name for d in drafts for f in d.files.all()]
        Draft.objects.filter(pk__in=[d.pk for d in drafts]).delete()
        transaction.on_commit(lambda: files.discard(names))
        PendingRegistration.objects.filter(identifier__in=identifiers).delete()
        PendingIdentifierChange.objects.filter(user=user).delete()
        ApiToken.objects.filter(user=user).delete()
        # The link to the person's VNeID identification (their ID number): a later VNeID sign-in opens a new account.
        VneidIdentity.objects.filter(user=user).delete()
        # A queryset update, not ``save()``: django-auditlog would keep the removed values in its change record.
        User.objects.filter(pk=user.pk).update(
            username=f"closed-{user.pk}", full_name="", first_name="", last_name="", email="", phone="",
            organisation_name="", organisation_tax_code="", identity_level="", is_active=False,
            password=make_password(None))
        user.refresh_from_db()
        LogEntry.objects.log_create(user, force_log=True, action=LogEntry.Action.UPDATE, actor=user,
                                    changes={"account": ["open", "closed by its holder"],
                                             "consent": ["given", "withdrawn"]})


def set_contact_preference(user: User, channels: list[str]) -> ContactPreference:
    order = [c for c in dict.fromkeys(channels) if c in ContactChannel.values]
    if not order:
        raise _field_error(_("Choose at least one channel."), "channels")
    preference, _created = ContactPreference.objects.update_or_create(user=user, defaults={"channels": order})
    return preference


# --- submission drafts --------------------------------------------------------------------------------

def _require_citizen(user: User) -> None:
    if not has_capability(user, Capability.SUBMIT_DOSSIERS):
        raise PermissionDenied(_("Only a citizen account may submit a dossier online."), code="forbidden")


def start_draft(user: User, procedure_code: str) -> Draft:
    _require_citizen(user)
    procedure, _version, _snapshot = selectors.submission_target(procedure_code)
    applicant = selectors.applicant_defaults(user)
    return Draft.objects.create(owner=user, procedure=procedure, data={"applicant": applicant, "done": []})


def save_step(user: User, draft: Draft, step: str, values: dict[str, Any]) -> Draft:
    """Save one step's answers (already cleaned by the step's form) and mark the step done."""
    _require_owner(user, draft)
    data = dict(draft.data)
    data[step] = {k: (nfc(v) if isinstance(v, str) else v) for k, v in values.items()}
    data["done"] = sorted(set(data.get("done", [])) | {step})
    draft.data = data
    draft.save(update_fields=["data", "updated_at"])
    return draft


def _require_owner(user: User, draft: Draft) -> None:
    if draft.owner_id != user.pk:
        raise NotFound(_("There is no such draft."), code="not_found")


def attach_draft_file(user: User, draft: Draft, document_order: int, name: str, stream: IO[bytes],
                      office_allowed: set[int]) -> DraftFile:
    """Check the file as the dossier app will (type by content, size, name), store it durably under
    ``drafts/`` and replace any earlier file of the same document."""
    _require_owner(user, draft)
    upload = files.Upload(name=name, stream=stream, document_order=document_order)
    others = draft.files.exclude(document_order=document_order)
    files.check([upload], office_allowed=office_allowed, already=sum(f.size for f in others))
    stored = files.durable_save(f"{DRAFT_ROOT}/{draft.key}/{uuid.uuid4().hex[:12]}-{upload.safe_name}", upload.stream)
    try:
        with transaction.atomic():
            old = list(draft.files.filter(document_order=document_order))
            DraftFile.objects.filter(pk__in=[f.pk for f in old]).delete()
            draft_file = DraftFile.objects.create(draft=draft, document_order=document_order, file=stored,
                                                  original_name=upload.safe_name, size=upload.size,
                                                  sha256=upload.sha256)
            Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
            old_names = [f.file.name for f in old]
            transaction.on_commit(lambda: files.discard(old_names))
    except BaseException:
        files.discard([stored])
        raise
    return draft_file


def remove_draft_file(user: User, draft: Draft, document_order: int) -> None:
    _require_owner(user, draft)
    with transaction.atomic():
        old = list(draft.files.filter(document_order=document_order))
        DraftFile.objects.filter(pk__in=[f.pk for f in old]).delete()
        names = [f.file.name for f in old]
        transaction.on_commit(lambda: files.discard(names))


def discard_draft(user: User, draft: Draft) -> None:
    _require_owner(user, draft)
    with transaction.atomic():
        names = [f.file.name for f in draft.files.all()]
        draft.delete()
        transaction.on_commit(lambda: files.discard(names))


@dataclass
class Problem:
    step: str
    field: str
    message: str


class DraftIncomplete(DomainError):
    """Every problem of the draft at once (the desk's rule of *một lần đầy đủ*, applied to ourselves)."""

    status = 400
    code = "draft_incomplete"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(_("The dossier cannot be submitted yet: correct the problems listed."), details={
            "problems": [p.__dict__ for p in problems]})
        self.problems = problems


def submit_draft(user: User, draft: Draft) -> Dossier:
    """Check the whole draft, then file it through ``dossiers.services.submit_online`` with its files; the
    draft disappears with the submission (one transaction), so a second click finds nothing to submit."""
    _require_citizen(user)
    _require_owner(user, draft)
    with transaction.atomic():
        locked = Draft.objects.select_for_update().filter(pk=draft.pk).first()
        if locked is None:
            raise NotFound(_("There is no such draft."), code="not_found")
        snapshot = selectors.submission_target(locked.procedure.code)[2]
        problems = selectors.draft_problems(locked, snapshot)
        if problems:
            raise DraftIncomplete(problems)
        draft_files = list(locked.files.all())
        streams = [default_storage.open(f.file.name, "rb") for f in draft_files]
        try:
            uploads = [files.Upload(name=f.original_name, stream=s, document_order=f.document_order)
                       for f, s in zip(draft_files, streams, strict=True)]
            dossier = dossier_services.submit_online(user, _intake(locked, snapshot, draft_files), uploads)
        finally:
            for stream in streams:
                stream.close()
        names = [f.file.name for f in draft_files]
        locked.delete()
        transaction.on_commit(lambda: files.discard(names))
    return dossier


def _intake(draft: Draft, snapshot: dict[str, Any], draft_files: list[DraftFile]) -> dossier_services.Intake:
    data = draft.data
    a = data.get("applicant", {})
    q = data.get("questions", {})
    delivery = data.get("delivery", {})
    documents = [dossier_services.DocumentInput(order=o, provided=True)
                 for o in sorted({f.document_order for f in draft_files})]
    held = selectors.held_orders(draft, snapshot)
    documents = [d for d in documents if d.order not in held]
    for order, paper in held.items():
        # Taken from the citizen's own documents, flagged reused with its number (MaKetQuaThayThe).
        documents.append(dossier_services.DocumentInput(order=order, provided=True, reused_digitised=True,
                                                        reuse_of=paper.number))
    for order in [o for o in selectors.data_store_orders(snapshot) if o not in held]:
        # Not asked of the citizen: the agency takes it from the national databases (Decree 224/2026
        # Art. 18(4); Decree 118/2025 Art. 4(2a) as amended by Decree 309/2026).
        documents.append(dossier_services.DocumentInput(order=order, provided=True, reused_digitised=True))
    return dossier_services.Intake(
        procedure=draft.procedure.code,
        applicant=dossier_services.Applicant(kind=a.get("kind", "individual"), name=a.get("name", ""),
                                             id_number=a.get("id_number", ""), tax_code=a.get("tax_code", ""),
                                             address=a.get("address", ""), phone=a.get("phone", ""),
                                             email=a.get("email", "")),
        subject=q.get("subject", ""), sets=int(q.get("sets") or 1), documents=documents,
        form_data=q.get("form_data") if eform.declared(snapshot) else None,
        time_variant=q.get("time_variant", ""), receiving_unit=q.get("receiving_unit", ""), channel=Channel.ONLINE,
        result_method=delivery.get("method", ""), result_address=delivery.get("address", ""),
    )


def submit_supplement(user: User, dossier: Dossier, uploads: list[tuple[int, str, IO[bytes]]], note: str) -> Dossier:
    """The applicant sends what was asked for, through the dossier app's service."""
    if not uploads and not nfc(note or ""):
        raise _field_error(_("Attach at least one file or write a note."), "files")
    items = [files.Upload(name=name, stream=stream, document_order=order) for order, name, stream in uploads]
    return dossier_services.submit_supplement(user, dossier, uploads=items, note=note)


# --- rating (Decree 61/2018 Art. 29; Circular 01/2018 Arts. 12-15): a channel of the surveys app -----------

def invite_rating(dossier: Dossier) -> str | None:
    """The one-time link of the result notice to the per-dossier questionnaire (``surveys``); None if the
    dossier already has one (it was returned once: one answer per dossier and channel)."""
    try:
        return survey_services.invite(dossier)
    except DomainError:  # no questionnaire in force: the notice goes out without the link
        return None


# --- notices to the applicant (Decree 224/2026 Art. 15: on every status change, in real time) -------------

# Which dossier events the applicant is told of, and with which notice (a key of
# ``motcua.notifications.defaults``). ``None``: the notice of the new status (``STATUS_NOTICES``; others get
# ``dossier.status_changed``). Adding a kind here (and its template) is all a new applicant notice needs;
# ``NOTICE_CONTEXT`` adds what its template needs beyond ``selectors.notice_context``.
APPLICANT_NOTICES: dict[str, str | None] = {
    EventKind.CREATED: None,
    EventKind.STATUS_CHANGED: None,
    # Decree 61/2018 Art. 19(9): the apology letter gives the reason and the new return date. It changes no
    # status, so no status notice goes out for it.
    EventKind.APOLOGY: notice_keys.APOLOGY,
    # Decree 224/2026 Art. 15: a calendar change (an official day off or working day added, changed or
    # removed) that moved the promised date (``motcua.dossiers.follow``).
    EventKind.DATES_MOVED: notice_keys.DUE_DATE_MOVED,
    # Decree 224/2026 Art. 15: the first promised date of a dossier whose time counts from a later event (a
    # CCHN's notice of the evaluation result, Decree 212/2026 Arts. 30-31), set when that event is recorded.
    EventKind.CLOCK: notice_keys.DUE_DATE_SET,
}

STATUS_NOTICES: dict[int, str] = {
    Status.RECEIVED: notice_keys.RECEIVED,
    Status.SUPPLEMENT_REQUESTED: notice_keys.SUPPLEMENT_REQUESTED,
    Status.PAYMENT_REQUESTED: notice_keys.PAYMENT_REQUESTED,
    Status.RETURNED: notice_keys.RESULT_READY,
}


def _apology_context(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    data = event.data or {}
    return {"reason": event.reason,
            "original_due_at": _instant(data.get("original_due_at")) or dossier.original_due_at,
            "new_due_at": _instant(data.get("new_due_at")) or dossier.due_at}


def _result_context(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    token = invite_rating(dossier)
    # The result itself: its number and date, and the link that downloads it (online), or the postal tracking
    # number (by post); the number and date are shown whatever the way it was returned.
    result = next((r for r in reversed(selectors.returned_results(dossier)) if r.kind == "result"), None)
    return {"rating_url": selectors.absolute(reverse("surveys:answer", args=[token])) if token else "",
            "result_name": dossier.snapshot.get("procedure", {}).get("result_name", ""),
            "ready_at": event.at, "pickup_place": "",
            "result_number": result.number if result else "", "result_date": result.issued_on if result else None,
            "result_url": selectors.result_url(dossier), "tracking_number": dossier.postal_tracking}


def _dates_moved_context(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    data = event.data or {}
    days = ", ".join(dt.date.fromisoformat(d).strftime("%d/%m/%Y") for d in (data.get("days") or []))
    return {"changed_days": days, "original_due_at": _instant(data.get("due_before")),
            "new_due_at": _instant(data.get("due_at")) or dossier.due_at}


def _due_date_set_context(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    data = event.data or {}
    name = data.get("event", "")
    label = deadlines.event_label(name)
    return {"event_name": str(label).lower(), "event_at": _instant(data.get("event_at")),
            "due_at": _instant(data.get("due_at")) or dossier.due_at}


NOTICE_CONTEXT: dict[str, Callable[[Dossier, DossierEvent], dict[str, Any]]] = {
    notice_keys.SUPPLEMENT_REQUESTED: lambda dossier, event: selectors.supplement_context(event),
    notice_keys.PAYMENT_REQUESTED: lambda dossier, event: selectors.payment_context(dossier),
    notice_keys.RESULT_READY: _result_context,
    notice_keys.APOLOGY: _apology_context,
    notice_keys.DUE_DATE_MOVED: _dates_moved_context,
    notice_keys.DUE_DATE_SET: _due_date_set_context,
}


def applicant_notice_key(event: DossierEvent) -> str | None:
    """The notice ``event`` sends the applicant, if any (Decree 224/2026 Art. 15: every status change, in
    real time). An early result is announced by the notice of the change to "processing done", once."""
    if event.kind not in APPLICANT_NOTICES:
        return None
    key = APPLICANT_NOTICES[event.kind]
    if event.kind == EventKind.CLOCK:
        # Only the start of a clock that waited for a later event sets a date the applicant did not have; a
        # pause, restart or extension is told by its status change or its apology letter.
        return key if event.reason == "started" and (event.data or {}).get("due_at") else None
    if event.kind == EventKind.DATES_MOVED:
        # Only a new promised date is the applicant's business; moved step and opinion deadlines are the
        # officers'.
        data = event.data or {}
        return key if data.get("due_at") and data.get("due_at") != data.get("due_before") else None
    if key is not None:
        return key
    if event.status_after is None:
        return None
    return STATUS_NOTICES.get(event.status_after, notice_keys.STATUS_CHANGED)


def forget_dossier_notices(event_id: int) -> None:
    """The notices about a dossier whose personal data was removed at the end of its retention period
    (``applicant_anonymised``, ``dossiers.services.anonymise_dossier``) lose their text and addresses
    (``notifications.services.forget_subject``): the applicant's and the staff's alike. Run by the dossier
    dispatcher after the commit; idempotent."""
    event = DossierEvent.objects.select_related("dossier").get(pk=event_id)
    dossier = event.dossier
    refs = [f"dossier:{ref}" for ref in (dossier.code, dossier.reference) if ref]
    content_type = ContentType.objects.get_for_model(Dossier)
    notice_services.forget_subject(refs, content_type, str(dossier.pk))


def notify_applicant(event_id: int) -> None:
    """The applicant's notice of the event ``event_id``, if it calls for one. Run by the dossier dispatcher
    after the officer's commit (``apps.py``); in a savepoint and never raising: a notice problem is logged
    and never undoes the officer's action."""
    event = DossierEvent.objects.get(pk=event_id)
    key = applicant_notice_key(event)
    if key is not None:
        send_guarded(partial(_send_notice, event, key), f"notice for dossier event {event.pk}")


def _send_notice(event: DossierEvent, key: str) -> None:
    dossier = Dossier.objects.select_related("owner", "procedure", "receiving_unit", "processing_unit",
                                             "current_unit", "assigned_to").get(
        pk=event.dossier_id)
    recipient = _recipient(dossier)
    extra = NOTICE_CONTEXT.get(key)
    with translation.override(recipient.language):
        context = {**selectors.notice_context(dossier, event), **(extra(dossier, event) if extra else {})}
    # The notice is the agency's, not the platform's: its name is the e-mail's sender.
    notify(recipient, key, context, related_object=dossier, subject_ref=f"dossier:{dossier.public_id}",
           sender=(dossier.processing_unit.agency() or dossier.processing_unit).name)


def _instant(value: Any) -> dt.datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def _recipient(dossier: Dossier) -> Recipient:
    owner = dossier.owner
    preferred: tuple[str, ...] = ()
    language = "vi"
    if owner is not None:
        language = owner.preferred_language or "vi"
        pref = ContactPreference.objects.filter(user=owner).first()
        preferred = tuple(pref.channels) if pref else ()
    return Recipient(name=dossier.applicant_name, email=dossier.applicant_email or (owner.email if owner else ""),
                     phone=dossier.applicant_phone or (owner.phone if owner else ""), language=language,
                     preferred=preferred)
