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


def test_no_message_means_two_things():
    """Django merges every catalogue into one: an id translated differently by two apps shows the wrong text
    in one of them. Such ids need a context (``pgettext`` / ``{% translate "…" context "…" %}``)."""
    seen: dict[tuple[str | None, str], dict[str, str]] = {}
    for path in CATALOGUES:
        with path.open("rb") as handle:
            for m in read_po(handle, locale="vi"):
                if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string:
                    seen.setdefault((m.context, m.id), {})[str(path.relative_to(SRC))] = m.string
    clashes = {
        key[1]: where for key, where in seen.items()
        if len({s.casefold().strip(" .") for s in where.values()}) > 1
    }
    assert clashes == {}
