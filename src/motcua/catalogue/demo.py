"""Demo data: the Department of Construction's procedures, from ``data/construction.json``.

The file is in the import schema (docs/catalogue-schema.md) and goes through the importer, so the demo
exercises the same validation as an operator's import. Versions with every required part are
published; the others stay drafts, with what is missing left empty ("not captured"), never guessed.
Procedures already present are left untouched, so ``motcua demo`` can run on every start.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from . import exchange

DATA = Path(__file__).resolve().parent / "data" / "construction.json"


def seed(stdout: TextIO) -> None:
    counts = exchange.import_file(str(DATA), skip_existing=True)
    if counts["procedures"]:
        stdout.write(f"Catalogue: {counts['procedures']} procedures, {counts['versions']} versions loaded.\n")
