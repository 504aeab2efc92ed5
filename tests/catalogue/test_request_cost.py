"""Request cost of the catalogue's public pages (issue 20): a page's queries do not grow with what it shows.

Each test counts the queries of a page, adds more of what the page lists (procedures, documents, fees, steps,
legal bases, versions) and counts again: an N+1 coming back makes the second count larger.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.catalogue import selectors
from motcua.catalogue.models import Fee, LegalBasis, RequiredDocument, Step
from motcua.core import pagecache

from .conftest import make_procedure, make_version


@pytest.fixture
def anon() -> Client:
    return Client()


def _queries(client: Client, url: str, data: dict[str, str] | None = None) -> int:
    client.get(url, data or {})  # warm the per-process caches the page may fill on its first call
    # ... but not the catalogue's own (listing, procedure page) nor the page cache: the rows must be fetched and
    # the page rendered to be counted.
    selectors.clear_receipt_cache()
    pagecache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data or {}).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("data", [{}, {"q": "giấy phép"}])
def test_the_catalogue_page_costs_the_same_queries_however_many_procedures_it_lists(anon, catalogue, org, data):
    few = _queries(anon, "/thu-tuc/", data)
    for n in range(8):
        make_version(make_procedure(org, f"2.0000{n}", f"Cấp giấy phép thử {n}"), dt.date(2025, 7, 1))
    assert _queries(anon, "/thu-tuc/", data) == few


def test_the_procedure_page_costs_the_same_queries_however_long_the_procedure(anon, permit):
    new = permit["new"]
    url = f"/thu-tuc/{new.procedure.code}/"
    few = _queries(anon, url)
    for n in range(2, 8):
        RequiredDocument.objects.create(version=new, order=10 + n, name=f"Giấy tờ {n}", copies=1)
        Fee.objects.create(version=new, name=f"Phí {n}", amount_vnd=1000 * n)
        LegalBasis.objects.create(version=new, instrument=f"Thông tư {n}/2026/TT-BXD", articles="Điều 1")
        Step.objects.create(version=new, order=1 + n, name=f"Bước {n}", role="specialist")
    assert _queries(anon, url) == few


def test_the_home_page_costs_a_fixed_number_of_queries(anon, catalogue, org):
    few = _queries(anon, "/")
    for n in range(5):
        make_version(make_procedure(org, f"2.1000{n}", f"Thủ tục thử {n}"), dt.date(2025, 7, 1))
    assert _queries(anon, "/") == few


def test_a_published_change_shows_at_once_on_the_cached_catalogue_page_and_api(anon, catalogue, org):
    """The public listing is kept per process under the catalogue's revision (issue 20): any change replaces
    the revision, so a citizen never reads a superseded catalogue."""
    from motcua.catalogue import services

    assert "Thủ tục mới công bố" not in anon.get("/thu-tuc/").content.decode()
    assert anon.get("/api/v1/procedures", {"q": "công bố"}).json()["count"] == 0
    fresh = make_procedure(org, "2.20001", "Thủ tục mới công bố")
    draft = make_version(fresh, dt.date(2025, 7, 1), publish=False)
    assert "Thủ tục mới công bố" not in anon.get("/thu-tuc/").content.decode()  # a draft stays unseen
    services.publish_version(draft)
    assert "Thủ tục mới công bố" in anon.get("/thu-tuc/").content.decode()
    assert anon.get("/api/v1/procedures", {"q": "công bố"}).json()["count"] == 1
    fresh.name = "Thủ tục đã đổi tên"
    services.save_procedure(fresh)
    assert "Thủ tục đã đổi tên" in anon.get("/thu-tuc/").content.decode()
    assert anon.get("/api/v1/procedures", {"q": "đổi tên"}).json()["items"][0]["name"] == "Thủ tục đã đổi tên"


def test_a_published_change_shows_at_once_on_the_cached_procedure_page(anon, permit):
    from motcua.catalogue import services

    url = "/thu-tuc/1.013236/"
    assert "Giấy tờ mới bổ sung" not in anon.get(url).content.decode()
    assert "Giấy tờ mới bổ sung" not in str(anon.get("/api/v1/procedures/1.013236").json())
    procedure = permit["procedure"]
    procedure.name = "Cấp giấy phép xây dựng (tên mới)"
    services.save_procedure(procedure)
    RequiredDocument.objects.create(version=permit["new"], order=9, name="Giấy tờ mới bổ sung", copies=1)
    html = anon.get(url).content.decode()
    assert "Cấp giấy phép xây dựng (tên mới)" in html and "Giấy tờ mới bổ sung" in html
    assert "Giấy tờ mới bổ sung" in str(anon.get("/api/v1/procedures/1.013236").json())


@pytest.mark.parametrize("url", ["/", "/thu-tuc/", "/thu-tuc/?q=giấy phép", "/thu-tuc/1.013236/", "/tra-cuu",
                                 "/phan-anh/", "/lich-lam-viec/"])
def test_an_anonymous_visitor_after_the_first_gets_the_page_for_its_revision_tokens_alone(anon, catalogue, url):
    """Issue 20: a kept page costs the queries of the revision tokens that key it (catalogue, calendar), no more."""
    first = anon.get(url)
    assert first.status_code == 200 and first.templates  # rendered
    with CaptureQueriesContext(connection) as captured:
        again = Client().get(url)
    assert again.status_code == 200 and not again.templates  # served from the page cache, not rendered
    assert len(captured.captured_queries) <= 2
    assert all("revision" in q["sql"].lower() for q in captured.captured_queries)
