"""Criteria trees in and out: JSON and XLSX round trips, a sheet made by hand, bad files refused with a message
naming the sheet and row, and the ``scorecards`` command."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from motcua.core.errors import DomainError
from motcua.scorecards import exchange, services
from motcua.scorecards.models import Node, Tree

from .conftest import tree_spec

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """The messages are compared in English (the Vietnamese is the lead's catalogue)."""
    with translation.override("en"):
        yield

FIELDS = ["code", "name", "name_en", "max_points", "method", "metric", "rule", "target", "steps", "guidance",
          "evidence_required", "position", "depth"]


def snapshot(tree: Tree) -> dict[str, Any]:
    """Everything a tree holds, without its ids, to compare two trees."""
    codes = dict(tree.nodes.values_list("pk", "code"))
    nodes = [{**{f: getattr(n, f) for f in FIELDS}, "parent": codes.get(n.parent_id)}
             for n in tree.nodes.order_by("position")]
    head = {f: getattr(tree, f) for f in ["scheme", "year", "name", "name_en", "decision", "bands", "appeal_days",
                                          "data_from", "data_to"]}
    return {**head, "nodes": nodes}


def rich_spec(year: int = 2026) -> dict[str, Any]:
    """The fixture's tree plus a leaf scored by steps, a guidance text and bands with names."""
    spec = tree_spec(year, data_from="2025-12-01", data_to="2026-11-30",
                     bands=[{"code": "A", "min": 9, "name": "Xuất sắc"}, {"code": "B", "min": 8.5}])
    spec["nodes"][1]["max_points"] = "7.5"
    spec["nodes"][1]["children"].append(
        {"code": "2.3", "name": "Tiếp nhận hồ sơ trực tuyến", "name_en": "Online intake", "max_points": "2.5",
         "method": "formula", "metric": "early_rate", "rule": "steps", "steps": [["0.9", "2.5"], ["0.7", "1"]],
         "guidance": "Tính trên hồ sơ tiếp nhận trong kỳ.\nKhông tính hồ sơ bị trả lại."})
    return spec


def rebuild(spec: dict[str, Any]) -> Tree:
    """Delete the tree of ``spec``'s scheme and year, then create it again from ``spec``."""
    Tree.objects.filter(scheme=spec["scheme"], year=spec["year"]).delete()
    return services.create_tree(spec)


def test_json_round_trip_gives_the_same_tree() -> None:
    tree = services.create_tree(rich_spec())
    before = snapshot(tree)
    text = exchange.tree_json(tree)
    assert json.loads(text)["format"] == "motcua.scorecards.tree/1"
    assert "Tiếp nhận hồ sơ trực tuyến" in text  # UTF-8 as such, not \u escapes
    again = rebuild(exchange.read_json(text.encode("utf-8")))
    assert again.pk != tree.pk
    assert snapshot(again) == before


def test_xlsx_round_trip_gives_the_same_tree() -> None:
    tree = services.create_tree(rich_spec())
    before = snapshot(tree)
    buffer = io.BytesIO()
    exchange.write_xlsx(tree, buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["Thông tin", "Tiêu chí"]
    rows = list(book["Tiêu chí"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã / Code", "Mã tiêu chí cha / Parent code", "Tên / Name")
    assert [r[0] for r in rows[1:]] == ["1", "1.1", "1.2", "2", "2.1", "2.2", "2.3"]
    assert rows[7][1] == "2" and rows[7][9] == "0.9:2.5; 0.7:1"
    info = {r[0]: r[1] for r in book["Thông tin"].iter_rows(min_row=2, values_only=True)}
    assert info["bands"] == "A:9:Xuất sắc; B:8.5"
    assert info["year"] == 2026
    again = rebuild(exchange.read_xlsx(buffer.getvalue()))
    assert snapshot(again) == before


def hand_made(rows: list[list[Any]], info: list[list[Any]] | None = None, *, nodes_title: str = "Tiêu chí") -> bytes:
    """A workbook as a province's staff would fill it in, written with XlsxWriter."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Thông tin")
    for r, row in enumerate(info if info is not None else [
            ["Khoá / Key", "Giá trị / Value"], ["Chỉ số / Scheme", "par-department"], ["Năm đánh giá / Year", 2027],
            ["name", "Bộ chỉ số 2027"], ["Số liệu từ ngày", "01/12/2026"], ["BANDS", "A:90; B:80; C:70"]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    sheet = book.add_worksheet(nodes_title)
    header = ["Mã", "Tên", "Điểm tối đa", "Cách chấm", "Số đo", "Quy tắc", "Chỉ tiêu", "Mã tiêu chí cha"]
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


GOOD_ROWS: list[list[Any]] = [
    ["1", "Công tác chỉ đạo điều hành", 60],
    ["1.1", "Kế hoạch CCHC", "35,5"],  # a decimal comma, as typed in Vietnamese
    ["1.2", "Báo cáo CCHC", 24.5, "manual"],
    ["2", "Thủ tục hành chính", 40],
    ["A", "Hồ sơ đúng hạn", 40, "formula", "on_time_rate", "proportional", "90%", "2"],  # parent by column
]


def test_a_hand_made_workbook_is_read_into_a_tree() -> None:
    spec = exchange.read_xlsx(hand_made(GOOD_ROWS))
    tree = services.create_tree(spec)
    assert (tree.scheme, tree.year, tree.name) == ("par-department", 2027, "Bộ chỉ số 2027")
    assert tree.data_from.isoformat() == "2026-12-01" and tree.data_to.isoformat() == "2027-12-31"
    assert [b["code"] for b in tree.bands] == ["A", "B", "C"] and tree.bands[0]["min"] == 90
    nodes = {n.code: n for n in tree.nodes.all()}
    assert nodes["1.1"].max_points == Decimal("35.5") and nodes["1.1"].parent == nodes["1"]
    assert nodes["A"].parent == nodes["2"] and nodes["A"].target == Decimal("0.9")
    assert nodes["A"].metric == "on_time_rate" and nodes["A"].rule == "proportional"
    assert [n.code for n in services.leaves(tree)] == ["1.1", "1.2", "A"]


@pytest.mark.parametrize(("rows", "message"), [
    ([*GOOD_ROWS, [None, "Không có mã", 1]], "Sheet Tiêu chí, row 7: the code is missing."),
    ([*GOOD_ROWS[:2], ["1.2", "Báo cáo", "hai mươi"]], "Sheet Tiêu chí, row 4: the maximum points of 1.2"),
    ([*GOOD_ROWS, ["3.1", "Mồ côi", 1]], "Sheet Tiêu chí, row 7: unknown parent code 3"),
    ([*GOOD_ROWS, ["1.1", "Lặp mã", 1]], "Sheet Tiêu chí, row 7: the code 1.1 is used"),
    ([["1", "Khu vực", 10, "formula", "no_such_measure", "linear"]], "Sheet Tiêu chí, row 2: unknown measure"),
    ([["1", "Khu vực", 10, "by-guess"]], "Sheet Tiêu chí, row 2: unknown method"),
])
def test_a_bad_row_is_named_and_nothing_is_saved(rows: list[list[Any]], message: str) -> None:
    with pytest.raises(DomainError) as caught:
        services.create_tree(exchange.read_xlsx(hand_made(rows)))
    assert caught.value.message.startswith(message), caught.value.message
    assert caught.value.details["sheet"] == "Tiêu chí"
    assert not Tree.objects.exists() and not Node.objects.exists()


def test_sum_of_parts_not_the_parent_is_refused_by_create_tree() -> None:
    rows = [["1", "Khu vực", 60], ["1.1", "Phần một", 30], ["1.2", "Phần hai", 20]]
    with pytest.raises(DomainError) as caught:
        services.create_tree(exchange.read_xlsx(hand_made(rows)))
    assert "1" in caught.value.message and "50" in caught.value.message
    assert not Tree.objects.exists() and not Node.objects.exists()


def test_not_a_workbook_or_no_criteria_sheet_is_refused() -> None:
    with pytest.raises(DomainError, match="not an Excel workbook"):
        exchange.read_xlsx(b"scheme,year\npar-department,2026\n")
    with pytest.raises(DomainError, match="no sheet “Tiêu chí”"):
        exchange.read_xlsx(hand_made(GOOD_ROWS, nodes_title="Sheet1"))
    book, buffer = Workbook(), io.BytesIO()
    book.active.title = "Thông tin"
    book.create_sheet("Tiêu chí").append(["Tên", "Điểm"])
    book.save(buffer)
    with pytest.raises(DomainError, match="no column “Mã / Code”"):
        exchange.read_xlsx(buffer.getvalue())
    with pytest.raises(DomainError, match=r"Sheet Thông tin, row 3: “hai nghìn” is not a whole number"):
        exchange.read_xlsx(hand_made(GOOD_ROWS, [["Key", "Value"], ["scheme", "x"], ["year", "hai nghìn"]]))
    with pytest.raises(DomainError, match=r"Sheet Thông tin, row 3: unknown key “Màu”"):
        exchange.read_xlsx(hand_made(GOOD_ROWS, [["Key", "Value"], ["scheme", "x"], ["Màu", "đỏ"]]))
    with pytest.raises(DomainError, match=r"Sheet Thông tin, row 2: write the bands"):
        exchange.read_xlsx(hand_made(GOOD_ROWS, [["Key", "Value"], ["bands", "A=90"]]))


def test_bad_json_is_refused() -> None:
    with pytest.raises(DomainError, match="not valid JSON"):
        exchange.read_json(b"{not json")
    with pytest.raises(DomainError, match=r"motcua\.scorecards\.tree/1"):
        exchange.read_json(json.dumps(tree_spec()))  # no "format" key
    with pytest.raises(DomainError, match=r"motcua\.scorecards\.tree/1"):
        exchange.read_json(b"[1, 2]")


def test_unknown_metric_in_json_is_refused_and_nothing_saved() -> None:
    spec = tree_spec()
    spec["nodes"][1]["children"][0]["metric"] = "made_up"
    with pytest.raises(DomainError, match="made_up"):
        services.create_tree(exchange.read_json(json.dumps({"format": exchange.FORMAT, **spec})))
    assert not Tree.objects.exists()


# --- the command ------------------------------------------------------------------------------------------


def test_command_imports_and_exports_both_formats(tmp_path: Any) -> None:
    out = io.StringIO()
    source = tmp_path / "cay.xlsx"
    source.write_bytes(hand_made(GOOD_ROWS))
    call_command("scorecards", "import", str(source), stdout=out)
    assert "Imported par-department 2027" in out.getvalue() and "3 scored" in out.getvalue()
    tree = Tree.objects.get(year=2027)
    before = snapshot(tree)

    call_command("scorecards", "export", "par-department", "2027", str(tmp_path / "cay.json"), stdout=out)
    call_command("scorecards", "export", "par-department", "2027", str(tmp_path / "lai.xlsx"), stdout=out)
    assert json.loads((tmp_path / "cay.json").read_text("utf-8"))["nodes"][1]["children"][0]["code"] == "A"

    with pytest.raises(CommandError, match="already exists"):
        call_command("scorecards", "import", str(tmp_path / "cay.json"), stdout=out)
    call_command("scorecards", "import", str(tmp_path / "cay.json"), "--replace", stdout=out)
    assert snapshot(Tree.objects.get(year=2027)) == before
    call_command("scorecards", "import", str(tmp_path / "lai.xlsx"), "--replace", stdout=out)
    assert snapshot(Tree.objects.get(year=2027)) == before


def test_command_refuses_bad_input(tmp_path: Any) -> None:
    bad = tmp_path / "cay.xlsx"
    bad.write_bytes(hand_made([*GOOD_ROWS, ["3.1", "Mồ côi", 1]]))
    with pytest.raises(CommandError, match="row 7"):
        call_command("scorecards", "import", str(bad))
    (tmp_path / "cay.csv").write_text("x")
    with pytest.raises(CommandError, match=r"\.xlsx or a \.json"):
        call_command("scorecards", "import", str(tmp_path / "cay.csv"))
    with pytest.raises(CommandError, match="No tree"):
        call_command("scorecards", "export", "par-department", "2030", str(tmp_path / "x.json"))
    assert not Tree.objects.exists()


def test_frozen_tree_is_never_replaced(tree: Tree, org: Any, tmp_path: Any) -> None:
    services.open_assessments(tree, [org["sxd"]])
    path = tmp_path / "cay.json"
    path.write_text(exchange.tree_json(tree), encoding="utf-8")
    with pytest.raises(CommandError, match="frozen"):
        call_command("scorecards", "import", str(path), "--replace")
    assert Tree.objects.get().pk == tree.pk


def test_command_recompute_reports_the_changes(tree: Tree, org: Any) -> None:
    out = io.StringIO()
    call_command("scorecards", "recompute", stdout=out)
    assert out.getvalue().strip() == "Recomputed: 0 score(s) changed."
