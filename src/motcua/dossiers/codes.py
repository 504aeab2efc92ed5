"""Dossier codes: one atomic upsert per receipt on the daily counter, inside the receipt's transaction.

``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` is a single statement on PostgreSQL and on SQLite
(3.35+): on PostgreSQL it locks the counter row until the transaction ends, so parallel receipts of one
agency and day queue on it and get 0001, 0002, ... with no gap; on SQLite the transaction is IMMEDIATE
(settings), so writers are already serialised. The number is committed with the dossier that carries
it, so a committed code is never issued again; the unique constraint on ``Dossier.code`` is the last
guard.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from .models import DossierCodeCounter
from .rules import format_code

_TABLE = DossierCodeCounter._meta.db_table


def next_sequence(agency_code: str, day: dt.date) -> int:
    sql = (
        f"INSERT INTO {_TABLE} (agency_code, day, last_value) VALUES (%s, %s, 1) "  # noqa: S608 - fixed table name
        f"ON CONFLICT (agency_code, day) DO UPDATE SET last_value = {_TABLE}.last_value + 1 "
        "RETURNING last_value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_code, day])
        row = cursor.fetchone()
    return int(row[0])


def issue_code(rules: dict[str, Any], agency_code: str, day: dt.date) -> str:
    return format_code(rules, agency_code, day, next_sequence(agency_code, day))
