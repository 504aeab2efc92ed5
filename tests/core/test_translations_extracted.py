"""Every translatable string in the code and templates is in its app's Vietnamese catalogue.

``makemessages`` (GNU gettext's xgettext) re-extracts the strings into a scratch copy of the source
tree; each extracted id must already have a translation in the committed catalogue. Skipped where
gettext is not installed (`.ci/run` installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

SRC = Path(__file__).resolve().parents[2] / "src" / "motcua"
APPS_WITH_CATALOGUE = sorted(p.parents[3].name for p in SRC.glob("*/locale/vi/LC_MESSAGES/django.po"))

pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")


def _translated_ids(po: Path) -> set[str]:
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale="vi")
    return {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalogue
        if m.id and not m.fuzzy and (m.string if isinstance(m.string, str) else all(m.string))
    }


def _extract(tmp_path: Path, folder: str, ignores: list[str]) -> set[str]:
    scratch = tmp_path / "src"
    shutil.copytree(SRC, scratch / "motcua", ignore=shutil.ignore_patterns("*.mo", "*.po", "__pycache__"))
    workdir = scratch / "motcua" / folder if folder else scratch / "motcua"
    (workdir / "locale").mkdir(exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.settings", "PYTHONPATH": str(SRC.parent)}
    # django-admin, not ``python -m django``: -m would put the app folder first on sys.path, and an app's
    # selectors.py would shadow the standard library's.
    args = [str(Path(sys.executable).parent / "django-admin"), "makemessages", "-l", "vi", "--no-location",
            "--no-wrap"]
    for pattern in ignores:
        args += ["-i", pattern]
    subprocess.run(args, cwd=workdir, env=env, check=True, capture_output=True, timeout=300)
    return _translated_ids_all(workdir / "locale" / "vi" / "LC_MESSAGES" / "django.po")


def _translated_ids_all(po: Path) -> set[str]:
    with po.open("rb") as handle:
        return {(m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(handle, locale="vi") if m.id}


@pytest.mark.parametrize("app", APPS_WITH_CATALOGUE)
def test_app_strings_are_all_translated(tmp_path, app):
    extracted = _extract(tmp_path, app, [])
    missing = sorted(extracted - _translated_ids(SRC / app / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    assert missing == [], f"run makemessages in src/motcua/{app} and translate these"


def test_shell_strings_are_all_translated(tmp_path):
    ignores = [f"{app}/*" for app in APPS_WITH_CATALOGUE]
    extracted = _extract(tmp_path, "", ignores)
    missing = sorted(extracted - _translated_ids(SRC / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    assert missing == []


@pytest.mark.parametrize("po", sorted(SRC.glob("**/locale/vi/LC_MESSAGES/django.po")), ids=lambda p: str(p.parent))
def test_every_catalogue_is_well_formed(po: Path) -> None:
    """GNU msgfmt's strict check: no entry with two translations, no message defined twice. A line-wise merge of
    two branches' catalogues once left both (Babel compiles such a file without a word, keeping one at random)."""
    result = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po)], capture_output=True, text=True,
                            check=False)
    errors = [line for line in result.stderr.splitlines() if "header field" not in line]
    assert result.returncode == 0 and not errors, "\n".join(errors[:20])
    with po.open("rb") as handle:  # a header marked fuzzy (a fresh makemessages file): Babel skips the whole file
        assert not read_po(handle, locale="vi").fuzzy, f"{po}: the header is marked fuzzy"
