"""Search ignores diacritics and case, maps the usual abbreviations, matches prefixes and ranks names first.

The same tests run on SQLite (FTS5) and on PostgreSQL (full text) — one selector behind both.
"""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.catalogue import search, selectors
from motcua.catalogue.models import Procedure

from .conftest import make_procedure, make_version


def codes(q: str, user=None, **filters) -> list[str]:  # type: ignore[no-untyped-def]
    listing = selectors.list_procedures(selectors.Filters(q=q, **filters), user, limit=50)
    return [p.code for p, _v in listing.items]


def test_folded_query_finds_the_accented_name(catalogue):
    assert codes("cap phep xay dung")[0] == "1.013236"
    assert codes("CẤP GIẤY PHÉP XÂY DỰNG")[0] == "1.013236"


def test_d_with_stroke_folds_to_d(catalogue):
    assert "1.012905" in codes("du dieu kien")
    assert "1.012905" in codes("đủ điều kiện")


def test_abbreviation_in_the_query_finds_the_expanded_name(catalogue):
    assert codes("Cấp GPXD")[0] == "1.013236"
    assert codes("gpxd")[0] == "1.013236"


def test_expansion_in_the_query_finds_the_abbreviated_name(catalogue):
    found = codes("chung chi hanh nghe")
    assert set(found[:2]) == {"1.013217", "1.013237"}
    assert set(codes("cchn")[:2]) == {"1.013217", "1.013237"}


def test_pccc_in_a_document_is_found_in_the_body(catalogue):
    assert "1.013236" in codes("pccc")
    assert "1.013236" in codes("phong chay chua chay")


def test_prefixes_match(catalogue):
    assert codes("giay ph xay")[0] == "1.013236"
    assert "1.013237" in codes("chung ch")


def test_every_word_must_match(catalogue):
    assert codes("chung chi hanh nghe kinh doanh") == []
    assert codes("xyzzy") == []


def test_name_matches_rank_before_body_matches(catalogue):
    # "Giấy phép xây dựng" is in the off-plan procedure's documents only.
    found = codes("giay phep xay dung")
    assert found.index("1.013236") < found.index("1.012905")


def test_code_search(catalogue):
    assert codes("1.013236") == ["1.013236"]
    assert codes("1.0132") == ["1.013217", "1.013236", "1.013237"]


def test_drafts_are_not_found_by_the_public_but_by_administrators(catalogue, people):
    assert "1.099999" not in codes("tam")
    assert "1.099999" not in codes("", people["an"])
    assert "1.099999" in codes("giay phep xay dung tam", people["ha"])


def test_filters_combine_with_search(catalogue, org):
    assert codes("", online_mode="full") == ["1.013217", "1.013237"]
    assert codes("cap", online_mode="partial") == ["1.013236"]
    assert codes("", agency=org["sxd"].code) == ["1.012905", "1.013217", "1.013236", "1.013237"]
    assert codes("", agency="nope") == []
    field = catalogue["offplan"].field
    assert codes("", field=str(field.pk)) == ["1.012905"]


def test_as_of_filters_to_the_versions_in_force(catalogue, org):
    later = make_procedure(org, "1.088888", "Cấp giấy phép mới từ 2027")
    make_version(later, dt.date(2027, 1, 1))
    assert "1.088888" not in codes("giay phep", as_of=dt.date(2026, 12, 31))
    assert "1.088888" in codes("giay phep", as_of=dt.date(2027, 1, 1))


def test_pagination_counts_every_match(catalogue):
    page = selectors.list_procedures(selectors.Filters(q="cap"), None, limit=1, offset=1)
    assert page.count == 3 and len(page.items) == 1


def test_symbols_in_the_query_cannot_break_the_search(catalogue):
    for q in ['"', "cap*", "AND OR NOT", "NEAR(", "a:b", "'; DROP TABLE x; --", "(((", "!!!"]:
        codes(q)


def test_renaming_a_procedure_reindexes_it(catalogue):
    from motcua.catalogue import services

    procedure = Procedure.objects.get(code="1.012905")
    procedure.name = "Chuyển nhượng dự án bất động sản"
    services.save_procedure(procedure)
    assert codes("chuyen nhuong") == ["1.012905"]
    assert codes("bds") == ["1.012905"]


def test_rebuild_index_keeps_results(catalogue):
    from motcua.catalogue import services

    services.rebuild_search_index()
    assert codes("cap gpxd")[0] == "1.013236"


@pytest.mark.parametrize("text, expected", [
    ("Cấp GPXD", "cap gpxd giay phep xay dung"),
    ("Đơn đề nghị", "don de nghi"),
])
def test_index_text(text, expected):
    assert search.index_text(text) == expected


def test_like_baseline_agrees_with_the_index(catalogue):
    base = Procedure.objects.filter(code__in=["1.013236", "1.013217", "1.013237", "1.012905"])
    _count, ids = search.search_like(base, search.parse("cap gpxd").terms, None, 0)
    assert Procedure.objects.get(pk=ids[0]).code == "1.013236"


def test_the_whole_query_as_a_phrase_in_the_name_ranks_first(catalogue, org):
    reissue = make_procedure(org, "1.013235", "Cấp lại giấy phép xây dựng")
    make_version(reissue, dt.date(2025, 7, 1))
    assert codes("Cấp GPXD")[0] == "1.013236"
    assert codes("cap lai gpxd")[0] == "1.013235"
