"""Criteria trees in and out of motcua: JSON (the exact specification ``services.create_tree`` reads, with a
``format`` key) and XLSX (two sheets a province's staff can fill in by hand: "Thông tin" and "Tiêu chí").

Reading only turns a file into a specification and says which sheet and row is wrong; whether the tree holds
together (the sums, the measures, the rules) is checked by ``services.create_tree``, which saves nothing
when it refuses.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
import zipfile
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _

from motcua.core.errors import DomainError

from . import metrics
from .choices import Method, Rule
from .models import Node, Tree

FORMAT = "motcua.scorecards.tree/1"
INFO_SHEET, NODES_SHEET = "Thông tin", "Tiêu chí"
MAX_ROWS = 2000  # a province's tree has a few hundred criteria at most

def _norm_label(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip().casefold()


INFO_KEYS = ["scheme", "year", "name", "name_en", "decision", "data_from", "data_to", "appeal_days", "bands"]
INFO_LABELS = {
    "scheme": "Chỉ số / Scheme", "year": "Năm đánh giá / Year", "name": "Tên / Name",
    "name_en": "Tên tiếng Anh / Name (English)", "decision": "Quyết định ban hành / Decision",
    "data_from": "Số liệu từ ngày / Data from", "data_to": "Số liệu đến ngày / Data to",
    "appeal_days": "Số ngày làm việc được khiếu nại / Appeal window (working days)",
    "bands": "Xếp loại / Ranking bands",
}
# A key of the sheet "Thông tin" may be given as the key, its label or either half of the label.
INFO_NAMES = {name: key for key, label in INFO_LABELS.items()
              for name in (key, _norm_label(label), *(_norm_label(h) for h in label.split(" / ")))}
COLUMNS = ["code", "parent", "name", "name_en", "max_points", "method", "metric", "rule", "target", "steps",
           "guidance", "evidence_required"]
HEADERS = {
    "code": "Mã / Code", "parent": "Mã tiêu chí cha / Parent code", "name": "Tên / Name",
    "name_en": "Tên tiếng Anh / Name (English)", "max_points": "Điểm tối đa / Max points",
    "method": "Cách chấm / Method", "metric": "Số đo / Metric", "rule": "Quy tắc / Rule",
    "target": "Chỉ tiêu / Target", "steps": "Các mức / Steps", "guidance": "Hướng dẫn / Guidance",
    "evidence_required": "Tài liệu kiểm chứng / Evidence required",
}
# Header texts a hand-made sheet may use (either half of the bilingual header, any case).
ALIASES = {
    "code": {"mã", "code", "mã số"}, "parent": {"mã tiêu chí cha", "parent code", "parent", "mã cha"},
    "name": {"tên", "name", "tên tiêu chí"}, "name_en": {"tên tiếng anh", "name (english)", "name_en"},
    "max_points": {"điểm tối đa", "max points", "max_points", "điểm"}, "method": {"cách chấm", "method"},
    "metric": {"số đo", "metric", "measure"}, "rule": {"quy tắc", "rule"}, "target": {"chỉ tiêu", "target"},
    "steps": {"các mức", "steps"}, "guidance": {"hướng dẫn", "guidance"},
    "evidence_required": {"tài liệu kiểm chứng", "evidence required", "evidence_required"},
}


# --- JSON -----------------------------------------------------------------------------------------------


def to_spec(tree: Tree) -> dict[str, Any]:
    """The tree as the specification ``services.create_tree`` reads back into the same tree."""
    nodes = list(tree.nodes.order_by("position"))
    children: dict[int | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def spec(node: Node) -> dict[str, Any]:
        return {"code": node.code, "name": node.name, "name_en": node.name_en, "max_points": str(node.max_points),
                "method": node.method, "metric": node.metric, "rule": node.rule,
                "target": None if node.target is None else str(node.target),
                "steps": [[str(at), str(pts)] for at, pts in node.steps or []], "guidance": node.guidance,
                "evidence_required": node.evidence_required,
                "children": [spec(c) for c in children.get(node.pk, [])]}

    return {"scheme": tree.scheme, "year": tree.year, "name": tree.name, "name_en": tree.name_en,
            "decision": tree.decision, "data_from": tree.data_from.isoformat(), "data_to": tree.data_to.isoformat(),
            "appeal_days": tree.appeal_days, "bands": list(tree.bands or []),
            "nodes": [spec(n) for n in children.get(None, [])]}


def tree_json(tree: Tree) -> str:
    return json.dumps({"format": FORMAT, **to_spec(tree)}, ensure_ascii=False, indent=2)


def read_json(data: bytes | str) -> dict[str, Any]:
    """A specification from a JSON file written by ``tree_json`` (or by hand in its format)."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        spec = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DomainError(_("The file is not valid JSON: %(error)s.") % {"error": exc}, code="invalid_file",
                          details={"file": "not_json"}) from None
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise DomainError(_("The JSON file is not a criteria tree of motcua (its “format” must be “%(format)s”).")
                          % {"format": FORMAT}, code="invalid_file", details={"file": "wrong_format"})
    return {k: v for k, v in spec.items() if k != "format"}


