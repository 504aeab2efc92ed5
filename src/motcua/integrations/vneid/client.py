"""The OpenID Connect client of the VNeID sign-in, on Authlib's Django client.

Authorization-code flow with PKCE (S256). ``state``, ``nonce`` and the code verifier are kept in the session by
Authlib (one entry per started sign-in, cleared when it comes back). The ID token's signature is checked against
the provider's keys (JWKS, from discovery), then ``iss``, ``aud``, ``exp`` and ``nonce``; the userinfo is fetched
with the access token and must be about the same ``sub``. Every failure is a ``SignInError`` with a code that
names the kind of failure, never the person.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from motcua.core.text import nfc

from .conf import Config

NAME = "vneid"
ID_NUMBER = re.compile(r"^\d{12}$")
# Discovery is fetched again after this long, so that a provider's new endpoints are taken up without a restart
# (a new signing key is taken up at once: an unknown key id fetches the JWKS again).
METADATA_MAX_AGE = 3600
CLOCK_LEEWAY = 60  # seconds of clock difference tolerated on exp/iat


class SignInError(Exception):
    """A sign-in that cannot go on. ``code`` is for the logs and the tests; ``message`` for the citizen."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Identification:
    """Who VNeID says the person is."""

    issuer: str
    subject: str
    id_number: str
    full_name: str
    level: str


_apps: dict[tuple[str, ...], DjangoOAuth2App] = {}
_lock = threading.Lock()


def _app(cfg: Config) -> DjangoOAuth2App:
    key = (cfg.issuer, cfg.client_id, cfg.client_secret, cfg.scopes, str(cfg.timeout))
    with _lock:
        app = _apps.get(key)
        loaded = app.server_metadata.get("_loaded_at") if app is not None else None
        if app is None or (loaded is not None and time.time() - loaded > METADATA_MAX_AGE):
            app = DjangoOAuth2App(
                DjangoIntegration(NAME), name=NAME, client_id=cfg.client_id, client_secret=cfg.client_secret or None,
                server_metadata_url=cfg.metadata_url,
                client_kwargs={"scope": cfg.scopes, "code_challenge_method": "S256", "default_timeout": cfg.timeout})
            _apps[key] = app
        return app


def _forget(cfg: Config) -> None:
    with _lock:
        _apps.clear()


def unreachable() -> SignInError:
    # 409, not a 5xx: motcua works, VNeID does not (DESIGN.md: a 5xx is always a bug of motcua).
    return SignInError("unreachable", _("VNeID cannot be reached at the moment. Try again in a few minutes, or sign "
                                        "in with your password."), status=409)


def _metadata(app: DjangoOAuth2App, cfg: Config) -> dict[str, Any]:
    try:
        metadata: dict[str, Any] = app.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        _forget(cfg)
        raise unreachable() from exc
    # OpenID Connect Discovery 1.0 §4.3: the issuer a provider announces must be the one it was asked about.
    if str(metadata.get("issuer", "")).rstrip("/") != cfg.issuer.rstrip("/"):
        _forget(cfg)
        raise SignInError("issuer", _("VNeID's configuration does not match the address configured here. Tell the "
                                      "one-stop desk; sign in with your password meanwhile."), status=409)
    return metadata


def authorization_redirect(request: HttpRequest, cfg: Config, redirect_uri: str, *, next_url: str,
                           link_user: int | None) -> HttpResponseRedirect:
    """The redirect to VNeID's authorization page; what the return needs is kept in the session."""
    app = _app(cfg)
    _metadata(app, cfg)
    try:
        rv = app.create_authorization_url(redirect_uri)
    except (requests.RequestException, RuntimeError) as exc:
        raise unreachable() from exc
    app.save_authorize_data(request, redirect_uri=redirect_uri, next=next_url, link_user=link_user, **rv)
    return HttpResponseRedirect(rv["url"])


def pending(request: HttpRequest) -> dict[str, Any] | None:
    """What was kept when this sign-in started (its ``next`` and ``link_user``), or None for a wrong state."""
    state = request.GET.get("state") or ""
    if not state:
        return None
    data = DjangoIntegration(NAME).get_state_data(request.session, state)
    return data if isinstance(data, dict) else None


