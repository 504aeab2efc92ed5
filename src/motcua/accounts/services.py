"""Every write to organisation units, people, roles and tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from webauthn import verify_authentication_response, verify_registration_response
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException

from motcua.core.text import nfc

from .choices import ApplicantKind, IdentityLevel, Role
from .models import (
    ApiToken,
    OrgUnit,
    RecoveryCode,
    RecoveryCodeDevice,
    RoleAssignment,
    SecurityKeyDevice,
    User,
    normalise_recovery_code,
    recovery_code_digest,
)
from .passkeys import RelyingParty
from .permissions import requires_second_factor

logger = logging.getLogger(__name__)

TOKEN_PREFIX_BYTES = 6
TOKEN_SECRET_BYTES = 32


@transaction.atomic
def save_unit(unit: OrgUnit) -> OrgUnit:
    """Save a unit and keep the materialised paths of it and its subtree right."""
    unit.name = nfc(unit.name)
    unit.short_name = nfc(unit.short_name)
    old_path = unit.path
    if unit.pk is None:
        unit.save()
    parent_path = unit.parent.path if unit.parent_id and unit.parent else "/"
    if unit.parent_id and unit.parent and f"/{unit.pk}/" in parent_path:
        raise ValueError("A unit cannot be placed under its own subtree.")
    unit.path = f"{parent_path}{unit.pk}/"
    unit.save()
    if old_path and old_path != unit.path:
        for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            child.path = unit.path + child.path[len(old_path):]
            child.save(update_fields=["path"])
    return unit


def assign_role(user: User, role: str, unit: OrgUnit | None = None, *,
                valid_from: dt.date | None = None, valid_to: dt.date | None = None, title: str = "") -> RoleAssignment:
    assignment, _ = RoleAssignment.objects.update_or_create(
        user=user, role=role, unit=unit, defaults={"valid_from": valid_from, "valid_to": valid_to,
                                                   "title": nfc(title)}
    )
    if hasattr(user, "_motcua_assignments"):
        del user._motcua_assignments
    return assignment


def create_citizen(*, username: str, full_name: str, email: str = "", phone: str = "", password_hash: str = "",
                   language: str = "vi") -> User:
    """A citizen account: by the portal's registration, by the desk for an applicant who has none, by a first
    sign-in through VNeID. Without a password hash the account has no usable password."""
    user = User(username=username, full_name=nfc(full_name), email=email, phone=phone,
                applicant_kind=ApplicantKind.INDIVIDUAL, preferred_language=language)
    if password_hash:
        user.password = password_hash
    else:
        user.set_unusable_password()
    user.save()
    assign_role(user, Role.CITIZEN)
    return user


def record_identification(user: User, level: str) -> None:
    """Record the electronic identification level that a sign-in through VNeID has just proved (Decree
    69/2024/NĐ-CP Art. 13): called by that sign-in only (integrations.vneid), never from a form."""
    if level not in (IdentityLevel.VNEID_1, IdentityLevel.VNEID_2):
        raise ValueError(f"Not a VNeID identification level: {level!r}")
    User.objects.filter(pk=user.pk).update(identity_level=level)
    user.identity_level = level


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str = "", expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token and return it with its clear text, which is never stored nor shown again."""
    prefix = secrets.token_hex(TOKEN_PREFIX_BYTES)
    secret = secrets.token_urlsafe(TOKEN_SECRET_BYTES)
    token = ApiToken.objects.create(user=user, name=nfc(name), prefix=prefix, digest=_digest(secret),
                                    expires_at=expires_at)
    return token, f"mc_{prefix}_{secret}"


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])


def authenticate_token(raw: str) -> User | None:
    """The active user behind a bearer token, or None for any malformed, unknown or dead token."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "mc":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not token.is_usable():
        return None
    if not secrets.compare_digest(token.digest, _digest(parts[2])):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    # Record use at most once a minute so a busy client does not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- The second factor of staff (docs/security.md "Second factor for staff") -------------------------------
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper without doubt
RECOVERY_CODE_LENGTH = 10  # 10 symbols of 32: 50 bits, each code usable once
AUTHENTICATOR_NAME = "authenticator"


def start_totp_enrolment(user: User) -> TOTPDevice:
    """The unconfirmed authenticator of ``user`` being enrolled (made once, with a new random secret): it
    counts only once a code from it has been typed back (``confirm_totp``)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_totp(device: TOTPDevice, code: str) -> bool:
    """Confirm an enrolment with a code from the app; the person's earlier authenticators are then removed
    (one app at a time: the one whose QR code was just scanned)."""
    if device.confirmed or not device.verify_token(code):
        return False
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def _recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes for ``user``, replacing any earlier ones (which stop working). Returned in clear
    once, to be shown once; only their keyed digests are kept."""
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery codes")
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=recovery_code_digest(normalise_recovery_code(code))) for code in codes)
    return codes


@transaction.atomic
def reset_second_factor(user: User) -> int:
    """Remove every authenticator and recovery code of ``user`` (a lost phone, a person leaving): their next
    sign-in asks them to enrol again. Each removal is in the audit log (the devices are registered with
    django-auditlog, the actor is the administrator of the request). Returns how many devices were removed."""
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    removed += SecurityKeyDevice.objects.filter(user=user).delete()[1].get(SecurityKeyDevice._meta.label, 0)
    removed += RecoveryCodeDevice.objects.filter(user=user).delete()[1].get(RecoveryCodeDevice._meta.label, 0)
    return removed


# --- Security keys and passkeys (WebAuthn), the other second factor -----------------------------------------
SECURITY_KEY_NAME_MAX = 64  # django-otp's Device.name


class SecurityKeyError(Exception):
    """A security key's answer refused, with the message for the person (in their language)."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _no_challenge() -> SecurityKeyError:
    return SecurityKeyError(_("This request has expired or was already answered. Try again."), code="challenge")