# --- XLSX -----------------------------------------------------------------------------------------------


def _number(value: Decimal | float | int | None) -> str:
    """90.0 → "90", 2.50 → "2.5"."""
    if value is None:
        return ""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def _bands_text(bands: Iterable[dict[str, Any]]) -> str:
    parts = []
    for band in bands:
        part = f"{band['code']}:{_number(band['min'])}"
        if band.get("name"):
            part += f":{band['name']}"
        parts.append(part)
    return "; ".join(parts)


def _steps_text(steps: Iterable[Any]) -> str:
    return "; ".join(f"{_number(Decimal(str(at)))}:{_number(Decimal(str(pts)))}" for at, pts in steps or [])


def write_xlsx(tree: Tree, stream: IO[bytes] | Any) -> None:
    """The tree on two sheets: "Thông tin" (one key and value a row) and "Tiêu chí" (one criterion a row, in
    the tree's order, with its parent's code)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(stream, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    info = workbook.add_worksheet(INFO_SHEET)
    for col, head in enumerate(["Khoá / Key", "Giá trị / Value", "Ý nghĩa / Meaning"]):
        info.write_string(0, col, head, bold)
    values: dict[str, Any] = {
        "scheme": tree.scheme, "year": tree.year, "name": tree.name, "name_en": tree.name_en,
        "decision": tree.decision, "data_from": tree.data_from.isoformat(), "data_to": tree.data_to.isoformat(),
        "appeal_days": tree.appeal_days, "bands": _bands_text(tree.bands or []),
    }
    for row, key in enumerate(INFO_KEYS, start=1):
        info.write_string(row, 0, key)
        value = values[key]
        if isinstance(value, int):
            info.write_number(row, 1, value)
        else:
            info.write_string(row, 1, value)
        info.write_string(row, 2, INFO_LABELS[key])
    info.set_column(0, 0, 14)
    info.set_column(1, 1, 50)
    info.set_column(2, 2, 50)

    sheet = workbook.add_worksheet(NODES_SHEET)
    for col, key in enumerate(COLUMNS):
        sheet.write_string(0, col, HEADERS[key], bold)
    codes = dict(tree.nodes.values_list("pk", "code"))
    for row, node in enumerate(tree.nodes.order_by("position"), start=1):
        cells: list[Any] = [node.code, codes.get(node.parent_id, "") if node.parent_id else "", node.name,
                            node.name_en, float(node.max_points), node.method, node.metric, node.rule,
                            None if node.target is None else float(node.target), _steps_text(node.steps),
                            node.guidance, node.evidence_required]
        for col, value in enumerate(cells):
            if isinstance(value, float):
                sheet.write_number(row, col, value)
            elif value:
                sheet.write_string(row, col, value, wrap if col in (2, 3, 10, 11) else None)
    sheet.freeze_panes(1, 1)
    sheet.set_column(0, 1, 10)
    sheet.set_column(2, 3, 50)
    sheet.set_column(4, 9, 14)
    sheet.set_column(10, 11, 40)
    workbook.close()


def _norm(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip().casefold()


def _cell_text(value: Any) -> str:
    """A cell as text: a whole number typed in a cell (1.0) is "1"; a number keeps its shortest form."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def _where(sheet: str, row: int) -> str:
    return _("Sheet %(sheet)s, row %(row)s") % {"sheet": sheet, "row": row}


