"""Full-text search of the catalogue behind one function, whatever the database.

Citizens type without diacritics, in several words, often half a word, and with the abbreviations
everyone uses (GPXD, CCHN…). So both the indexed text and the query are folded with ``fold_vi``,
every word of the query is a prefix, all words must match, abbreviations match their expansion, and
a procedure whose *name* matches every word ranks before one that matches only in its body.

- SQLite: the FTS5 table ``catalogue_procedure_fts`` (migration 0002), ranked with bm25 (name ×10).
- PostgreSQL: ``to_tsquery('simple', …)`` with prefix terms on the stored weighted tsvector column
  ``search_vector`` (name = A, body = B; migration 0003) and its GIN index, ranked with ``ts_rank``;
  a name match is the same query restricted to weight A.
- Any other database, and the benchmark baseline: a ``LIKE`` scan of the folded columns.

The SQL strings below are assembled only from constants of this module and from a queryset compiled by
Django; every value (the query expression, the filter parameters, the page) is a bound parameter,
hence the ``noqa: S608``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from motcua.core.text import fold_vi

from .models import Procedure

# Abbreviations used in procedure names and by citizens, folded, with their folded expansion.
ABBREVIATIONS: dict[str, str] = {
    "gpxd": "giay phep xay dung",
    "cchn": "chung chi hanh nghe",
    "ccnl": "chung chi nang luc",
    "pccc": "phong chay chua chay",
    "bcnckt": "bao cao nghien cuu kha thi",
    "bds": "bat dong san",
}
_WORD = re.compile(r"[a-z0-9]+")
_CODE = re.compile(r"^\d+(\.\d*)?$")
MAX_TERMS = 12
FTS_TABLE = "catalogue_procedure_fts"
# The generated column of migration 0003 (name folded = weight A, body = weight B).
PG_VECTOR = "search_vector"


def words(text: str) -> list[str]:
    return _WORD.findall(fold_vi(text))


def index_text(*parts: str) -> str:
    """Folded text for the index, with the expansion of every abbreviation it contains appended."""
    tokens = [w for part in parts for w in words(part)]
    expansions = [ABBREVIATIONS[t] for t in dict.fromkeys(tokens) if t in ABBREVIATIONS]
    return " ".join([*tokens, *expansions])


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[str, ...]
    code_prefix: str | None = None

    @property
    def empty(self) -> bool:
        return not self.terms and self.code_prefix is None


def parse(query: str) -> ParsedQuery:
    folded = fold_vi(query or "")
    if _CODE.match(folded):
        return ParsedQuery(terms=(), code_prefix=folded)
    return ParsedQuery(terms=tuple(dict.fromkeys(_WORD.findall(folded)))[:MAX_TERMS])


def fts5_expression(terms: tuple[str, ...]) -> str:
    parts = []
    for term in terms:
        if term in ABBREVIATIONS:
            parts.append(f'("{ABBREVIATIONS[term]}" OR {term}*)')
        else:
            parts.append(f"{term}*")
    return " AND ".join(parts)


def phrase_words(terms: tuple[str, ...]) -> list[str]:
    """The query as one phrase, abbreviations expanded: a name holding it ranks first."""
    return " ".join(ABBREVIATIONS.get(term, term) for term in terms).split()


def pg_tsquery(terms: tuple[str, ...], weight: str = "") -> str:
    """A tsquery of prefix terms; ``weight="A"`` restricts every term to the name."""
    parts = []
    for term in terms:
        if term in ABBREVIATIONS:
            phrase = " <-> ".join(f"{w}:{weight}" if weight else w for w in ABBREVIATIONS[term].split())
            parts.append(f"(({phrase}) | {term}:*{weight})")
        else:
            parts.append(f"{term}:*{weight}")
    return " & ".join(parts)


def _subquery(base: QuerySet[Procedure]) -> tuple[str, tuple]:
    sql, params = base.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


def _page(limit: int | None, offset: int) -> tuple[str, tuple]:
    if limit is None:
        return " LIMIT -1 OFFSET %s" if connection.vendor == "sqlite" else " OFFSET %s", (offset,)
    return " LIMIT %s OFFSET %s", (limit, offset)


def _fetch(sql: str, params: tuple) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _count_and_ids(rows: list, count_sql: str, count_params: tuple, offset: int) -> tuple[int, list[int]]:
    if rows:
        return rows[0][1], [row[0] for row in rows]
    if offset == 0:
        return 0, []
    return _fetch(count_sql, count_params)[0][0], []


def _search_sqlite(base: QuerySet[Procedure], terms: tuple[str, ...], limit: int | None,
                   offset: int) -> tuple[int, list[int]]:
    # MATERIALIZED keeps SQLite from pushing "rowid IN (…)" into the FTS5 scan, which would re-run the
    # full-text query once per candidate row.
    expr = fts5_expression(terms)
    inner, inner_params = _subquery(base)
    hits = (f"WITH hits AS MATERIALIZED (SELECT rowid AS id, bm25({FTS_TABLE}, 10.0, 1.0) AS score "  # noqa: S608
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) ")
    page, page_params = _page(limit, offset)
    phrase = '"' + " ".join(phrase_words(terms)) + '"'
    rows = _fetch(
        hits + f", named AS MATERIALIZED (SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s), "  # noqa: S608
        f"phrased AS MATERIALIZED (SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
        f"SELECT hits.id, COUNT(*) OVER () FROM hits JOIN catalogue_procedure p ON p.id = hits.id "
        f"WHERE hits.id IN ({inner}) "
        f"ORDER BY (hits.id IN (SELECT id FROM phrased)) DESC, (hits.id IN (SELECT id FROM named)) DESC, "
        f"hits.score ASC, p.code ASC{page}",
        (expr, f"name : ({expr})", f"name : {phrase}", *inner_params, *page_params),
    )
    count_sql = hits + f"SELECT COUNT(*) FROM hits WHERE hits.id IN ({inner})"  # noqa: S608
    return _count_and_ids(rows, count_sql, (expr, *inner_params), offset)


def _search_postgresql(base: QuerySet[Procedure], terms: tuple[str, ...], limit: int | None,
                       offset: int) -> tuple[int, list[int]]:
    tsq = pg_tsquery(terms)
    inner, inner_params = _subquery(base)
    where = f"{PG_VECTOR} @@ to_tsquery('simple', %s) AND catalogue_procedure.id IN ({inner})"
    page, page_params = _page(limit, offset)
    rows = _fetch(
        f"SELECT catalogue_procedure.id, COUNT(*) OVER () FROM catalogue_procedure WHERE {where} "  # noqa: S608
        f"ORDER BY ({PG_VECTOR} @@ to_tsquery('simple', %s)) DESC, ({PG_VECTOR} @@ to_tsquery('simple', %s)) DESC, "
        f"ts_rank({PG_VECTOR}, to_tsquery('simple', %s)) DESC, code ASC{page}",
        (tsq, *inner_params, " <-> ".join(f"{w}:A" for w in phrase_words(terms)), pg_tsquery(terms, "A"), tsq,
         *page_params),
    )
    count_sql = f"SELECT COUNT(*) FROM catalogue_procedure WHERE {where}"  # noqa: S608
    return _count_and_ids(rows, count_sql, (tsq, *inner_params), offset)


def like_filter(terms: tuple[str, ...]) -> tuple[Q, Case]:
    """The plain scan: every word (or its abbreviation's expansion) somewhere in name or body."""
    match = Q()
    in_name = Q()
    for term in terms:
        variants = [term, ABBREVIATIONS[term]] if term in ABBREVIATIONS else [term]
        term_q, name_q = Q(), Q()
        for variant in variants:
            term_q |= Q(name_folded__contains=variant) | Q(search_body__contains=variant)
            name_q |= Q(name_folded__contains=variant)
        match &= term_q
        in_name &= name_q
    tier = Case(When(in_name, then=Value(0)), default=Value(1), output_field=IntegerField())
    return match, tier


def search_like(base: QuerySet[Procedure], terms: tuple[str, ...], limit: int | None,
                offset: int) -> tuple[int, list[int]]:
    match, tier = like_filter(terms)
    qs = base.filter(match).annotate(search_tier=tier).order_by("search_tier", "code")
    count = qs.count()
    end = None if limit is None else offset + limit
    return count, list(qs.values_list("pk", flat=True)[offset:end])


def search_ids(base: QuerySet[Procedure], query: str, limit: int | None = None,
               offset: int = 0) -> tuple[int, list[int]] | None:
    """The ids of the procedures of ``base`` matching ``query``, best first, and how many match.

    Returns None when the query holds no searchable word, so that the caller lists ``base`` as is.
    """
    parsed = parse(query)
    if parsed.empty:
        return None
    if parsed.code_prefix is not None:
        qs = base.filter(code__startswith=parsed.code_prefix).order_by("code")
        end = None if limit is None else offset + limit
        return qs.count(), list(qs.values_list("pk", flat=True)[offset:end])
    if connection.vendor == "sqlite":
        return _search_sqlite(base, parsed.terms, limit, offset)
    if connection.vendor == "postgresql":
        return _search_postgresql(base, parsed.terms, limit, offset)
    return search_like(base, parsed.terms, limit, offset)


def index_procedure(procedure_id: int, name_folded: str, body: str) -> None:
    """Keep the SQLite FTS5 row of a procedure in step (PostgreSQL indexes the columns itself)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", (procedure_id,))  # noqa: S608
        cursor.execute(f"INSERT INTO {FTS_TABLE}(rowid, name, body) VALUES (%s, %s, %s)",  # noqa: S608
                       (procedure_id, name_folded, body))


def unindex_procedure(procedure_id: int) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", (procedure_id,))  # noqa: S608


def rebuild_index() -> int:
    """Rebuild the SQLite FTS5 table from the folded columns; returns the number of rows indexed."""
    if connection.vendor != "sqlite":
        return Procedure.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, name, body) SELECT id, name_folded, search_body FROM catalogue_procedure"  # noqa: S608
        )
        return cursor.rowcount
