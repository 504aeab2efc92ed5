"""A real OpenID Connect provider standing in for VNeID, for development and the tests.

Built with Authlib's server side (``AuthorizationServer``, the authorization-code grant, ``OpenIDCode`` and
``CodeChallenge``) and served over real HTTP by ``motcua.integrations.doubles.Double``:

- ``/.well-known/openid-configuration`` (discovery) and ``/jwks`` (an RSA key generated at start);
- ``/authorize``: a small page where the developer or the test picks or types a person (personal identification
  number, name, level) and presses "Đồng ý" (or "Từ chối"); PKCE with S256 is required, and so is ``nonce``;
- ``/token``: the code for the tokens; a code works once (a replayed code is refused ``invalid_grant``) and for
  ``code_ttl`` seconds;
- ``/userinfo``: the person's claims for the access token.

Faults for the tests: ``id_fault`` (of the ID token) = ``wrong_key`` (signed with another key under the same key id: a
tampered token), ``wrong_audience``, ``wrong_issuer``, ``wrong_nonce``, ``expired`` or ``missing`` (no ID token);
set in process or over HTTP (``POST /_double/faults`` with ``{"id_token": "wrong_key"}``). Run it alone with
``motcua vneid-provider --port 9100``. It is not VNeID: its claim names are this project's defaults
(``conf.DEFAULT_CLAIMS``), since VNeID's are not public.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from authlib.common.security import generate_token
from authlib.consts import default_json_headers
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Payload, OAuth2Request, ResourceProtector, TokenMixin
from authlib.oauth2.rfc6749.errors import InvalidRequestError, OAuth2Error
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, UserInfo, UserInfoEndpoint
from authlib.oidc.core.models import AuthorizationCodeMixin
from joserfc.jwk import RSAKey
from requests.structures import CaseInsensitiveDict

from ..doubles import Double, Reply

ID_NUMBER = re.compile(r"^\d{12}$")
FAULTS = ("", "wrong_key", "wrong_audience", "wrong_issuer", "wrong_nonce", "expired", "missing")


@dataclass(frozen=True)
class Person:
    id_number: str
    name: str
    level: str  # "1" or "2", the value of the ``acr`` claim


# Made-up people for development (the numbers follow the 12-digit format; no real person is meant).
SAMPLE_PEOPLE = (
    Person("068090001234", "Nguyễn Văn An", "2"),
    Person("068195004321", "Lê Thị Chi", "2"),
    Person("001088007777", "Trần Văn Bảo", "1"),
)


@dataclass
class _Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...] = ()  # empty: any redirect URI (a development double)
    client_metadata: dict[str, Any] = field(default_factory=dict)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        allowed = {"openid", "profile"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return not self.redirect_uris or redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(self.client_secret) and client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class _Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str
    code_challenge: str
    code_challenge_method: str
    person: Person
    auth_time: int
    expires_at: float
    used: bool = False

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str:
        return self.person.level


@dataclass
class _Token(TokenMixin):
    access_token: str
    client: _Client
    person: Person
    scope: str
    expires_at: float

    def check_client(self, client: ClientMixin) -> bool:
        return client.get_client_id() == self.client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int(self.expires_at - time.time())

    def is_expired(self) -> bool:
        return time.time() >= self.expires_at

    def is_revoked(self) -> bool:
        return False

    def get_user(self) -> Person:
        return self.person

    def get_client(self) -> _Client:
        return self.client


class _Payload(OAuth2Payload):
    def __init__(self, args: dict[str, list[str]], form: dict[str, list[str]]) -> None:
        merged: defaultdict[str, list[str]] = defaultdict(list)
        for source in (args, form):
            for key, values in source.items():
                merged[key].extend(values)
        self._datalist = merged
        self._data = {key: values[-1] for key, values in merged.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class _Request(OAuth2Request):
    def __init__(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> None:
        parts = urlsplit(path)
        # Only Authlib's transport check reads this address; the double listens on loopback.
        super().__init__(method, "http://localhost" + path, headers=CaseInsensitiveDict(headers))
        self.path = parts.path
        self.query = parts.query
        self._args = parse_qs(parts.query, keep_blank_values=True)
        content_type = self.headers.get("Content-Type", "")
        self._form = (parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
                      if method == "POST" and content_type.startswith("application/x-www-form-urlencoded") else {})
        self.payload = _Payload(self._args, self._form)

    @property
    def args(self) -> dict[str, str]:
        return {key: values[-1] for key, values in self._args.items()}

    @property
    def form(self) -> dict[str, str]:
        return {key: values[-1] for key, values in self._form.items()}


class _RequireS256(CodeChallenge):
    """PKCE is not optional here: a relying party that forgets it is refused, so the tests prove it sends it."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method=S256 is required.")
        super().validate_code_challenge(grant, redirect_uri)


