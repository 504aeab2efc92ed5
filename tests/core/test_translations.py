"""Both catalogues complete: every message of every app has a Vietnamese translation."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

SRC = Path(__file__).resolve().parents[2] / "src" / "motcua"
CATALOGUES = sorted(SRC.glob("**/locale/vi/LC_MESSAGES/django.po"))


def test_there_is_a_vietnamese_catalogue():
    assert CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_catalogue_is_complete_and_not_fuzzy(path: Path):
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="vi")
    untranslated = [m.id for m in catalogue if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_catalogue_is_compiled(path: Path):
    compiled = path.with_suffix(".mo")
    assert compiled.exists(), "run `make messages`"
    assert compiled.stat().st_mtime >= path.stat().st_mtime - 1, "the .mo is older than its .po: run `make messages`"
