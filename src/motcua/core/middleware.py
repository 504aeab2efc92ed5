"""Vietnamese first: pages are in Vietnamese unless the visitor chose English with the language switch.

Django's LocaleMiddleware also follows the browser's Accept-Language, which would show English to every
citizen whose phone is set to English. For pages we follow only the visitor's explicit choice (the language
cookie set by the switch). API clients are programs that ask for a language on purpose, so the API keeps
Accept-Language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