class _OpenIDCode(OpenIDCode):
    def __init__(self, provider: VneidProvider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return nonce in self.provider.nonces

    def resolve_client_private_key(self, client: _Client) -> RSAKey:
        p = self.provider
        return p.wrong_key if p.id_fault == "wrong_key" else p.key

    def get_encode_header(self, client: _Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": self.provider.kid}

    def get_client_claims(self, client: _Client) -> dict[str, Any]:
        p = self.provider
        claims: dict[str, Any] = {
            "iss": "http://elsewhere.invalid" if p.id_fault == "wrong_issuer" else p.issuer,
            "aud": ["someone-else"] if p.id_fault == "wrong_audience" else [client.client_id],
        }
        if p.id_fault == "expired":
            now = int(time.time())
            claims.update(iat=now - 7200, exp=now - 3600)
        return claims

    def get_authorization_code_claims(self, authorization_code: Any) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_authorization_code_claims(authorization_code)
        if self.provider.id_fault == "wrong_nonce":
            claims["nonce"] = "not-the-nonce-you-sent"
        return claims

    def generate_user_info(self, user: Person, scope: str) -> UserInfo:
        return self.provider.user_info(user)

    def process_token(self, grant: Any, response: Any) -> Any:
        if self.provider.id_fault == "missing":
            return response[1]
        return super().process_token(grant, response)


class _CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    @property
    def provider(self) -> VneidProvider:
        return self.server.provider  # type: ignore[no-any-return]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> _Code:
        data = request.payload.data
        item = _Code(code=code, client_id=request.client.client_id, redirect_uri=data.get("redirect_uri", ""),
                     scope=request.client.get_allowed_scope(data.get("scope", "")), nonce=data.get("nonce", ""),
                     code_challenge=data.get("code_challenge", ""),
                     code_challenge_method=data.get("code_challenge_method", ""), person=request.user,
                     auth_time=int(time.time()), expires_at=time.time() + self.provider.code_ttl)
        with self.provider.lock:
            self.provider.codes[code] = item
            if item.nonce:
                self.provider.nonces.add(item.nonce)
        return item

    def query_authorization_code(self, code: str, client: _Client) -> _Code | None:
        item = self.provider.codes.get(code)
        if item is None or item.used or item.client_id != client.client_id or time.time() >= item.expires_at:
            return None
        return item

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        # Kept, marked used: a second exchange of the same code is refused (RFC 6749 §4.1.2).
        authorization_code.used = True

    def authenticate_user(self, authorization_code: _Code) -> Person:
        return authorization_code.person


class _Bearer(BearerTokenValidator):
    def __init__(self, provider: VneidProvider) -> None:
        super().__init__()
        self.provider = provider

    def authenticate_token(self, token_string: str) -> _Token | None:
        return self.provider.tokens.get(token_string)


class _UserInfo(UserInfoEndpoint):
    def __init__(self, provider: VneidProvider, protector: ResourceProtector) -> None:
        super().__init__(resource_protector=protector)
        self.provider = provider

    def create_endpoint_request(self, request: OAuth2Request) -> OAuth2Request:
        return request

    def __call__(self, request: OAuth2Request) -> tuple[int, Any, list[tuple[str, str]]]:
        assert self.resource_protector is not None
        token = self.resource_protector.validate_request(["openid"], request)
        return 200, self.provider.user_info(token.get_user()), default_json_headers

    def get_issuer(self) -> str:
        return self.provider.issuer


class _Server(AuthorizationServer):
    def __init__(self, provider: VneidProvider) -> None:
        super().__init__(scopes_supported=["openid", "profile"])
        self.provider = provider
        self.register_token_generator("default", BearerTokenGenerator(
            access_token_generator=lambda **kwargs: generate_token(42)))

    def query_client(self, client_id: str) -> _Client | None:
        return self.provider.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        with self.provider.lock:
            self.provider.tokens[token["access_token"]] = _Token(
                access_token=token["access_token"], client=request.client, person=request.user,
                scope=token.get("scope", ""), expires_at=time.time() + int(token.get("expires_in", 3600)))

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        return request  # type: ignore[no-any-return]

    def create_json_request(self, request: Any) -> Any:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> Reply:
        head = dict(headers or [])
        content_type = head.pop("Content-Type", "application/json; charset=utf-8")
        if isinstance(body, dict | list):
            return Reply(status, body, head, content_type=content_type)
        return Reply(status, raw=str(body or "").encode(), headers=head, content_type=content_type)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class VneidProvider(Double):
    """The development and test stand-in for VNeID (see the module's docstring)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, client_id: str = "motcua",
                 client_secret: str = "motcua-dev-secret",  # noqa: S107 - the double's known dev secret
                 redirect_uris: tuple[str, ...] = (),
                 people: tuple[Person, ...] = SAMPLE_PEOPLE, issuer: str = "", code_ttl: float = 60) -> None:
        super().__init__(host, port)
        self._issuer = issuer.rstrip("/")
        self.kid = "vneid-double-" + generate_token(8)
        self.key = RSAKey.generate_key(2048, {"kid": self.kid, "use": "sig", "alg": "RS256"}, private=True)
        # The same key id on another key: what a forged or altered token looks like to the relying party.
        self.wrong_key = RSAKey.generate_key(2048, {"kid": self.kid, "use": "sig", "alg": "RS256"}, private=True)
        self.clients = {client_id: _Client(client_id, client_secret, tuple(redirect_uris))}
        self.people = tuple(people)
        self.code_ttl = code_ttl
        self.id_fault = ""
        self.codes: dict[str, _Code] = {}
        self.tokens: dict[str, _Token] = {}
        self.nonces: set[str] = set()
        self.subjects: dict[str, str] = {}  # id_number → sub, when a test wants to choose it
        # What the authorization endpoint received, for the tests (PKCE, nonce, scope...).
        self.authorize_requests: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.server = _Server(self)
        self.server.register_grant(_CodeGrant, [_RequireS256(required=True), _OpenIDCode(self)])
        protector = ResourceProtector()
        protector.register_token_validator(_Bearer(self))
        self.server.register_endpoint(_UserInfo(self, protector))

    @property
    def issuer(self) -> str:
        return self._issuer or self.url

    def subject(self, person: Person) -> str:
        # Stable for a person across restarts of the double, and not their number.
        return self.subjects.get(person.id_number) or hashlib.sha256(
            f"vneid-double:{person.id_number}".encode()).hexdigest()[:32]

    def user_info(self, person: Person) -> UserInfo:
        return UserInfo(sub=self.subject(person), name=person.name, id_number=person.id_number)

    def metadata(self) -> dict[str, Any]:
        base = self.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "name", "id_number", "acr"],
        }

    def steer(self, order: Any) -> Reply:
        if isinstance(order, dict) and "id_token" in order:
            fault = str(order.get("id_token") or "")
            if fault not in FAULTS:
                return Reply(400, {"error": f"id_token must be one of {', '.join(FAULTS[1:])}"})
            self.id_fault = fault
            rest = {k: v for k, v in order.items() if k != "id_token"}
            return super().steer(rest) if rest else Reply(200, {"ok": True})
        return super().steer(order)

    # --- routes ---------------------------------------------------------------------------------------------

    def route(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        request = _Request(method, path, body, headers)
        where = request.path.rstrip("/") or "/"
        if where == "/.well-known/openid-configuration" and method == "GET":
            return Reply(200, self.metadata())
        if where == "/jwks" and method == "GET":
            return Reply(200, {"keys": [self.key.as_dict(private=False)]})
        if where == "/authorize" and method in ("GET", "POST"):
            return self._authorize(request)
        if where == "/token" and method == "POST":
            return self.server.create_token_response(request)  # type: ignore[no-any-return]
        if where == "/userinfo" and method in ("GET", "POST"):
            return self.server.create_endpoint_response("userinfo", request)  # type: ignore[no-any-return]
        return Reply(404, {"error": "no such route"})

    def _authorize(self, request: _Request) -> Reply:
        try:
            grant = self.server.get_consent_grant(request)
        except OAuth2Error as error:
            if error.redirect_uri:
                return self.server.handle_error_response(request, error)  # type: ignore[no-any-return]
            return _page(400, "Yêu cầu không hợp lệ", f"<p role=\"alert\">{html.escape(error.description or '')}"
                         f" ({html.escape(error.error or '')})</p>")
        if request.method == "GET":
            with self.lock:
                self.authorize_requests.append(dict(request.args))
            return self._consent(request, "")
        form = request.form
        if form.get("decision") == "deny":
            return self.server.create_authorization_response(request, None, grant)  # type: ignore[no-any-return]
        person, problem = self._person(form)
        if person is None:
            return self._consent(request, problem, status=400)
        return self.server.create_authorization_response(request, person, grant)  # type: ignore[no-any-return]

    def _person(self, form: dict[str, str]) -> tuple[Person | None, str]:
        choice = form.get("person", "")
        if choice.isdigit() and int(choice) < len(self.people):
            return self.people[int(choice)], ""
        id_number = form.get("id_number", "").strip()
        name = " ".join(form.get("name", "").split())
        level = form.get("level", "")
        if not ID_NUMBER.match(id_number):
            return None, "Số định danh cá nhân gồm 12 chữ số."
        if not name:
            return None, "Nhập họ và tên."
        if level not in ("1", "2"):
            return None, "Chọn mức định danh."
        return Person(id_number, name, level), ""

    def _consent(self, request: _Request, problem: str, status: int = 200) -> Reply:
        action = html.escape("/authorize?" + request.query, quote=True)
        client = html.escape(request.payload.data.get("client_id", ""))
        people = "".join(
            f'<li><input type="radio" name="person" id="p{i}" value="{i}"{" checked" if i == 0 else ""}> '
            f'<label for="p{i}">{html.escape(p.name)} — {html.escape(p.id_number)} — mức {p.level}</label></li>'
            for i, p in enumerate(self.people))
        alert = f'<p class="alert" role="alert">{html.escape(problem)}</p>' if problem else ""
        body = f"""<p class="warn">Đây là nhà cung cấp định danh giả lập để phát triển và kiểm thử motcua, không phải
VNeID thật. Không nhập thông tin của người thật.</p>
<p>Ứng dụng <strong>{client}</strong> xin xác nhận danh tính của bạn.</p>
{alert}
<form method="post" action="{action}">
<fieldset><legend>Chọn công dân</legend>
<ul class="people">{people}
<li><input type="radio" name="person" id="p-other" value="other"> <label for="p-other">Người khác (nhập bên
dưới)</label></li></ul></fieldset>
<fieldset><legend>Người khác</legend>
<p><label for="id_number">Số định danh cá nhân (12 chữ số)</label><br>
<input id="id_number" name="id_number" inputmode="numeric" autocomplete="off" maxlength="12"></p>
<p><label for="name">Họ và tên</label><br><input id="name" name="name" autocomplete="off"></p>
<fieldset><legend>Mức định danh</legend>
<input type="radio" name="level" id="level2" value="2" checked> <label for="level2">Mức 2</label>
<input type="radio" name="level" id="level1" value="1"> <label for="level1">Mức 1</label></fieldset>
</fieldset>
<p><button type="submit" name="decision" value="allow">Đồng ý</button>
<button type="submit" name="decision" value="deny">Từ chối</button></p>
</form>"""
        return _page(status, "Đăng nhập bằng VNeID (giả lập)", body)


def _page(status: int, title: str, body: str) -> Reply:
    page = f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;color:#111}}
h1{{color:#8b1a1a}} .warn{{border:2px solid #8a6100;background:#fff7e0;padding:.5rem}}
.alert{{color:#8b1a1a;font-weight:700}} fieldset{{margin:0 0 1rem}} ul.people{{list-style:none;padding:0}}
button{{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem}}</style></head>
<body><main><h1>{html.escape(title)}</h1>
{body}
</main></body></html>"""
    return Reply(status, raw=page.encode(), content_type="text/html; charset=utf-8")

