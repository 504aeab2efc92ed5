"""The page cache of the public pages (``motcua.core.pagecache``, issue 20): a visitor is never served a stale
page, a page in another language, another visitor's CSRF token, or a page meant for someone signed in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory

from motcua.calendars import services as calendar_services
from motcua.calendars.choices import OverrideKind
from motcua.calendars.models import CalendarOverride
from motcua.catalogue import services
from motcua.core import pagecache

from .conftest import make_procedure, make_version

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def _kept(client: Client, url: str) -> str:
    """The page as served from the cache (asserting it was)."""
    response = client.get(url)
    assert response.status_code == 200 and not response.templates
    return response.content.decode()


def test_a_publication_shows_on_the_next_request(catalogue, org):
    Client().get("/thu-tuc/")
    assert "Thủ tục vừa công bố" not in _kept(Client(), "/thu-tuc/")
    draft = make_version(make_procedure(org, "2.30001", "Thủ tục vừa công bố"), dt.date(2025, 7, 1), publish=False)
    assert "Thủ tục vừa công bố" not in Client().get("/thu-tuc/").content.decode()  # a draft stays unseen
    services.publish_version(draft)
    fresh = Client().get("/thu-tuc/")
    assert fresh.templates, "rendered again under the new revision"
    assert "Thủ tục vừa công bố" in fresh.content.decode()
    assert "Thủ tục vừa công bố" in _kept(Client(), "/thu-tuc/")


def test_a_day_off_added_shows_at_once_on_the_calendar_page(db):
    Client().get("/lich-lam-viec/")
    assert "Nghỉ bù thử nghiệm" not in _kept(Client(), "/lich-lam-viec/")
    day = dt.date(dt.date.today().year, 11, 20)
    calendar_services.save_override(CalendarOverride(date=day, kind=OverrideKind.DAY_OFF, name="Nghỉ bù thử nghiệm"))
    fresh = Client().get("/lich-lam-viec/")
    assert fresh.templates and "Nghỉ bù thử nghiệm" in fresh.content.decode()


def test_each_language_has_its_own_page(catalogue):
    vi = Client().get("/thu-tuc/").content.decode()
    english = Client()
    english.cookies["django_language"] = "en"
    en = english.get("/thu-tuc/")
    assert en.templates, "not the Vietnamese page from the cache"
    assert 'lang="en"' in en.content.decode() and 'lang="vi"' in vi
    assert 'lang="en"' in _kept(english, "/thu-tuc/")
    assert 'lang="vi"' in _kept(Client(), "/thu-tuc/")


def test_a_signed_in_person_never_gets_nor_fills_the_kept_page(catalogue, client_for):
    Client().get("/thu-tuc/")
    _kept(Client(), "/thu-tuc/")
    an = client_for("an")
    mine = an.get("/thu-tuc/")
    assert mine.templates and "Nguyễn Văn An" in mine.content.decode()
    pagecache.clear()
    an.get("/thu-tuc/")  # signed in: rendered, not kept
    anon = Client().get("/thu-tuc/")
    assert anon.templates and "Nguyễn Văn An" not in anon.content.decode()
    assert "Nguyễn Văn An" not in _kept(Client(), "/thu-tuc/")


@pytest.mark.parametrize("url", ["/thu-tuc/", "/tra-cuu", "/phan-anh/"])
def test_each_visitor_gets_a_csrf_token_of_their_own_that_works(catalogue, url):
    first = Client(enforce_csrf_checks=True)
    first_token = TOKEN.search(first.get(url).content.decode()).group(1)
    second = Client(enforce_csrf_checks=True)
    page = _kept(second, url)
    tokens = set(TOKEN.findall(page))
    assert tokens and first_token not in tokens
    secret = second.cookies["csrftoken"].value
    assert all(_unmask_cipher_token(t) == secret for t in tokens)  # the second visitor's own
    assert _unmask_cipher_token(first_token) != secret
    # The language switch on the kept page posts with the served token: accepted, not 403.
    switched = second.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": tokens.pop()})
    assert switched.status_code == 302


def test_a_visitor_with_a_message_waiting_sees_it(catalogue):
    Client().get("/thu-tuc/")
    visitor = Client()
    storage = CookieStorage(RequestFactory().get("/"))
    visitor.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Đã gửi phản ánh của bạn")])
    page = visitor.get("/thu-tuc/")
    assert page.templates and "Đã gửi phản ánh của bạn" in page.content.decode()
    assert "Đã gửi phản ánh của bạn" not in _kept(Client(), "/thu-tuc/")


def test_a_tracking_code_from_a_qr_code_is_rendered_not_kept(db):
    assert "H68.99-260101-0001" in Client().get("/tra-cuu", {"code": "H68.99-260101-0001"}).content.decode()
    again = Client().get("/tra-cuu", {"code": "H68.99-260101-0002"})
    assert again.templates and "H68.99-260101-0002" in again.content.decode()
    assert len(pagecache._store) == 0


def test_head_is_answered_from_the_kept_page(catalogue):
    Client().get("/thu-tuc/")
    head = Client().head("/thu-tuc/")
    assert head.status_code == 200 and head.content == b"" and not head.templates
