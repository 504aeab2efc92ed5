"""The structured e-form of an application (*tờ khai điện tử tương tác*), declared per procedure version as data.

Decree 118/2025/NĐ-CP Art. 15 asks for interactive e-forms: the applicant fills in the application's own
content (for a construction permit: the plot, the map sheet, the areas, the floors, the grade of works…)
as fields that are checked when filled in, instead of one free-text request. A procedure version declares
its form as a list of fields (``ProcedureVersion.eform``)::

    [{"key": "plot_number", "type": "text", "label": {"vi": "Thửa đất số", "en": "Plot number"},
      "required": true, "max_length": 20, "search": true},
     {"key": "floors", "type": "integer", "label": {...}, "min": 1, "max": 200, "unit": "tầng"},
     {"key": "grade", "type": "choice", "label": {...},
      "choices": [{"value": "I", "label": {"vi": "Cấp I", "en": "Grade I"}}]}]

Types: ``text``, ``integer``, ``decimal``, ``choice``, ``date``. ``search`` marks the fields a staff search
may match exactly (``index_text``). An empty list means the version has no form and keeps the free-text
request. This module is the one place that checks a declaration (``check_declaration``) and the values of
an application against it (``clean_values``); the admin, the import, the desk, the wizard and the API all
call it, so every channel gives the same errors in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError
from motcua.core.text import fold_vi, nfc

TYPES = ("text", "integer", "decimal", "choice", "date")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 60
MAX_TEXT = 1000
_ATTRIBUTES = {"key", "type", "label", "required", "min", "max", "max_length", "choices", "unit", "help", "search",
               "note"}
_LANGUAGES = ("vi", "en")
_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


class EFormInvalid(DomainError):
    """Values that do not fit the declared form; ``details["fields"]`` lists each as ``form_data.<key>``."""

    status = 400
    code = "form_invalid"


def declared(snapshot: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The form declared in a version snapshot (``selectors.snapshot``); [] for none (older snapshots too)."""
    return list(((snapshot or {}).get("version") or {}).get("eform") or [])


