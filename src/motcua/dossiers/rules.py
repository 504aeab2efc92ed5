"""The rule sets of the one-stop mechanism, each with the dates it applies to (law is versioned).

A dossier stores the rule set in force on its receipt date (``Dossier.rules``) and keeps it: a later
change of the law moves neither its code format nor its forms (domain note legal-timeline.md §1).

- ``2018``: Decree 61/2018/NĐ-CP with Circular 01/2018/TT-VPCP, until 30/06/2025. Six forms; code
  ``<receiving agency>-YYMMDD-XXXX`` (Circular 01/2018 Art. 19).
- ``2025``: Decree 118/2025/NĐ-CP with Circular 03/2025/TT-VPCP, from 01/07/2025. Seven forms, the stop
  notice added. The base code format of Circular 03/2025 Art. 13(1)-(2) was not captured [unverified],
  so the 2018 format is kept; the variant of Circular 04/2025 Art. 23(2) for nationally centralised
  systems (``<resolving agency>-YYMMDD-AAXXXX``, from 25/01/2026) is used when the installation sets
  ``MOTCUA_CENTRAL_SYSTEM_CODE`` (the two digits AA).

Which form set applied between 01/07/2025 and the date Circular 03/2025 took effect is not known
[unverified]; the 2025 set is used from 01/07/2025.

The legal switches (the supplement window and what the clock does after it, how a refusal after
appraisal is coded, when an online dossier's time starts, the usual consultation and step times) are
data: ``models.RuleSet`` rows valid from a date, edited in the admin, with a procedure version's
exceptions where sector law differs (``ProcedureVersion.supplement_working_days``/``supplement_rule``).
``rules_at_receipt`` merges the three into the copy a dossier keeps; services read that copy through
``switch`` and never the settings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import RuleSet

FORM_ROLES = ("receipt", "supplement-request", "refusal", "apology", "stop-notice", "control-sheet", "register")

_FORMS_2018 = {
    "receipt": {"number": "01", "title": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "paper": "A5"},
    "supplement-request": {"number": "02", "title": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "paper": "A5"},
    "refusal": {"number": "03", "title": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "paper": "A5"},
    "apology": {"number": "04", "title": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "paper": "A5"},
    "control-sheet": {"number": "05", "title": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "paper": "A5"},
    "register": {"number": "06", "title": "SỔ THEO DÕI HỒ SƠ", "paper": "A4 landscape"},
}
_FORMS_2025 = {
    "receipt": {"number": "01", "title": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "paper": "A5"},
    "supplement-request": {"number": "02", "title": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "paper": "A5"},
    "refusal": {"number": "03", "title": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "paper": "A5"},
    "apology": {"number": "04", "title": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
                "paper": "A4"},
    "stop-notice": {"number": "05", "title": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "paper": "A5"},
    "control-sheet": {"number": "06", "title": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "paper": "A5"},
    "register": {"number": "07", "title": "SỔ THEO DÕI HỒ SƠ", "paper": "A4 landscape"},
}

# The agency's own papers, which are not forms of the one-stop set but administrative documents laid out as
# Decree 30/2020/NĐ-CP says (Art. 8; Annex III: "TB" for a notice). The refusal after appraisal is the
# processing agency's written answer with the reason (Decree 61/2018 Art. 19(8)), signed by its leader: not
# form 03, which is the desk's refusal to receive at intake. ``symbol`` is the document type's abbreviation.
AGENCY_PAPERS: dict[str, dict[str, str]] = {
    "refusal-answer": {"number": "", "title": "THÔNG BÁO", "paper": "A4", "symbol": "TB",
                       "summary": "Về việc trả lời hồ sơ đề nghị giải quyết thủ tục hành chính"},
}

RULE_SETS: list[dict[str, Any]] = [
    {
        "key": "2018",
        "valid_from": "2018-06-21",
        "valid_to": "2025-06-30",
        "basis": "Nghị định 61/2018/NĐ-CP; Thông tư 01/2018/TT-VPCP",
        "forms_basis": "Thông tư số 01/2018/TT-VPCP",
        "forms": _FORMS_2018,
        "code_format": "{agency}-{date:%y%m%d}-{seq:04d}",
        "supplement_requests_at_intake": 1,
        "transfer_cutoff": "15:00",
    },
    {
        "key": "2025",
        "valid_from": "2025-07-01",
        "valid_to": None,
        "basis": "Nghị định 118/2025/NĐ-CP (sửa đổi bởi Nghị định 309/2026/NĐ-CP); Thông tư 03/2025/TT-VPCP",
        "forms_basis": "Thông tư số 03/2025/TT-VPCP",
        "forms": _FORMS_2025,
        "code_format": "{agency}-{date:%y%m%d}-{seq:04d}",
        # Circular 04/2025 Art. 23(2), adding Art. 13(3) to Circular 03/2025, from 25/01/2026.
        "central_code_format": "{agency}-{date:%y%m%d}-{central}{seq:04d}",
        "central_code_from": "2026-01-25",
        "supplement_requests_at_intake": 1,
        "transfer_cutoff": "15:00",
    },
]


def rule_set_on(day: dt.date) -> dict[str, Any]:
    """The rule set in force on ``day`` (a copy, safe to store on the dossier)."""
    iso = day.isoformat()
    for rules in RULE_SETS:
        if rules["valid_from"] <= iso and (rules["valid_to"] is None or iso <= rules["valid_to"]):
            chosen = dict(rules)
            central = getattr(settings, "MOTCUA_CENTRAL_SYSTEM_CODE", "")
            if central and chosen.get("central_code_from") and iso >= chosen["central_code_from"]:
                chosen["code_format"] = chosen["central_code_format"]
                chosen["central"] = central
            return chosen
    return dict(RULE_SETS[0])


# --- the legal switches ------------------------------------------------------------------------------

# The values of a rule set a dossier keeps, with the legal default used only for a copy that lacks one
# (never the settings: a dossier in flight keeps what it was received under).
SWITCH_DEFAULTS: dict[str, Any] = {
    "supplement_working_days": 3,  # Decree 61/2018 Art. 19(4)
    "supplement_rule": "restart",  # Decree 61/2018 Art. 19(4)
    "refusal_status": 9,  # domain note dossier-lifecycle.md §10 [unverified]
    "online_clock_from": "submission",
    "consultation_working_days": 5,
    "step_working_days": 1,
}
# Where sector law differs by procedure, the version's value wins over the rule set's.
VERSION_OVERRIDES = ("supplement_working_days", "supplement_rule")
# A new installation's first row starts with the one-stop mechanism of Decree 61/2018, so that it
# covers every dossier the installation may hold.
DEFAULT_VALID_FROM = dt.date(2018, 6, 21)
_SETTINGS = {name: f"MOTCUA_{name.upper()}" for name in SWITCH_DEFAULTS}


def seed_values() -> dict[str, Any]:
    """The values of a new installation's first rule set: the environment's (``MOTCUA_SUPPLEMENT_RULE``,
    ``MOTCUA_REFUSAL_STATUS``…, read by settings), else the legal defaults. Read once, when no row exists."""
    return {name: getattr(settings, setting, SWITCH_DEFAULTS[name]) for name, setting in _SETTINGS.items()}


def ensure_default_rule_set() -> RuleSet:
    """The first rule set, created from the environment when the table is empty (idempotent)."""
    first = RuleSet.objects.order_by("valid_from").first()
    if first is not None:
        return first
    try:
        with transaction.atomic():
            return RuleSet.objects.create(
                valid_from=DEFAULT_VALID_FROM, basis="Nghị định 61/2018/NĐ-CP Điều 19; Nghị định 118/2025/NĐ-CP",
                note="Giá trị ban đầu lấy từ biến môi trường khi cài đặt.", **seed_values())
    except IntegrityError:  # another process seeded it meanwhile
        return RuleSet.objects.get(valid_from=DEFAULT_VALID_FROM)


def rule_set_row_on(day: dt.date) -> RuleSet:
    """The rule set row in force on ``day``: the latest starting on or before it (the earliest when the
    day precedes them all)."""
    row = RuleSet.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    return row or ensure_default_rule_set()


def switches_of(row: RuleSet, version: dict[str, Any]) -> dict[str, Any]:
    """The switches of ``row`` with the procedure version's exceptions (its snapshot) over them."""
    values = {name: getattr(row, name) for name in SWITCH_DEFAULTS}
    overridden = []
    for name in VERSION_OVERRIDES:
        if version.get(name) not in (None, ""):
            values[name] = version[name]
            overridden.append(name)
    values["switches"] = {"rule_set": row.pk, "valid_from": row.valid_from.isoformat(), "basis": row.basis,
                          "by_procedure": overridden}
    return values


