"""Text normalisation shared by every app.

Input is stored in Unicode NFC (DESIGN.md, "Text"): Vietnamese can be typed either precomposed
("ế" as one code point) or decomposed ("e" + circumflex + acute), and two spellings of one name
must compare equal. Search uses ``fold_vi``: đ→d, every combining mark stripped, casefolded, so that
"cap phep xay dung" finds "Cấp giấy phép xây dựng".
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not d + a mark, so NFD does not split them.
_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(value: str) -> str:
    """Return ``value`` in NFC with surrounding white space removed and inner runs collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold_vi(value: str) -> str:
    """Fold Vietnamese text for search: no diacritics, đ→d, case-insensitive, single spaces."""
    decomposed = unicodedata.normalize("NFD", value.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


# C0 and C1 control characters and DEL, except tab, line feed and carriage return (multi-line text). A NUL
# stored through SQLite makes PostgreSQL refuse the same row later with a 500; the others hide text from the
# reader (a form printed with a backspace or an escape is not the form the officer saw). Refused at the edge.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_character(value: str) -> bool:
    """True if ``value`` holds a control character other than tab, line feed or carriage return."""
    return _CONTROL.search(value) is not None


def ascii_digits_only(value: str) -> bool:
    """True if every character that is a digit is an ASCII one. ``str.isdigit`` and ``\\d`` also accept
    Arabic-Indic ("٠٦٨"), full-width ("０６８") and other scripts' digits, which look like a number to a form
    check but never match the tracking's last four digits nor the national databases."""
    return all(ch in "0123456789" for ch in value if ch.isdigit())


def refuse_control_characters(value: str) -> str:
    """The shared check as a pydantic ``AfterValidator`` (``core.api_schemas.CleanText``); Django form fields
    use its twin ``validate_no_control_characters``."""
    if has_control_character(value):
        raise ValueError("control characters (such as NUL) are not allowed")
    return value


def validate_no_control_characters(value: str) -> None:
    """Django validator twin of ``refuse_control_characters``."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if has_control_character(str(value)):
        raise ValidationError(_("The text sent contains control characters (such as NUL): remove them and try "
                                "again."), code="control_character")