def text_in(value: Any, language: str | None = None) -> str:
    """A ``{"vi": …, "en": …}`` text in ``language`` (the active one), falling back to Vietnamese."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    lang = (language or get_language() or "vi")[:2]
    return str(value.get(lang) or value.get("vi") or value.get("en") or "")


# --- the declaration --------------------------------------------------------------------------------


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_label(value: Any, path: str, errors: list[dict[str, str]], *, required: bool = True) -> None:
    if value is None and not required:
        return
    if not isinstance(value, dict) or not str(value.get("vi") or "").strip():
        errors.append({"field": path, "message": _("Give the label in Vietnamese (and in English), as "
                                                   "{\"vi\": \"…\", \"en\": \"…\"}.")})
        return
    extra = set(value) - set(_LANGUAGES)
    if extra or not all(isinstance(v, str) for v in value.values()):
        errors.append({"field": path, "message": _("A label has only the texts \"vi\" and \"en\".")})


def _check_field(item: Any, path: str, seen: set[str], errors: list[dict[str, str]]) -> None:
    if not isinstance(item, dict):
        errors.append({"field": path, "message": _("Each field of the form is an object with a key, a type and "
                                                   "a label.")})
        return
    unknown = sorted(set(item) - _ATTRIBUTES)
    if unknown:
        errors.append({"field": path, "message": _("Unknown attribute(s): %(names)s.") % {"names": ", ".join(unknown)}})
    key = item.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        errors.append({"field": f"{path}.key", "message": _(
            "The key is 1 to 40 lower-case letters, digits or underscores, starting with a letter.")})
    elif key in seen:
        errors.append({"field": f"{path}.key", "message": _("The key %(key)s appears twice.") % {"key": key}})
    else:
        seen.add(key)
    kind = item.get("type")
    if kind not in TYPES:
        errors.append({"field": f"{path}.type", "message": _("The type is one of: %(types)s.")
                       % {"types": ", ".join(TYPES)}})
    _check_label(item.get("label"), f"{path}.label", errors)
    _check_label(item.get("help"), f"{path}.help", errors, required=False)
    for flag in ("required", "search"):
        if flag in item and not isinstance(item[flag], bool):
            errors.append({"field": f"{path}.{flag}", "message": _("Give true or false.")})
    for text in ("unit", "note"):
        if text in item and not isinstance(item[text], str):
            errors.append({"field": f"{path}.{text}", "message": _("Give a text.")})
    low, high = item.get("min"), item.get("max")
    for name, bound in (("min", low), ("max", high)):
        if bound is None:
            continue
        if kind not in ("integer", "decimal"):
            errors.append({"field": f"{path}.{name}", "message": _("Only a number field has a minimum or maximum.")})
        elif not _number(bound) or (kind == "integer" and not float(bound).is_integer()):
            errors.append({"field": f"{path}.{name}", "message": _("Give a number.")})
    if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
        errors.append({"field": f"{path}.max", "message": _("The maximum is smaller than the minimum.")})
    if "max_length" in item and (kind != "text" or not isinstance(item["max_length"], int)
                                 or isinstance(item["max_length"], bool) or not 1 <= item["max_length"] <= MAX_TEXT):
        errors.append({"field": f"{path}.max_length", "message": _(
            "Only a text field has a maximum length, from 1 to %(n)d characters.") % {"n": MAX_TEXT}})
    choices = item.get("choices")
    if kind == "choice":
        if not isinstance(choices, list) or not choices:
            errors.append({"field": f"{path}.choices", "message": _("A choice field lists its choices.")})
        else:
            values: set[str] = set()
            for n, choice in enumerate(choices):
                cpath = f"{path}.choices[{n}]"
                value = choice.get("value") if isinstance(choice, dict) else None
                if not isinstance(value, str) or not value.strip() or len(value) > 100:
                    errors.append({"field": f"{cpath}.value", "message": _("Each choice has a value (a text).")})
                    continue
                if value in values:
                    errors.append({"field": f"{cpath}.value", "message": _("The value %(value)s appears twice.")
                                   % {"value": value}})
                values.add(value)
                _check_label(choice.get("label"), f"{cpath}.label", errors)
    elif choices is not None:
        errors.append({"field": f"{path}.choices", "message": _("Only a choice field has choices.")})


def check_declaration(declaration: Any) -> list[dict[str, str]]:
    """Every problem of a declared form, each with its path (``[2].choices[0].label``); [] when it is good."""
    if declaration in (None, ""):
        return []
    if not isinstance(declaration, list):
        return [{"field": "", "message": _("The form is a list of fields (a JSON array), or [] for none.")}]
    if len(declaration) > MAX_FIELDS:
        return [{"field": "", "message": _("A form has at most %(n)d fields.") % {"n": MAX_FIELDS}}]
    errors: list[dict[str, str]] = []
    seen: set[str] = set()
    for n, item in enumerate(declaration):
        _check_field(item, f"[{n}]", seen, errors)
    return errors


def validate_declaration(declaration: Any) -> None:
    """Raise ``DomainError`` (field ``eform``) naming every problem of the declaration."""
    errors = check_declaration(declaration)
    if errors:
        listed = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        raise DomainError(_("The e-form is not valid: %(errors)s") % {"errors": listed}, code="invalid_eform",
                          details={"field": "eform", "errors": errors})


# --- the values of an application -------------------------------------------------------------------


def _clean_one(spec: dict[str, Any], raw: Any) -> Any:
    """The value of one field, normalised for JSON; raise ``ValueError`` with the message to show."""
    kind = spec["type"]
    label = text_in(spec["label"])
    if kind == "text":
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            raise ValueError(_("“%(label)s” must be a text.") % {"label": label})
        text = nfc(str(raw))
        limit = spec.get("max_length") or MAX_TEXT
        if len(text) > limit:
            raise ValueError(_("“%(label)s” may have at most %(n)d characters.") % {"label": label, "n": limit})
        return text
    if kind == "choice":
        values = [c["value"] for c in spec["choices"]]
        if raw not in values:
            names = ", ".join(text_in(c["label"]) for c in spec["choices"])
            raise ValueError(_("Choose one of the values of “%(label)s”: %(names)s.")
                             % {"label": label, "names": names})
        return raw
    if kind == "date":
        try:
            day = dt.date.fromisoformat(str(raw)) if not isinstance(raw, dt.date) else raw
        except ValueError:
            try:
                day = dt.datetime.strptime(str(raw).strip(), "%d/%m/%Y").date()
            except ValueError:
                raise ValueError(_("“%(label)s” must be a date, e.g. 15/03/2026.") % {"label": label}) from None
        return day.isoformat()
    # integer or decimal; a decimal comma is what a Vietnamese applicant types (120,5 m²)
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise ValueError(_("“%(label)s” must be a number.") % {"label": label})
    text = str(raw).strip().replace(" ", "")
    if isinstance(raw, str):
        # Read as a Vietnamese applicant writes: dots between thousands, a decimal comma (1.250,5 m²); "1.250"
        # alone is one thousand two hundred and fifty, "12.5" twelve and a half.
        if "," in text and "." in text and text.rfind(".") > text.rfind(","):
            text = text.replace(",", "")  # 1,250.5 as written in English
        elif "," in text:
            text = text.replace(".", "").replace(",", ".") if text.count(",") == 1 else text
        elif _THOUSANDS.match(text):
            text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
        raise ValueError(_("“%(label)s” must be a number.") % {"label": label})
    if kind == "integer" and number != number.to_integral_value():
        raise ValueError(_("“%(label)s” must be a whole number.") % {"label": label})
    low, high = spec.get("min"), spec.get("max")
    unit = f" {spec['unit']}" if spec.get("unit") else ""
    if low is not None and number < Decimal(str(low)):
        raise ValueError(_("“%(label)s” must be at least %(min)s%(unit)s.")
                         % {"label": label, "min": display_number(Decimal(str(low))), "unit": unit})
    if high is not None and number > Decimal(str(high)):
        raise ValueError(_("“%(label)s” must be at most %(max)s%(unit)s.")
                         % {"label": label, "max": display_number(Decimal(str(high))), "unit": unit})
    if kind == "integer":
        return int(number)
    return int(number) if number == number.to_integral_value() else float(format(number.normalize(), "f"))


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def clean_values(declaration: list[dict[str, Any]], raw: Any, *, prefix: str = "form_data",
                 complete: bool = True) -> dict[str, Any]:
    """The application's values checked against the declared form, normalised (numbers as JSON numbers, dates
    ISO, texts NFC); raise ``EFormInvalid`` listing every bad field as ``<prefix>.<key>`` at once.

    ``complete=False`` (a dossier the desk sends back for completion or refuses at intake) lets required
    fields stay empty; what is given must still fit."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise EFormInvalid(_("The application form must be an object of field values."),
                           details={"fields": [{"field": prefix, "message": _("Give an object of field values.")}]})
    problems: list[dict[str, str]] = []
    known = {spec["key"] for spec in declaration}
    for key in sorted(set(raw) - known):
        problems.append({"field": f"{prefix}.{key}", "message": _("The application form has no field %(key)s.")
                         % {"key": key}})
    values: dict[str, Any] = {}
    for spec in declaration:
        given = raw.get(spec["key"])
        if _blank(given):
            if spec.get("required") and complete:
                problems.append({"field": f"{prefix}.{spec['key']}", "message": _("Fill in “%(label)s”.")
                                 % {"label": text_in(spec["label"])}})
            continue
        if isinstance(given, str):
            given = given.strip()
        try:
            values[spec["key"]] = _clean_one(spec, given)
        except ValueError as exc:
            problems.append({"field": f"{prefix}.{spec['key']}", "message": str(exc)})
    if problems:
        raise EFormInvalid(_("The application form has %(n)d error(s): %(first)s")
                           % {"n": len(problems), "first": problems[0]["message"]}, details={"fields": problems})
    return values


