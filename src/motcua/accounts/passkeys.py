"""The relying party of security keys and passkeys (WebAuthn): who we are to the authenticator, and the one-time
challenges of the ceremonies. The cryptography is py_webauthn's (``services.register_security_key``,
``services.verify_security_key``); docs/security.md "Second factor for staff".

**RP ID and origin.** A credential is bound to the RP ID (a host name) it was made for: the browser offers it only
on that host, and the signed client data names the page's origin. Both come from ``MOTCUA_PUBLIC_BASE_URL`` when it
is set (production sets it: keys keep working whatever host name a proxy passes on); otherwise from the host of the
request (a development server, the tests). Keys enrolled under one host name do not work under another.

**Challenges** are 32 random bytes kept in the session, one per ceremony (a new one replaces the last), taken out
by the first answer whether it verifies or not (single use: a replayed answer finds none) and refused after
``MOTCUA_WEBAUTHN_TIMEOUT`` seconds.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from webauthn import generate_authentication_options, generate_registration_options, options_to_json
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .models import SecurityKeyDevice, User

_SESSION_KEY = "motcua_webauthn"
REGISTER = "register"
AUTHENTICATE = "authenticate"
CHALLENGE_BYTES = 32


@dataclass(frozen=True)
class RelyingParty:
    id: str  # the host name, e.g. "motcua.soxaydung.gov.vn"
    origin: str  # scheme://host[:port], as the browser writes it in clientDataJSON
    name: str


def relying_party(request: HttpRequest) -> RelyingParty:
    base = urlsplit(settings.MOTCUA_PUBLIC_BASE_URL or "")
    if base.scheme and base.hostname:
        origin = f"{base.scheme}://{base.netloc}"
        host = base.hostname
    else:
        origin = f"{request.scheme}://{request.get_host()}"
        host = urlsplit(origin).hostname or "localhost"
    return RelyingParty(id=host, origin=origin, name=settings.OTP_TOTP_ISSUER)


def user_handle(user: User) -> bytes:
    """The user handle given to the authenticator: stable for a person (a passkey made twice replaces itself on the
    authenticator) and without personal data (WebAuthn §14.6.1), a keyed digest of the person's id."""
    return salted_hmac("motcua.accounts.webauthn-user", str(user.pk), algorithm="sha256").digest()


def _descriptor(key: SecurityKeyDevice) -> PublicKeyCredentialDescriptor:
    transports = []
    for name in key.transports or []:
        try:
            transports.append(AuthenticatorTransport(name))
        except ValueError:
            continue  # a transport this version of the library does not know: the browser finds the key anyway
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id), transports=transports or None)


def _timeout_ms() -> int:
    return int(settings.MOTCUA_WEBAUTHN_TIMEOUT) * 1000


def _remember(request: HttpRequest, purpose: str, challenge: bytes) -> None:
    request.session[_SESSION_KEY] = {"purpose": purpose, "challenge": bytes_to_base64url(challenge),
                                     "expires": time.time() + int(settings.MOTCUA_WEBAUTHN_TIMEOUT)}


def take_challenge(request: HttpRequest, purpose: str) -> bytes | None:
    """The challenge of the ceremony ``purpose`` under way in this session, taken out (it serves once); None when
    there is none, it is for the other ceremony, or it has expired."""
    stored = request.session.pop(_SESSION_KEY, None)
    if not isinstance(stored, dict) or stored.get("purpose") != purpose:
        return None
    if float(stored.get("expires", 0)) < time.time():
        return None
    try:
        return base64url_to_bytes(str(stored["challenge"]))
    except (KeyError, ValueError):
        return None


def registration_options(request: HttpRequest, user: User, existing: list[SecurityKeyDevice]) -> dict[str, Any]:
    """The options of ``navigator.credentials.create()`` (as JSON-ready data), the challenge kept in the session.
    The person's keys are excluded (an authenticator is not enrolled twice); a passkey is preferred (resident
    key), user verification is preferred but not required: this is the second factor, after the password."""
    rp = relying_party(request)
    challenge = secrets.token_bytes(CHALLENGE_BYTES)
    options = generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_id=user_handle(user), user_name=user.username,
        user_display_name=user.get_full_name(), challenge=challenge, timeout=_timeout_ms(),
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[_descriptor(key) for key in existing],
    )
    _remember(request, REGISTER, challenge)
    return _as_data(options_to_json(options))


def authentication_options(request: HttpRequest, keys: list[SecurityKeyDevice]) -> dict[str, Any]:
    """The options of ``navigator.credentials.get()`` for the person's own keys, the challenge kept in the
    session."""
    rp = relying_party(request)
    challenge = secrets.token_bytes(CHALLENGE_BYTES)
    options = generate_authentication_options(
        rp_id=rp.id, challenge=challenge, timeout=_timeout_ms(),
        allow_credentials=[_descriptor(key) for key in keys],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _remember(request, AUTHENTICATE, challenge)
    return _as_data(options_to_json(options))


def _as_data(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    return data
