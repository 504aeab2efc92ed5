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