def finish(request: HttpRequest, cfg: Config) -> Identification:
    """Check what VNeID sent back and trade the code for the tokens; the identification, or ``SignInError``."""
    app = _app(cfg)
    state = request.GET.get("state") or ""
    if request.GET.get("error"):
        if state:
            app.framework.clear_state_data(request.session, state)
        if request.GET["error"] == "access_denied":
            raise SignInError("access_denied", _("You did not agree to share your identification at VNeID, so you "
                                                 "are not signed in. You may start again, or sign in with your "
                                                 "password."))
        raise SignInError("provider_error", _("VNeID could not sign you in. Start again; if it happens again, sign "
                                              "in with your password and tell the one-stop desk."))
    if not state or pending(request) is None:
        raise SignInError("state", _("This sign-in is not one this site started, or it was already finished (an old "
                                     "or copied link, or another browser). Start the sign-in with VNeID again."))
    if not request.GET.get("code"):
        app.framework.clear_state_data(request.session, state)
        raise SignInError("code", _("VNeID sent no sign-in code. Start the sign-in with VNeID again."))
    metadata = _metadata(app, cfg)
    options = {"iss": {"essential": True, "value": metadata["issuer"]},
               "aud": {"essential": True, "value": cfg.client_id},
               "sub": {"essential": True}, "exp": {"essential": True}}
    try:
        token = app.authorize_access_token(request, claims_options=options, leeway=CLOCK_LEEWAY)
    except MismatchingStateError as exc:
        raise SignInError("state", _("This sign-in is not one this site started, or it was already finished. "
                                     "Start the sign-in with VNeID again.")) from exc
    except OAuthError as exc:
        # The token endpoint refused the code: used already, expired, or not issued to us (RFC 6749 §5.2).
        raise SignInError("token", _("VNeID refused the sign-in code: it was already used or it has expired. Start "
                                     "the sign-in with VNeID again.")) from exc
    except JoseError as exc:
        raise _bad_token() from exc
    except requests.RequestException as exc:
        raise unreachable() from exc
    except ValueError as exc:  # a token answer that is not JSON, a key set that cannot be read
        raise _bad_token() from exc
    id_claims = token.get("userinfo")
    if not id_claims:  # no ID token at all: nothing proves who this is
        raise _bad_token()
    claims: dict[str, Any] = {}
    if metadata.get("userinfo_endpoint"):
        try:
            info = dict(app.userinfo(token=token))
        except (requests.RequestException, ValueError) as exc:
            raise unreachable() from exc
        # OpenID Connect Core §5.3.2: the userinfo must be about the person of the ID token.
        if info.get("sub") != id_claims.get("sub"):
            raise _bad_token()
        claims.update(info)
    claims.update(id_claims)  # the signed claims win
    return _identification(claims, cfg, str(metadata["issuer"]))


def _bad_token() -> SignInError:
    return SignInError("id_token", _("The identification sent by VNeID could not be verified, so it was not used and "
                                     "nothing was changed. Start the sign-in with VNeID again; if it happens again, "
                                     "tell the one-stop desk."))


def _identification(claims: dict[str, Any], cfg: Config, issuer: str) -> Identification:
    mapping = cfg.claims
    id_number = str(claims.get(mapping.id_number) or "").strip()
    if not ID_NUMBER.match(id_number):
        raise SignInError("id_number", _("VNeID did not give a personal identification number (12 digits), which "
                                         "this site needs to know who you are. Nothing was changed."))
    level = mapping.levels.get(str(claims.get(mapping.level, "")).strip())
    if level is None:
        raise SignInError("level", _("VNeID did not say at which level your identification was made, so it cannot "
                                     "be used here. Nothing was changed; tell the one-stop desk."))
    name = " ".join(nfc(str(claims.get(mapping.name) or "")).split())[:150]
    return Identification(issuer=issuer, subject=str(claims["sub"]), id_number=id_number, full_name=name,
                          level=level)