def _row_error(sheet: str, row: int, message: str, field: str) -> DomainError:
    return DomainError(f"{_where(sheet, row)}: {message}", code="invalid_file",
                       details={"sheet": sheet, "row": row, "field": field})


def _sheet(workbook: Any, wanted: str, english: str) -> Any:
    for ws in workbook.worksheets:
        if _norm(ws.title) in {_norm(wanted), english}:
            return ws
    raise DomainError(_("The workbook has no sheet “%(sheet)s”.") % {"sheet": wanted}, code="invalid_file",
                      details={"sheet": wanted})


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date_text(value: Any) -> str:
    text = _cell_text(value)
    try:  # the Vietnamese way, 01/12/2025
        return dt.datetime.strptime(text, "%d/%m/%Y").date().isoformat()
    except ValueError:
        return text


def _read_info(ws: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    for row, cells in enumerate(ws.iter_rows(min_row=2, max_col=2, values_only=True), start=2):
        if row > MAX_ROWS:
            break
        raw_key, value = [*cells, None, None][:2]
        key = _norm(raw_key)
        if not key:
            continue
        key = INFO_NAMES.get(key) or INFO_NAMES.get(key.rsplit("/", 1)[-1].strip()) or key  # "Năm đánh giá / Year"
        if key not in INFO_KEYS:
            raise _row_error(INFO_SHEET, row, _("unknown key “%(key)s”.") % {"key": _cell_text(raw_key)}, "key")
        if key in ("data_from", "data_to"):
            spec[key] = _date_text(value) or None
        elif key in ("year", "appeal_days"):
            text = _cell_text(value)
            if text and not text.isdigit():
                raise _row_error(INFO_SHEET, row, _("“%(value)s” is not a whole number.") % {"value": text}, key)
            spec[key] = int(text) if text else None
        elif key == "bands":
            spec[key] = _read_bands(_cell_text(value), row)
        else:
            spec[key] = _cell_text(value)
    return spec


def _read_bands(text: str, row: int) -> list[dict[str, Any]]:
    """"A:90; B:80:Tốt; C:70" → the bands, highest first."""
    bands = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        pieces = [p.strip() for p in part.split(":", 2)]
        low = _decimal(pieces[1]) if len(pieces) > 1 else None
        if not pieces[0] or low is None or low < 0:
            raise _row_error(INFO_SHEET, row, _("write the bands as “A:90; B:80; C:70” (a code and the lowest "
                                                "total it takes)."), "bands")
        bands.append({"code": pieces[0], "min": float(low), "name": pieces[2] if len(pieces) > 2 else ""})
    return bands


def _read_steps(text: str, row: int) -> list[list[str]]:
    """"0.9:2; 0.7:1" (or with decimal commas, "0,9:2") → [["0.9", "2"], ["0.7", "1"]]."""
    steps = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        pieces = [p.strip() for p in part.split(":")]
        numbers = [_decimal(p.rstrip("%")) for p in pieces]
        if len(pieces) != 2 or any(n is None for n in numbers):
            raise _row_error(NODES_SHEET, row, _("write the steps as “0.9:2; 0.7:1” (a rate and the points it "
                                                 "earns)."), "steps")
        steps.append([pieces[0].replace(",", "."), pieces[1].replace(",", ".")])
    return steps


def _columns(header: Iterable[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, cell in enumerate(header):
        text = _norm(cell)
        halves = {text, *(h.strip() for h in text.split("/"))}
        for key, names in ALIASES.items():
            if key not in found and halves & names:
                found[key] = col
                break
    for key in ("code", "name", "max_points"):
        if key not in found:
            raise DomainError(_("Sheet %(sheet)s: no column “%(column)s” in the first row.")
                              % {"sheet": NODES_SHEET, "column": HEADERS[key]}, code="invalid_file",
                              details={"sheet": NODES_SHEET, "column": key})
    return found


def _read_nodes(ws: Any) -> list[dict[str, Any]]:
    rows = ws.iter_rows(values_only=True)
    columns = _columns(next(rows, ()))
    roots: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    for row, cells in enumerate(rows, start=2):
        if row > MAX_ROWS:
            raise DomainError(_("Sheet %(sheet)s: more than %(n)s rows.") % {"sheet": NODES_SHEET, "n": MAX_ROWS},
                              code="invalid_file", details={"sheet": NODES_SHEET})
        values = {key: _cell_text(cells[col]) if col < len(cells) else "" for key, col in columns.items()}
        if not any(values.values()):
            continue
        code = values["code"]
        if not code:
            raise _row_error(NODES_SHEET, row, _("the code is missing."), "code")
        if code in seen:
            raise _row_error(NODES_SHEET, row, _("the code %(code)s is used on an earlier row.") % {"code": code},
                             "code")
        points = _decimal(values["max_points"])
        if points is None:
            raise _row_error(NODES_SHEET, row, _("the maximum points of %(code)s (“%(value)s”) are not a number.")
                             % {"code": code, "value": values["max_points"]}, "max_points")
        method = _norm(values.get("method")) or Method.MANUAL
        if method not in Method.values:
            raise _row_error(NODES_SHEET, row, _("unknown method “%(method)s” (one of: %(choices)s).")
                             % {"method": values["method"], "choices": ", ".join(Method.values)}, "method")
        metric, rule = values.get("metric", ""), _norm(values.get("rule"))
        if method != Method.MANUAL and metric not in metrics.METRICS:
            raise _row_error(NODES_SHEET, row, _("unknown measure “%(metric)s”.") % {"metric": metric}, "metric")
        if rule and rule not in Rule.values:
            raise _row_error(NODES_SHEET, row, _("unknown rule “%(rule)s” (one of: %(choices)s).")
                             % {"rule": values["rule"], "choices": ", ".join(Rule.values)}, "rule")
        target = values.get("target", "")
        if target and _decimal(target.rstrip("%")) is None:
            raise _row_error(NODES_SHEET, row, _("the target “%(value)s” is not a number.") % {"value": target},
                             "target")
        node = {"code": code, "name": values["name"], "name_en": values.get("name_en", ""),
                "max_points": str(points), "method": method, "metric": metric, "rule": rule,
                "target": target.replace(",", ".") or None, "steps": _read_steps(values.get("steps", ""), row),
                "guidance": values.get("guidance", ""), "evidence_required": values.get("evidence_required", ""),
                "children": []}
        parent_code = values.get("parent", "")
        explicit = bool(parent_code)
        if not explicit and "." in code:
            parent_code = code.rsplit(".", 1)[0]
        if parent_code:
            parent = seen.get(parent_code)
            if parent is None:
                raise _row_error(NODES_SHEET, row, _("unknown parent code %(parent)s (the parent must be on a row "
                                                     "above).") % {"parent": parent_code}, "parent")
            parent["children"].append(node)
        else:
            roots.append(node)
        seen[code] = node
    if not roots:
        raise DomainError(_("Sheet %(sheet)s has no criterion.") % {"sheet": NODES_SHEET}, code="invalid_file",
                          details={"sheet": NODES_SHEET})
    return roots


def read_xlsx(stream: IO[bytes] | bytes) -> dict[str, Any]:
    """A specification from a workbook laid out as ``write_xlsx`` writes it (decimal commas accepted)."""
    from openpyxl import load_workbook

    if isinstance(stream, bytes | bytearray):
        stream = io.BytesIO(stream)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, Exception) as exc:  # and openpyxl's own (InvalidFileException, a damaged part)
        raise DomainError(_("The file is not an Excel workbook (.xlsx)."), code="invalid_file",
                          details={"file": "not_xlsx", "error": str(exc)[:200]}) from None
    try:
        spec = _read_info(_sheet(workbook, INFO_SHEET, "info"))
        spec["nodes"] = _read_nodes(_sheet(workbook, NODES_SHEET, "criteria"))
    finally:
        workbook.close()
    return spec


def read_file(name: str, data: bytes) -> dict[str, Any]:
    """A specification from an uploaded or given file, by its extension (.xlsx or .json)."""
    lower = name.lower()
    if lower.endswith(".json"):
        return read_json(data)
    if lower.endswith(".xlsx"):
        return read_xlsx(data)
    raise DomainError(_("Give an .xlsx or a .json file."), code="invalid_file", details={"file": "extension"})
