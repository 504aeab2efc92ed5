"""``motcua.core.pagecache`` on its own: one visitor's CSRF token is never kept for another."""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import RequestFactory

from motcua.core import pagecache

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def _visitor(path: str = "/trang/") -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def _page(source: str) -> tuple[list[int], object]:
    template = engines["django"].from_string(source)
    rendered: list[int] = []

    @pagecache.public_page()
    def view(request: HttpRequest) -> HttpResponse:
        rendered.append(1)
        return HttpResponse(template.render({}, request))

    return rendered, view


def test_the_token_input_is_replaced_by_each_visitors_own():
    pagecache.clear()
    rendered, view = _page("<form>{% csrf_token %}</form>")
    first = TOKEN.search(view(_visitor()).content.decode()).group(1)
    second = TOKEN.search(view(_visitor()).content.decode()).group(1)
    assert len(rendered) == 1 and first != second


def test_a_page_that_shows_the_token_elsewhere_is_not_kept():
    pagecache.clear()
    rendered, view = _page('<form>{% csrf_token %}</form><p data-token="{{ csrf_token }}"></p>')
    first = view(_visitor()).content.decode()
    second = view(_visitor()).content.decode()
    assert len(rendered) == 2  # rendered for each visitor
    assert TOKEN.search(first).group(1) not in second


def test_a_page_that_writes_the_session_is_not_kept():
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    pagecache.clear()
    template = engines["django"].from_string("<p>ok</p>")
    rendered: list[int] = []

    @pagecache.public_page()
    def view(request: HttpRequest) -> HttpResponse:
        rendered.append(1)
        request.session["seen"] = True
        return HttpResponse(template.render({}, request))

    for _ in range(2):
        request = _visitor()
        request.session = SessionStore()
        view(request)
    assert len(rendered) == 2
