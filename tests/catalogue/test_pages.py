"""Public pages: the catalogue with its GET filters, a procedure page, the version history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from motcua.catalogue import selectors


@pytest.fixture
def anon() -> Client:
    return Client()


def test_index_as_anonymous(anon, catalogue):
    response = anon.get("/thu-tuc/", {"as_of": "2026-03-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cấp giấy phép xây dựng mới" in html
    assert 'role="search"' in html and '<label for="id_q">' in html
    assert "1.099999" not in html


def test_index_search_without_diacritics(anon, catalogue):
    html = anon.get("/thu-tuc/", {"q": "chung chi hanh nghe"}).content.decode()
    assert "Cấp lại CCHN" in html and "Cấp giấy phép xây dựng mới" not in html


def test_index_bad_filter_values_do_not_fail(anon, catalogue):
    for params in ({"level": "nope"}, {"as_of": "31/02/2026"}, {"page": "x"}, {"page": "999"}, {"field": "999"}):
        assert anon.get("/thu-tuc/", params).status_code == 200


def test_index_as_user_without_the_right_and_with_it(client_for, catalogue):
    assert "1.099999" not in client_for("binh").get("/thu-tuc/").content.decode()
    assert "1.099999" in client_for("ha").get("/thu-tuc/").content.decode()


def test_index_pagination(anon, catalogue, monkeypatch):
    from motcua.catalogue import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    html = anon.get("/thu-tuc/", {"page": "2", "as_of": "2026-03-01"}).content.decode()
    assert 'rel="prev"' in html and "1.013236" in html


def test_procedure_page_has_every_section_with_an_anchor(anon, catalogue):
    response = anon.get("/thu-tuc/1.013236/", {"as_of": "2026-07-01"})
    assert response.status_code == 200
    html = response.content.decode()
    for anchor in ("thong-tin", "trinh-tu", "cach-thuc", "ho-so", "thoi-han", "phi-le-phi", "quy-trinh", "can-cu",
                   "lich-su"):
        assert f'id="{anchor}"' in html and f'href="#{anchor}"' in html
    assert "Kết quả thẩm định PCCC" in html
    assert "10 ngày làm việc" in html
    assert "150.000 đồng" in html
    assert '<th scope="col">' in html and "<caption>" in html
    assert "Nghị định 217/2026/NĐ-CP" in html
    # The number of sets is not known: the page says plainly that the agency has not published it, not that
    # the data was "not captured" (issue 14, item 19).
    assert "Số lượng hồ sơ (bộ): <span class=\"not-captured\">chưa công bố</span>" in html
    assert "Cơ quan chưa công bố:" in html and "chưa thu thập" not in html.lower()


def test_procedure_page_promises_a_date_from_the_legal_clock(anon, catalogue, monkeypatch):
    # The promise comes from the calendars app; whatever it answers is what the page shows.
    class Due:
        due_at = dt.datetime(2026, 7, 15, 16, 30, tzinfo=dt.UTC)
        skipped: list = []

    calls = []

    def fake(start, amount, unit, policy="working_hours", agency_code=None):  # type: ignore[no-untyped-def]
        calls.append((amount, unit, policy, agency_code))
        return Due()

    monkeypatch.setattr(selectors, "compute_due", fake)
    monkeypatch.setattr(selectors, "today", lambda: dt.date(2026, 7, 2))
    html = anon.get("/thu-tuc/1.013236/").content.decode()
    assert 'id="hen-tra"' in html and "15/07/2026" in html
    assert calls and calls[0][1] == "working_days" and calls[0][2] == "working_hours"


def test_procedure_page_of_another_date_makes_no_promise(anon, catalogue, monkeypatch):
    monkeypatch.setattr(selectors, "today", lambda: dt.date(2026, 3, 1))
    html = anon.get("/thu-tuc/1.013236/", {"as_of": "2026-07-01"}).content.decode()
    assert 'id="hen-tra"' not in html


def test_unknown_and_draft_procedures_are_404_for_the_public(anon, client_for, catalogue):
    assert anon.get("/thu-tuc/9.999999/").status_code == 404
    assert anon.get("/thu-tuc/1.099999/").status_code == 404
    assert client_for("an").get("/thu-tuc/1.099999/").status_code == 404
    assert anon.get("/thu-tuc/1.013236/", {"as_of": "2020-01-01"}).status_code == 404


def test_draft_is_shown_to_administrators_with_what_is_missing(client_for, catalogue):
    response = client_for("ha").get("/thu-tuc/1.099999/")
    assert response.status_code == 200
    assert "Bản nháp" in response.content.decode() or "Draft" in response.content.decode()


def test_history_page_shows_what_changed(anon, catalogue):
    response = anon.get("/thu-tuc/1.013236/lich-su/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kết quả thẩm định PCCC" in html
    assert "01/07/2026" in html


def test_history_hidden_for_drafts(anon, client_for, catalogue):
    assert anon.get("/thu-tuc/1.099999/lich-su/").status_code == 404
    assert client_for("binh").get("/thu-tuc/1.099999/lich-su/").status_code == 404
    assert client_for("ha").get("/thu-tuc/1.099999/lich-su/").status_code == 200


def test_pages_in_english(catalogue):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    html = client.get("/thu-tuc/1.013236/", {"as_of": "2026-07-01"}).content.decode()
    assert "Order of implementation" in html or "Trình tự thực hiện" in html


def test_a_limit_in_calendar_days_is_explained_as_the_civil_code_counts_it(anon, org, catalogue, monkeypatch):
    from .conftest import make_procedure, make_version

    monkeypatch.setattr(selectors, "today", lambda: dt.date(2026, 3, 2))
    old_regime = make_procedure(org, "1.013300", "Cấp chứng chỉ hành nghề (theo ngày)")
    make_version(old_regime, dt.date(2025, 7, 1), amount=20, unit="days")
    html = anon.get("/thu-tuc/1.013300/").content.decode()
    assert 'id="hen-tra"' in html
    assert "ngày nghỉ cuối tuần và ngày nghỉ lễ cũng được tính" in html and "Điều 147 và Điều 148" in html
    assert "không tính thứ Bảy" not in html.split('id="hen-tra"')[1].split("</div>")[0]
    html = anon.get("/thu-tuc/1.013217/").content.decode()  # 5 working days
    assert "Điều 147 và Điều 148" not in html.split('id="hen-tra"')[1].split("</div>")[0]