def register_security_key(user: User, credential: Any, challenge: bytes | None, rp: RelyingParty,
                          name: str) -> SecurityKeyDevice:
    """Enrol the security key or passkey whose answer to ``navigator.credentials.create()`` is ``credential``
    (the JSON object the page posted), made for ``challenge`` on ``rp``. Attestation is not asked for ("none"):
    any authenticator the person holds is accepted, as any authenticator app is. Raises ``SecurityKeyError``
    and stores nothing when the answer does not verify or the key is already enrolled."""
    name = nfc(name or "").strip()
    if len(name) > SECURITY_KEY_NAME_MAX:
        raise SecurityKeyError(_("The name is too long: at most %(max)d characters.") % {"max": SECURITY_KEY_NAME_MAX},
                               code="name")
    if challenge is None:
        raise _no_challenge()
    try:
        verified = verify_registration_response(credential=credential, expected_challenge=challenge,
                                                expected_rp_id=rp.id, expected_origin=rp.origin)
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        logger.info("security key of user %s not enrolled: %s", user.pk, exc)
        raise SecurityKeyError(_("The security key's answer could not be verified. Try again.")) from exc
    transports = credential.get("response", {}).get("transports") if isinstance(credential, dict) else None
    try:
        with transaction.atomic():
            return SecurityKeyDevice.objects.create(
                user=user, name=name or _("Security key"), confirmed=True,
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=verified.credential_public_key, sign_count=verified.sign_count,
                transports=[str(t) for t in transports][:8] if isinstance(transports, list) else [],
                aaguid=verified.aaguid, backed_up=verified.credential_backed_up,
            )
    except IntegrityError as exc:
        raise SecurityKeyError(_("This security key is already enrolled."), code="duplicate") from exc


@transaction.atomic
def verify_security_key(user: User, credential: Any, challenge: bytes | None, rp: RelyingParty) -> SecurityKeyDevice:
    """The key of ``user`` whose signed answer to ``navigator.credentials.get()`` is ``credential``, verified for
    ``challenge`` on ``rp``; its signature counter and last use recorded. The key's row is locked meanwhile, so two
    answers cannot both pass with one counter. Raises ``SecurityKeyError`` otherwise (the caller counts it as a
    wrong second factor)."""
    if challenge is None:
        raise _no_challenge()
    credential_id = credential.get("id") if isinstance(credential, dict) else None
    key = SecurityKeyDevice.objects.select_for_update().filter(
        user=user, confirmed=True, credential_id=str(credential_id or "")).first()
    if key is None:
        raise SecurityKeyError(_("This security key is not enrolled for your account."), code="unknown")
    try:
        # The counter is checked below, after the signature: a forged answer is "not verified", and only a
        # properly signed answer with a counter that went back is taken as a sign of a copied authenticator.
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp.id, expected_origin=rp.origin,
            credential_public_key=bytes(key.public_key), credential_current_sign_count=0)
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        logger.info("security key %s of user %s refused: %s", key.pk, user.pk, exc)
        raise SecurityKeyError(_("The security key's answer could not be verified. Try again.")) from exc
    # WebAuthn §6.1.1 and §7.2 step 21: a signature counter that does not go up (when the authenticator keeps one)
    # means that two authenticators hold this credential's private key.
    if (verified.new_sign_count > 0 or key.sign_count > 0) and verified.new_sign_count <= key.sign_count:
        logger.warning("security key %s of user %s: signature counter %s after %s, possibly cloned; refused",
                       key.pk, user.pk, verified.new_sign_count, key.sign_count)
        raise SecurityKeyError(_("This security key's signature counter went backwards, so it may have been copied: "
                                 "it was refused. Sign in with your authenticator app and tell the administrator."),
                               code="counter")
    key.sign_count = verified.new_sign_count
    key.backed_up = verified.credential_backed_up
    key.last_used_at = timezone.now()
    key.save(update_fields=["sign_count", "backed_up", "last_used_at"])
    return key


@transaction.atomic
def remove_security_key(user: User, key_id: int) -> SecurityKeyDevice:
    """Remove one of ``user``'s own security keys (the caller has had the password given again). The last second
    factor of a person who must use one is kept: with neither an authenticator app nor another key, their next
    sign-in would enrol whatever a holder of the password brings."""
    key = SecurityKeyDevice.objects.select_for_update().filter(user=user, pk=key_id).first()
    if key is None:
        raise SecurityKeyError(_("This security key is not enrolled for your account."), code="unknown")
    others = (SecurityKeyDevice.objects.filter(user=user, confirmed=True).exclude(pk=key.pk).exists()
              or TOTPDevice.objects.filter(user=user, confirmed=True).exists())
    if not others and requires_second_factor(user):
        raise SecurityKeyError(_("This is your only second factor: set up the authenticator app or enrol another "
                                 "key before removing it."), code="last")
    key.delete()
    return key
