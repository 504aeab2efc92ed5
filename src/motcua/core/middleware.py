"""Vietnamese first: pages are in Vietnamese unless the visitor chose English with the language switch.

Django's LocaleMiddleware also follows the browser's Accept-Language, which would show English to every
citizen whose phone is set to English. For pages we follow only the visitor's explicit choice (the language
cookie set by the switch). API clients are programs that ask for a language on purpose, so the API keeps
Accept-Language.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.multipartparser import MultiPartParserError
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .errors import error_body, too_large, unreadable_multipart
from .text import has_control_character

logger = logging.getLogger("motcua.core")


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        # Machine clients (the JSON API, Open311) say their language in Accept-Language, not in a cookie.
        if request.path_info.startswith(("/api/", "/open311/")):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class HeadAsGetMiddleware:
    """HEAD answers as GET without a body (RFC 9110 §9.3.2), for every page and GET API operation.

    The views say ``require_GET`` and ninja routes name GET only, so a HEAD from a link checker, a
    monitoring probe or a browser's prefetch got 405. Outermost in ``MIDDLEWARE``: everything inside sees a
    GET, so the headers (Content-Type, Content-Length, caching) are the GET's; only the body is dropped.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        if isinstance(response, StreamingHttpResponse):
            response.close()  # release the file or generator the GET would have streamed
            response.streaming_content = iter(())
        elif isinstance(response, HttpResponse):
            if not response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every response the app builds, unless the view set its own.

    Dossier details, form PDFs, registers, attachments, the citizen's and the staff's pages all carry personal
    data; a shared proxy or the browser's disk cache on a shared computer (a ward's kiosk, a family phone)
    must not keep them (OWASP ASVS 8.2.1). Listing which responses carry personal data would go stale with the
    first new page, so the rule is the other way round: nothing is stored unless a view says it may be, by
    setting its own ``Cache-Control``. Static files never reach this middleware (WhiteNoise, outside it,
    answers them with their long-lived headers).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
        return response


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class BusyDatabaseMiddleware:
    """A database that stays locked past its busy timeout (SQLite, while another process writes for longer than
    ``timeout``) is a moment of overload, not a bug: 503 with Retry-After, in the API's error format or as a
    page that needs no database, instead of a 500. The request's transaction was rolled back: nothing changed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        if not isinstance(exception, OperationalError) or "database is locked" not in str(exception):
            return None
        logger.warning("busy database answered 503: %s %s", request.method, request.path)
        response: HttpResponseBase
        if request.path_info.startswith("/api/"):
            response = JsonResponse(error_body("busy", _(
                "The system is busy and nothing was changed. Please try again in a few seconds.")), status=503)
        else:
            response = HttpResponse(render_to_string("errors/503.html"), status=503)
        response["Retry-After"] = "5"
        return response


class UserTextMiddleware:
    """One gate for the text every request brings in, whatever page, form or API operation reads it.

    - Control characters (NUL, other C0/C1, DEL; tab and new lines pass) in the query string, the form fields
      or a JSON body: 400 with a clear message, nothing read further (``core.text.has_control_character``).
    - A write to the JSON API must say what it sends: ``application/json``, or ``multipart/form-data`` for the
      operations that take files. A JSON text sent as ``application/x-www-form-urlencoded`` (what a plain
      HTML form or a careless ``curl -d`` sends) was read as JSON; now 415. Open311 (``/open311/``) takes
      form posts by its specification and is outside ``/api/``.
    """

    API_BODIES = ("application/json", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        api = request.path_info.startswith("/api/")
        sends_body = request.META.get("CONTENT_LENGTH", "") not in ("", "0")
        if api and request.method in ("POST", "PUT", "PATCH") and sends_body \
                and request.content_type not in self.API_BODIES:
            return JsonResponse(error_body("unsupported_media_type", _(
                "Send the request body as application/json (or multipart/form-data with files).")), status=415)
        try:
            refused = self._has_control(request)
        except (MultiPartParserError, RequestDataTooBig) as exc:
            # Read here first, the body is gone for the view: answer as the API's own handlers would.
            refusal = too_large() if isinstance(exc, RequestDataTooBig) else unreadable_multipart()
            if api:
                return JsonResponse(error_body(refusal.code, refusal.message), status=refusal.status)
            if isinstance(exc, RequestDataTooBig):
                raise
            return HttpResponseBadRequest(refusal.message, content_type="text/plain; charset=utf-8")
        if refused:
            message = _("The text sent contains control characters (such as NUL): remove them and try again.")
            if api:
                return JsonResponse(error_body("invalid_input", message), status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_control(request: HttpRequest) -> bool:
        texts: list[str] = [unquote(request.META.get("QUERY_STRING", ""))]
        if request.method in ("POST", "PUT", "PATCH"):
            if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                texts += [v for _key, values in request.POST.lists() for v in values]
                texts += list(request.POST.keys())
            elif request.content_type == "application/json" and request.body:
                try:
                    texts += list(_strings(json.loads(request.body)))
                except (ValueError, RecursionError):  # not JSON: the API's parser answers with its own 400
                    return False
        return any(has_control_character(text) for text in texts)
