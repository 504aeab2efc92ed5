"""Whole-page cache for the public pages an anonymous visitor opens most (issue 20, docs/operations.md "Request
cost").

``@public_page(token, ...)`` keeps, per process, the body a view rendered for an anonymous GET, under a key made of
the view, the host and scheme, the full path with its query, the active language, today's date (pages show what is
in force today) and the revision tokens the caller names (``core.revisions``: the catalogue's, the calendar's),
read before the view runs. A change that any token covers replaces it, so a page rendered before the change is
never served after it; the date rolls the key over at midnight; a deploy restarts the processes.

Never cached, always rendered: a visitor signed in, a request with messages waiting for it (they are shown once, on
the next page), any method but GET (HEAD is a GET inside ``HeadAsGetMiddleware``), an answer other than 200, a
streamed answer, one that sets a cookie, and, for ``query=False`` pages, a request with a query string.

CSRF: every page carries a token (the language switch is a POST form). The token inputs Django renders are
replaced by a placeholder in the stored body, and each visitor served from the cache gets a token of their own
(``get_token``, which also sets their CSRF cookie, as rendering the tag does). If the visitor's CSRF secret still
shows anywhere else in the body, the body is not stored: one visitor's token is never served to another.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token  # type: ignore[attr-defined]
from django.utils import timezone
from django.utils.translation import get_language

from . import revisions

SIZE = 512  # entries per process (a page is some 10 to 60 KB); emptied when full (core.revisions.Cache)
PLACEHOLDER = b"\x00csrf-token\x00"  # a NUL never occurs in a rendered page
# The hidden input of ``{% csrf_token %}`` (django.template.defaulttags.CsrfTokenNode), exactly as Django writes it.
_TOKEN_INPUT = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(">)')
_TOKEN_LIKE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


@dataclass(frozen=True)
class _Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    has_token: bool


_store = revisions.Cache(SIZE)


def clear() -> None:
    """Forget every stored page (tests; a changed setting, below)."""
    _store.clear()


def _on_setting_changed(**kwargs: Any) -> None:
    clear()  # a page may show any setting (the agency's name, the hotline, which features are on)


setting_changed.connect(_on_setting_changed, dispatch_uid="motcua_pagecache_settings")


def public_page(*tokens: Callable[[], str], query: bool = True) -> Callable[[Any], Any]:
    """Serve the view's anonymous GETs from the per-process page cache, keyed as the module docstring says.

    ``tokens``: functions returning the revision tokens of everything the page shows from the database, besides
    the request itself; a page that shows nothing from it names none. ``query=False``: only the page without a
    query string is kept (pages whose query is one visitor's own input, e.g. a tracking code from a QR code).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        name = f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _may_use(request, query):
                return view(request, *args, **kwargs)
            key = (name, request.get_host(), request.is_secure(), request.get_full_path(), get_language())
            revision = (timezone.localdate(), *(token() for token in tokens))
            entry = _store.get(key, revision)
            if entry is not None:
                return _serve(request, entry)
            response = view(request, *args, **kwargs)
            entry = _entry(request, response)
            if entry is not None:
                _store.put(key, revision, entry)
            return response

        return wrapped

    return decorator


def this_minute() -> str:
    """A key part for pages that show a time computed from the present instant to the minute (the procedure page's
    promised date: "if you submit now, the result is due by H:i")."""
    return timezone.localtime().strftime("%H:%M")


def _may_use(request: HttpRequest, query: bool) -> bool:
    if request.method != "GET" or (not query and request.META.get("QUERY_STRING")):
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    # ``len`` loads the waiting messages without marking them shown: the view renders them as usual.
    return len(messages.get_messages(request)) == 0


def _entry(request: HttpRequest, response: HttpResponse) -> _Entry | None:
    if (response.status_code != 200 or response.streaming or response.cookies
            or not isinstance(response, HttpResponse) or response.has_header("Set-Cookie")):
        return None
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return None  # the view kept something for this visitor: the page may be theirs
    body, replaced = _TOKEN_INPUT.subn(rb"\1" + PLACEHOLDER + rb"\2", response.content)
    secret = request.META.get("CSRF_COOKIE")
    if secret:
        for match in _TOKEN_LIKE.finditer(body):
            if _unmask_cipher_token(match.group().decode()) == secret:
                return None  # this visitor's token somewhere we did not replace it: keep it to them
        if secret.encode() in body:
            return None
    return _Entry(body, tuple(response.headers.items()), bool(replaced))


def _serve(request: HttpRequest, entry: _Entry) -> HttpResponse:
    body = entry.body.replace(PLACEHOLDER, get_token(request).encode()) if entry.has_token else entry.body
    response = HttpResponse(body)
    for name, value in entry.headers:
        response.headers[name] = value
    return response