def rules_at_receipt(day: dt.date, snapshot: dict[str, Any]) -> dict[str, Any]:
    """What a dossier received on ``day`` keeps for good: the rule set in force (forms, code format) and
    the switches in force that day, with the procedure version's exceptions (legal-timeline.md §1)."""
    return {**rule_set_on(day), **switches_of(rule_set_row_on(day), snapshot.get("version") or {})}


def switch(rules: dict[str, Any], name: str) -> Any:
    """A switch of the dossier's own copy of the rules."""
    value = rules.get(name)
    return SWITCH_DEFAULTS[name] if value in (None, "") else value


def format_code(rules: dict[str, Any], agency_code: str, day: dt.date, seq: int) -> str:
    return str(rules["code_format"]).format(agency=agency_code, date=day, seq=seq, central=rules.get("central", ""))


def form_info(rules: dict[str, Any], role: str) -> dict[str, str] | None:
    forms: dict[str, dict[str, str]] = rules.get("forms", {})
    return forms.get(role) or AGENCY_PAPERS.get(role)


def role_for(rules: dict[str, Any], name: str) -> str | None:
    """A form named by its role ("receipt") or by its number in the dossier's set ("01"), or one of the
    agency's own papers by its role (whatever set the dossier keeps)."""
    forms: dict[str, dict[str, str]] = rules.get("forms", {})
    if name in forms or name in AGENCY_PAPERS:
        return name
    for role, info in forms.items():
        if info["number"] == name.zfill(2):
            return role
    return None


# Consulted agencies deemed to agree after their deadline: construction permits under Decree 217/2026
# Art. 54 (in force 01/07/2026), 2 working days. Data here until the catalogue carries it per version.
SILENCE_IS_CONSENT: list[dict[str, Any]] = [
    {
        "procedures": ("1.013236", "1.013231", "1.013238", "1.013230", "1.013233", "1.013235", "1.013225"),
        "valid_from": "2026-07-01",
        "days": 2,
        "basis": "Nghị định 217/2026/NĐ-CP Điều 54",
    },
]


def silence_rule(snapshot: dict[str, Any], received_at: dt.datetime | None) -> dict[str, Any] | None:
    """The rule under which a consulted agency that does not answer in time is deemed to agree, for a
    dossier of this procedure received on this date; None where an answer is simply late."""
    code = (snapshot.get("procedure") or {}).get("code", "")
    day = (timezone.localdate(received_at) if received_at else timezone.localdate()).isoformat()
    for rule in SILENCE_IS_CONSENT:
        if code in rule["procedures"] and rule["valid_from"] <= day:
            return rule
    return None
