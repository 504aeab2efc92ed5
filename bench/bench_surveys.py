"""Surveys: the SIPAS indices of a province-year read by ``surveys.selectors.results`` on 1,000,000 generated
raw answers (``--quick`` 50,000): about 100 agencies, the seeded ``sipas`` questionnaire (19 criteria), 12
months, 4 channels, some "not applicable" answers. p50 and p95 of the province-year overall results, by agency,
by month, one agency's year (all read from the running tallies) and one agency by procedure (read from the raw
answers), as ratios to DuckDB computing the province-year per-criterion shares by a full scan of the same
answers (with their response's month and agency) exported to Parquet, in the same run. The tallies are built
by ``services.retally`` and checked once against a GROUP BY over the raw answers; the DuckDB shares are checked
against the selector's criterion indices. Runs on the configured database (SQLite by default; set DATABASE_URL
for PostgreSQL: a test database is created and dropped). DuckDB and pyarrow are bench-only dependencies,
imported here.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from common import in_test_db, times

FIRST, LAST = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
AGENCIES = 100
CHANNELS = ("link", "qr", "kiosk", "paper")


def run(args: Any) -> None:
    in_test_db(_measure, args)


def _agencies() -> list[Any]:
    from motcua.accounts import services as accounts
    from motcua.accounts.choices import UnitKind
    from motcua.accounts.models import OrgUnit

    province = accounts.save_unit(OrgUnit(name="UBND tỉnh (bench)", code="BS.H00", kind=UnitKind.PROVINCE))
    return [accounts.save_unit(OrgUnit(parent=province, name=f"Sở thử nghiệm {i + 1:03d}", code=f"BS.A{i + 1:03d}",
                                       kind=UnitKind.AGENCY)) for i in range(AGENCIES)]


def _generate(n_answers: int, seed: int = 16) -> tuple[Any, list[Any], int]:
    """Responses and answers of a province-year, inserted in bulk (COPY on PostgreSQL, executemany on SQLite).
    Each agency has its own level of satisfaction and its own procedures; factor 5 (feedback) is "not
    applicable" for most citizens, the others now and then."""
    from django.db import connection, transaction

    from motcua.surveys import services
    from motcua.surveys.models import Answer, Questionnaire, Response

    form = Questionnaire.objects.get(code="sipas", version=1)
    criteria = list(form.criteria.order_by("factor__position", "position"))
    assert len(criteria) == 19, len(criteria)
    agencies = _agencies()
    rng = random.Random(seed)
    # Agency volumes vary by a factor of ten; satisfaction from about 70% to 97%.
    volume = [rng.uniform(1, 10) for _ in agencies]
    level = [rng.uniform(-0.6, 0.9) for _ in agencies]
    procedures = [[f"1.{i:03d}{k:02d}" for k in range(8)] for i in range(len(agencies))]
    na_rate = [0.45 if c.factor.code == "5" else 0.03 for c in criteria]
    n_responses = -(-n_answers // len(criteria))
    pg = connection.vendor == "postgresql"
    pk_field = Response._meta.pk
    responses: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []
    picks = rng.choices(range(len(agencies)), weights=volume, k=n_responses)
    for a in picks:
        rid = uuid.uuid4()
        month = dt.date(2026, rng.randint(1, 12), 1)
        channel = rng.choices(CHANNELS, weights=(5, 3, 3, 1))[0]
        mood = level[a] + rng.gauss(0, 0.7)
        scores: dict[int, int | None] = {}
        for c, na in zip(criteria, na_rate, strict=True):
            if rng.random() < na:
                scores[c.pk] = None
                continue
            x = 4.1 + mood + rng.gauss(0, 0.6)
            scores[c.pk] = min(5, max(1, round(x)))
        if all(v is None for v in scores.values()):
            scores[criteria[0].pk] = 4
        disliked = services.dislikes(form, criteria, scores)
        key = pk_field.get_db_prep_value(rid, connection)
        month_db = month if pg else month.isoformat()
        responses.append((key, form.pk, channel, agencies[a].pk, "", rng.choice(procedures[a]), month_db, "", "",
                          disliked))
        answers.extend((key, cid, v) for cid, v in scores.items())
    rcols = "id, questionnaire_id, channel, unit_id, desk, procedure_code, month, stratum, comment, disliked"
    acols = "response_id, criterion_id, value"
    rt, at = Response._meta.db_table, Answer._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if pg:
            raw = cursor.cursor
            with raw.copy(f"COPY {rt} ({rcols}) FROM STDIN") as copy:
                for row in responses:
                    copy.write_row(row)
            with raw.copy(f"COPY {at} ({acols}) FROM STDIN") as copy:
                for row in answers:
                    copy.write_row(row)
        else:
            step = 20_000
            marks = ", ".join(["%s"] * 10)
            for i in range(0, len(responses), step):
                cursor.executemany(f"INSERT INTO {rt} ({rcols}) VALUES ({marks})",  # noqa: S608 - constant text
                                   responses[i:i + step])
            for i in range(0, len(answers), step):
                cursor.executemany(f"INSERT INTO {at} ({acols}) VALUES (%s, %s, %s)",  # noqa: S608
                                   answers[i:i + step])
    if pg:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {rt}; ANALYZE {at}")
    return form, agencies, len(answers)


def _check_tallies(form: Any) -> tuple[bool, int]:
    """The tallies equal a GROUP BY over the raw answers (and the responses, for the rows without criterion)."""
    from django.db.models import Count, Q, Sum

    from motcua.surveys.models import Answer, Response, Tally

    def key(unit: int, month: dt.date, channel: str, crit: int | None) -> tuple[Any, ...]:
        return (unit, month, channel, crit)

    tallies = {key(t["unit_id"], t["month"], t["channel"], t["criterion_id"]):
               (t["answered"], t["satisfied"], t["na"], t["score_sum"], t["disliked"])
               for t in Tally.objects.filter(questionnaire=form).values(
                   "unit_id", "month", "channel", "criterion_id", "answered", "satisfied", "na", "score_sum",
                   "disliked")}
    raw: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for r in (Answer.objects.filter(response__questionnaire=form)
              .values("response__unit_id", "response__month", "response__channel", "criterion_id")
              .annotate(a=Count("value"), s=Count("pk", filter=Q(value__gte=form.satisfied_from)),
                        n=Count("pk", filter=Q(value__isnull=True)), sc=Sum("value"))):
        raw[key(r["response__unit_id"], r["response__month"], r["response__channel"], r["criterion_id"])] = (
            r["a"], r["s"], r["n"], r["sc"] or 0, 0)
    for r in (Response.objects.filter(questionnaire=form).values("unit_id", "month", "channel")
              .annotate(a=Count("pk"), d=Count("pk", filter=Q(disliked=True)))):
        raw[key(r["unit_id"], r["month"], r["channel"], None)] = (r["a"], 0, 0, 0, r["d"])
    return tallies == raw, len(tallies)


def _export(path: Path) -> int:
    """The answers with their criterion's code and their response's month and agency, to Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from django.db import connection

    from motcua.surveys.models import Answer, Criterion, Response

    sql = (f"SELECT c.code, a.value, r.month, r.unit_id, r.channel FROM {Answer._meta.db_table} a "  # noqa: S608
           f"JOIN {Response._meta.db_table} r ON r.id = a.response_id "
           f"JOIN {Criterion._meta.db_table} c ON c.id = a.criterion_id")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    months = [m if isinstance(m, dt.date) else dt.date.fromisoformat(m) for _c, _v, m, _u, _ch in rows]
    table = pa.table({"criterion": pa.array([r[0] for r in rows], pa.string()),
                      "value": pa.array([r[1] for r in rows], pa.int16()),
                      "month": pa.array(months, pa.date32()),
                      "unit_id": pa.array([r[3] for r in rows], pa.int64()),
                      "channel": pa.array([r[4] for r in rows], pa.string())})
    pq.write_table(table, path)
    return len(rows)


def _duckdb_shares(path: Path) -> dict[str, tuple[int, int]]:
    import duckdb

    q = """SELECT criterion, count(*) FILTER (WHERE value >= 4), count(value) FROM read_parquet($path)
           WHERE month BETWEEN $first AND $last GROUP BY criterion"""
    rows = duckdb.execute(q, {"path": str(path), "first": FIRST, "last": LAST}).fetchall()
    return {c: (s, n) for c, s, n in rows}


def _measure(args: Any, vendor: str) -> None:
    from motcua.surveys import selectors, services
    from motcua.surveys.selectors import Scope

    n_target = 50_000 if args.quick else 1_000_000
    repeat = 20
    t0 = time.perf_counter()
    form, agencies, n = _generate(n_target)
    gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    tally_rows = services.retally(form)
    ret = time.perf_counter() - t0
    pages = ""
    if vendor == "postgresql":
        # Fresh statistics, as autovacuum's analyze gives the running tallies a minute after a rebuild: with
        # those of the empty table the planner scans every tally row even for one agency.
        from django.db import connection

        from motcua.surveys.models import Tally

        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Tally._meta.db_table}")
            cursor.execute("SELECT pg_relation_size(%s) / 8192", [Tally._meta.db_table])
            pages = f" in {cursor.fetchone()[0]:,} pages"
    same_tallies, _rows = _check_tallies(form)
    print(f"{n:,} answers ({n // 19:,} responses, {len(agencies)} agencies, {vendor}) generated and inserted in "
          f"{gen:.1f} s; retally {ret:.1f} s -> {tally_rows:,} tally rows{pages}; tallies = GROUP BY of the raw "
          f"answers: {same_tallies}", flush=True)

    path = Path(tempfile.mkdtemp(prefix="bench-surveys-")) / "answers.parquet"
    exported = _export(path)
    assert exported == n, (exported, n)
    d50, d95 = times(lambda: _duckdb_shares(path), repeat)

    province = Scope("sipas", FIRST, LAST)
    one = frozenset({agencies[0].pk})
    cases = [
        ("province-year overall", lambda: selectors.results(province)),
        ("province-year by agency", lambda: selectors.results(province, by="unit")),
        ("province-year by month", lambda: selectors.results(province, by="month")),
        ("one agency's year", lambda: selectors.results(Scope("sipas", FIRST, LAST, one))),
        ("one agency by procedure (raw)", lambda: selectors.results(Scope("sipas", FIRST, LAST, one), by="procedure")),
    ]
    print(f"DuckDB per-criterion shares, full scan of {n:,} answers in Parquet: p50 = {d50 * 1000:.1f} ms, "
          f"p95 = {d95 * 1000:.1f} ms")
    province_p95 = 0.0
    for name, fn in cases:
        p50, p95 = times(fn, repeat)
        province_p95 = province_p95 or p95
        print(f"{name:32s} p50 = {p50 * 1000:7.1f} ms ({p50 / d50:5.2f} x DuckDB p50), "
              f"p95 = {p95 * 1000:7.1f} ms ({p95 / d95:5.2f} x DuckDB p95)", flush=True)
    print(f"province-year results p95 < 200 ms: {'yes' if province_p95 < 0.2 else 'no'} "
          f"({province_p95 * 1000:.1f} ms)")
    _verify(path, province, selectors)


def _verify(path: Path, province: Any, selectors: Any) -> None:
    """DuckDB's shares against the selector's: the exact shares of the tally cells (to 1e-9) and the indices
    ``results`` returns, which are rounded to four places (so to 5e-5), with their bases."""
    theirs = _duckdb_shares(path)
    forms = province.forms()
    # The unrounded shares, which results() rounds to four places.
    cells, _responses = selectors._tally_cells(province, forms, None)
    exact = max(abs(cells["all"][code].share - s / a) for code, (s, a) in theirs.items())
    group = selectors.results(province)["groups"][0]
    shown = {c["code"]: c for f in group["factors"] for c in f["criteria"]}
    rounded = max(abs(shown[code]["index"] - s / a) for code, (s, a) in theirs.items())
    bases = all(shown[code]["n"] == a for code, (_s, a) in theirs.items()) and len(shown) == len(theirs) == 19
    print(f"DuckDB shares = selector's criterion shares: max |diff| {exact:.1e} (to 1e-9: {exact < 1e-9}); "
          f"= results() indices (rounded to 4 places): max |diff| {rounded:.1e} (to 5e-5: {rounded <= 5e-5}); "
          f"same bases: {bases}")
    if not (exact < 1e-9 and rounded <= 5e-5 and bases):
        print("MISMATCH between DuckDB and the selector", file=sys.stderr)
        raise SystemExit(1)
