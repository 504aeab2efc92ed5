"""Item 19 of issue 14: the department's catalogue content. Sources do not name another province's decision;
the pages say plainly what the agency has not published (never "chưa thu thập"); the application forms whose
content is written here download from the procedure page."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.test import Client

from motcua.catalogue import demo

pytestmark = pytest.mark.django_db

# Provinces other than Lâm Đồng (after the 2025 merger and before it) whose decisions must not be given as a
# source of Lâm Đồng's catalogue.
OTHER_PROVINCES = ("Đồng Nai", "Bình Dương", "Hà Nội", "Hồ Chí Minh", "Đắk Lắk", "Khánh Hòa", "Bình Phước")


def test_no_source_names_another_province_s_decision():
    data = json.loads(demo.DATA.read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False)
    for province in OTHER_PROVINCES:
        assert province not in text, province
    # A provincial decision (QĐ-UBND) is cited only as Lâm Đồng's.
    for version in (v for p in data["procedures"] for v in p["versions"]):
        for match in re.finditer(r"[^.]*QĐ-UBND[^.]*", version.get("source", "")):
            assert "Lâm Đồng" in match.group(0), match.group(0)
    assert "thu thập" not in text  # the content speaks to citizens: what is not published, not a data gap


@pytest.fixture
def seeded(db):  # type: ignore[no-untyped-def]
    from motcua.accounts.demo import seed_organisation

    seed_organisation()
    demo.seed(io.StringIO())


def test_the_permit_page_says_what_is_not_published_and_offers_the_form(seeded):
    html = Client().get("/thu-tuc/1.013236/").content.decode()
    assert "chưa thu thập" not in html.lower()
    # Neither the copies nor original-or-copy of any document is known: said once, not in every row.
    assert "Cơ quan chưa công bố số bản phải nộp của từng giấy tờ, cũng như giấy tờ nào là bản chính" in html
    assert ">Số bản<" not in html
    assert "Sở Xây dựng chưa công bố mức thu của tỉnh Lâm Đồng" in html
    assert 'href="/thu-tuc/1.013236/mau/1/"' in html and "Tải mẫu đơn" in html


def test_the_form_downloads_as_a_filled_in_rtf_document(seeded):
    response = Client().get("/thu-tuc/1.013236/mau/1/")
    assert response.status_code == 200 and response["Content-Type"] == "application/rtf"
    assert response["Content-Disposition"] == 'attachment; filename="don-de-nghi-cap-giay-phep-xay-dung.rtf"'
    body = response.content.decode("ascii")
    assert body.startswith("{\\rtf1") and body.endswith("}")
    # "ĐƠN ĐỀ NGHỊ" with each Vietnamese letter as an RTF Unicode escape (Đ = U+0110 = 272, Ơ = 416).
    assert "\\u272?\\u416?N \\u272?\\u7872?" in body
    assert "K\\u237?nh g\\u7917?i: S\\u7903? X\\u226?y d\\u7921?ng" in body  # the procedure's agency
    cchn = Client().get("/thu-tuc/1.013237/mau/1/")
    assert cchn.status_code == 200 and b"CH\\u7912?NG CH\\u7880?" in cchn.content


def test_a_document_without_a_form_has_no_download(seeded):
    assert Client().get("/thu-tuc/1.013236/mau/2/").status_code == 404  # the land paper has no form
    assert Client().get("/thu-tuc/1.013236/mau/99/").status_code == 404
    assert Client().get("/thu-tuc/9.999999/mau/1/").status_code == 404
