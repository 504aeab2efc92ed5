"""Vietnamese first: pages are in Vietnamese unless the visitor chose English with the language switch.

Django's LocaleMiddleware also follows the browser's Accept-Language, which would show English to every
citizen whose phone is set to English. For pages we follow only the visitor's explicit choice (the language
cookie set by the switch). API clients are programs that ask for a language on purpose, so the API keeps
Accept-Language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
