"""Personal data out of what is published (Decree 13/2023/NĐ-CP on personal data; Decree 20/2008 Art. 19
publishes the result, not the person).

``propose(text, known)`` masks what it detects and lists what it masked, so that the approver sees each
finding before publishing and may edit the text; ``leaks(text, known)`` is the check that publication runs on
the final texts and that refuses to publish while any remains. Detected: the sender's own name, ID number,
phone, e-mail and address as entered (``known``), and by pattern any citizen ID (12 digits) or old ID (9
digits), phone number, e-mail address, land plot and map sheet number, and a house-number street address.
Names other than the sender's are caught after a form of address (ông, bà, anh, chị, em, cô, chú) and after a
self-introduction (tôi là, tôi tên, tên tôi là, họ tên:, họ và tên:).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from motcua.core.text import fold_vi, nfc

MASK = "***"

_UPPER = "A-ZĐÀ-ỸÂĂÊÔƠƯ"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("id_number", re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)")),
    ("phone", re.compile(r"(?<![\d+])(?:\+?84|0)(?:[\s.-]?\d){8,10}(?!\d)")),
    ("plot", re.compile(r"(?i)\b(?:thửa(?:\s+đất)?|tờ\s+bản\s+đồ|plot|map\s+sheet)(?:\s+(?:số|no\.?))?\s*[:#]?\s*\d+"
                        r"[\w/-]*")),
    ("address", re.compile(r"(?i)\b(?:số\s+nhà|số|nhà\s+số|no\.?)\s*\d+[\w/-]*\s*,?\s*(?:đường|phố|ngõ|hẻm|"
                           r"kiệt|ngách|thôn|tổ|street|road|lane)\s+[^,.;\n]{1,60}")),
    ("name", re.compile(r"(?:(?<=\b[Ôô]ng )|(?<=\b[Bb]à )|(?<=\b[Aa]nh )|(?<=\b[Cc]hị )|(?<=\b[Cc]ô )|"
                        r"(?<=\b[Cc]hú )|(?<=\b[Ee]m )|(?<=\b[Tt]ôi là )|(?<=\b[Tt]ôi tên )|(?<=\b[Tt]ên tôi là )|"
                        rf"(?<=\b[Hh]ọ tên: )|(?<=\b[Hh]ọ và tên: ))[{_UPPER}][\w]*(?:\s+[{_UPPER}][\w]*){{1,4}}")),
]


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str


def _known_patterns(known: dict[str, str]) -> list[tuple[str, re.Pattern[str]]]:
    out: list[tuple[str, re.Pattern[str]]] = []
    for kind, value in known.items():
        value = nfc(value or "").strip()
        if len(value) < 3:
            continue
        if kind in ("id_number", "phone"):
            digits = re.sub(r"\D", "", value)
            if len(digits) >= 6:
                # The digits in any spacing: 0912 345 678, 0912.345.678.
                out.append((kind, re.compile(r"(?<!\d)" + r"[\s.-]?".join(digits) + r"(?!\d)")))
            continue
        out.append((kind, re.compile(re.escape(value), re.IGNORECASE)))
        if kind == "name":
            # The name without marks too ("Nguyen Van An"), as people type it.
            folded = fold_vi(value)
            if folded != value.casefold():
                out.append((kind, re.compile(re.escape(folded), re.IGNORECASE)))
    return out


def _scan(text: str, known: dict[str, str]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    folded_text = fold_vi(text) if any(k == "name" for k in known) else ""
    for kind, pattern in [*_known_patterns(known), *_PATTERNS]:
        for match in pattern.finditer(text):
            if MASK in match.group(0):
                continue
            spans.append((match.start(), match.end(), kind))
        if kind == "name" and folded_text and len(folded_text) == len(text):
            for match in pattern.finditer(folded_text):
                spans.append((match.start(), match.end(), kind))
    spans.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, kind))
    return merged


def propose(text: str, known: dict[str, str]) -> tuple[str, list[Finding]]:
    """The text with every detected piece of personal data masked, and the list of what was masked."""
    text = nfc(text or "")
    spans = _scan(text, known)
    out, findings, pos = [], [], 0
    for start, end, kind in spans:
        out.append(text[pos:start])
        out.append(MASK)
        findings.append(Finding(kind, text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out), findings


def leaks(text: str, known: dict[str, str]) -> list[Finding]:
    """What personal data the text still holds (empty when it is fit to publish)."""
    text = nfc(text or "")
    return [Finding(kind, text[start:end]) for start, end, kind in _scan(text, known)]