# --- showing and searching the values ---------------------------------------------------------------


def display_number(value: Decimal | int | float, language: str | None = None) -> str:
    """A number the Vietnamese way, 1.250,5 (dots between thousands, a decimal comma); 1,250.5 in English."""
    number = Decimal(str(value)).normalize()
    whole, _dot, fraction = format(number, "f").partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    grouped = ""
    while len(digits) > 3:
        grouped = "." + digits[-3:] + grouped
        digits = digits[:-3]
    text = f"{sign}{digits}{grouped}" + (f",{fraction}" if fraction else "")
    if (language or get_language() or "vi")[:2] == "en":
        text = text.translate(str.maketrans(",.", ".,"))
    return text


def display_value(spec: dict[str, Any], value: Any, language: str | None = None) -> str:
    if value is None or value == "":
        return ""
    kind = spec.get("type")
    if kind == "choice":
        found = next((c for c in spec.get("choices") or [] if c.get("value") == value), None)
        return text_in(found["label"], language) if found else str(value)
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if kind in ("integer", "decimal") and _number(value):
        text = display_number(value, language)
        return f"{text} {spec['unit']}" if spec.get("unit") else text
    return f"{value} {spec['unit']}" if spec.get("unit") else str(value)


def rows(declaration: list[dict[str, Any]], values: dict[str, Any] | None,
         language: str | None = None) -> list[dict[str, str]]:
    """The filled-in fields in the declared order, as (key, label, value) for pages and papers."""
    values = values or {}
    return [{"key": spec["key"], "label": text_in(spec["label"], language),
             "value": display_value(spec, values[spec["key"]], language)}
            for spec in declaration if spec.get("key") in values and values[spec["key"]] not in (None, "")]


def fold_value(value: Any) -> str:
    """A value as the search compares it: folded, spaces squeezed, a number without its trailing zeros."""
    if _number(value):
        return format(Decimal(str(value)).normalize(), "f")
    return " ".join(fold_vi(str(value)).split())


def index_text(declaration: list[dict[str, Any]], values: dict[str, Any] | None) -> str:
    """The searchable fields as ``|key=value|key=value|`` (folded), for an exact match on one field or any."""
    values = values or {}
    parts = [f"{spec['key']}={fold_value(values[spec['key']])}" for spec in declaration
             if spec.get("search") and values.get(spec["key"]) not in (None, "")]
    return ("|" + "|".join(parts) + "|") if parts else ""


def search_fragment(key: str, value: str) -> str:
    """What ``index_text`` holds for ``key`` = ``value``; with no key, the ``=value|`` of any field."""
    folded = fold_value(value)
    return f"|{key}={folded}|" if key else f"={folded}|"
