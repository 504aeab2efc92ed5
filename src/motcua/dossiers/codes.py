"""Dossier codes and register numbers: one atomic upsert per receipt on a counter row, inside the receipt's
transaction.

``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` is a single statement on PostgreSQL and on SQLite
(3.35+): on PostgreSQL it locks the counter row until the transaction ends, so parallel receipts of one
agency and day (or year) queue on it and get 1, 2, ... with no gap; on SQLite the transaction is IMMEDIATE
(settings), so writers are already serialised. The number is committed with the dossier that carries
it, so a committed number is never issued again; the unique constraint on ``Dossier.code`` is the last
guard of the code.

- the code's sequence counts the dossiers of the receiving agency within the day (Circular 01/2018 Art. 19:
  XXXX);
- the register number counts them within the calendar year, from 1 on 1 January (Circular 01/2018 Arts.
  9-10: one register a year, numbered continuously; Decree 30/2020 Art. 15(1));
- every other paper an agency issues (a supplement request, an apology, a report, any kind added later) is
  numbered in the agency's register of that kind and year (``next_paper_number``), the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from .models import DossierCodeCounter, PaperCounter, RegisterCounter
from .rules import format_code

_TABLE = DossierCodeCounter._meta.db_table
_REGISTER_TABLE = RegisterCounter._meta.db_table
_PAPER_TABLE = PaperCounter._meta.db_table


def _next(table: str, period: str, agency_code: str, value: dt.date | int) -> int:
    sql = (
        f"INSERT INTO {table} (agency_code, {period}, last_value) VALUES (%s, %s, 1) "  # noqa: S608 - fixed names
        f"ON CONFLICT (agency_code, {period}) DO UPDATE SET last_value = {table}.last_value + 1 "
        "RETURNING last_value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_code, value])
        row = cursor.fetchone()
    return int(row[0])


def next_sequence(agency_code: str, day: dt.date) -> int:
    return _next(_TABLE, "day", agency_code, day)


def next_register_number(agency_code: str, year: int) -> int:
    """The next number of the receiving agency's register of ``year``."""
    return _next(_REGISTER_TABLE, "year", agency_code, year)


def next_paper_number(agency_code: str, kind: str, year: int) -> int:
    """The next number of the agency's register of papers of ``kind`` in ``year``: one upsert, in the caller's
    transaction (the number is committed with what names it)."""
    sql = (
        f"INSERT INTO {_PAPER_TABLE} (agency_code, kind, year, last_value) VALUES (%s, %s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (agency_code, kind, year) DO UPDATE SET last_value = {_PAPER_TABLE}.last_value + 1 "
        "RETURNING last_value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_code, kind, year])
        row = cursor.fetchone()
    return int(row[0])


def issue_code(rules: dict[str, Any], agency_code: str, day: dt.date) -> str:
    return format_code(rules, agency_code, day, next_sequence(agency_code, day))
