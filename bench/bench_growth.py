"""Growth (issue 20): how the hot queries cost as the database grows, on PostgreSQL.

Generates dossiers with ``motcua generate`` (``stats.generate``) into a throw-away test database, up to each
size of ``MOTCUA_BENCH_GROWTH_SIZES`` (default ``20000,200000``; ``--quick`` ``2000,10000``), and at each
size times, p50 and p95:

- the work queue page of a desk officer and of a specialist (``pages.queue_page``: the queue's counts and
  first page, the listing of open dossiers and its counts), and a specialist's "to take" bucket;
- the staff search (``pages.search_page``) by a dossier code, an ID number and an applicant's name;
- the statistics: the summary of a province-year (``kpi.summary``) and the refresh of the facts and rollups
  of ten dossiers after a change (``rollups.refresh_rollups_for``);

each as a ratio to fetching one dossier by primary key in the same run, and as a growth factor against the
smallest size (the same query's p50 at this size over its p50 at the smallest). It also prints the
generation rate with one worker process and with two (``--workers``), as a ratio. Skips on SQLite (set
``DATABASE_URL=postgres://...``). ``MOTCUA_BENCH_GROWTH_EXPLAIN=1`` prints ``EXPLAIN (ANALYZE, BUFFERS)``
of each operation's slowest query at the largest size; ``python bench/bench_growth.py explain`` does it for
the three slowest (``MOTCUA_BENCH_GROWTH_TOP``) on the database of ``DATABASE_URL`` as it is, and
``python bench/bench_growth.py times`` times the operations there. For sizes whose run takes hours (ten
million), ``python bench/bench_growth.py grow N SEED`` and ``... measure RECORD.json`` do the same run in
steps on the database of ``DATABASE_URL`` (see ``_staged``). The statistics are rebuilt with two processes
(``rollups.rebuild(workers=2)``).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import in_test_db, times

FIRST, LAST = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def run(args: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        print("skipped: growth is measured on PostgreSQL only (set DATABASE_URL=postgres://...)")
        return
    in_test_db(_measure, args)


def _sizes(args: Any) -> list[int]:
    default = "2000,10000" if args.quick else "20000,200000"
    sizes = sorted({int(s) for s in os.environ.get("MOTCUA_BENCH_GROWTH_SIZES", default).split(",") if s.strip()})
    if not sizes or sizes[0] < 100:
        raise SystemExit("MOTCUA_BENCH_GROWTH_SIZES: sizes of at least 100 dossiers, e.g. 20000,200000")
    return sizes


def _grow(n: int, seed: int, workers: int) -> float:
    """Generate ``n`` more dossiers (no statistics); return the seconds taken."""
    from motcua.stats.generate import generate

    t0 = time.perf_counter()
    generate(n, agencies=10, first=FIRST, last=LAST, seed=seed, stream=sys.stderr, workers=workers, rebuild=False)
    return time.perf_counter() - t0


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _measure(args: Any, vendor: str) -> None:
    sizes = _sizes(args)
    repeat = 10 if args.quick else 30
    # The generation rate, one process against two, on the first size (half each).
    half = max(1, sizes[0] // 2)
    one = _grow(half, seed=1, workers=1)
    two = _grow(sizes[0] - half, seed=2, workers=2)
    r1, r2 = half / one, (sizes[0] - half) / two
    print(f"generation: 1 worker {r1:,.0f} dossiers/s, 2 workers {r2:,.0f} dossiers/s = {r2 / r1:.2f} x one worker "
          f"(events and steps with them; {os.cpu_count()} cores shared with whatever else runs)", flush=True)
    made, seed, first = sizes[0], 3, None
    for size in sizes:
        if size > made:
            spent = _grow(size - made, seed=seed, workers=2)
            print(f"generation up to {size:,}: {(size - made) / spent:,.0f} dossiers/s with 2 workers", flush=True)
            made, seed = size, seed + 1
        figures = _at_this_size(repeat)
        first = first or figures
        _report(size, figures, sizes[0], first)
    if os.environ.get("MOTCUA_BENCH_GROWTH_EXPLAIN"):
        explain_all()


def _at_this_size(repeat: int, workers: int = 2) -> dict[str, tuple[float, float]]:
    """Rebuild the statistics (``workers`` processes), analyse, and time every operation: name -> (p50, p95)."""
    from motcua.stats import rollups

    _analyze()
    t0 = time.perf_counter()
    facts = rollups.rebuild(workers=workers)
    rebuild = time.perf_counter() - t0
    print(f"statistics rebuild: {facts:,} facts in {rebuild:,.0f} s = {facts / rebuild:,.0f} facts/s "
          f"with {workers} processes", flush=True)
    _analyze()
    return _operations(repeat, rebuild)


def _report(size: int, figures: dict[str, tuple[float, float]], first_size: int,
            first: dict[str, tuple[float, float]]) -> None:
    base50, base95 = figures["baseline"]
    print(f"-- {size:,} dossiers (PostgreSQL): ratios to one dossier fetched by primary key "
          f"(p50 {base50 * 1000:.2f} ms); growth = p50 / p50 at {first_size:,}", flush=True)
    for name, (p50, p95) in figures.items():
        if name != "baseline":
            print(f"{name:<34} p50 = {p50 / base50:>8.1f} x  p95 = {p95 / base95:>8.1f} x  "
                  f"growth = {p50 / first[name][0]:.2f}   ({p50 * 1000:.1f} / {p95 * 1000:.1f} ms)", flush=True)


def _staged(argv: list[str]) -> None:
    """The same run in steps, on the database of DATABASE_URL, kept between them (for sizes whose run takes
    hours: each step can be started again alone). ``grow N SEED`` adds N dossiers (2 workers);
    ``measure RECORD.json`` rebuilds, times and prints as above, with the growth against the smallest size
    already in RECORD.json, and adds this size's figures to it."""
    import json

    from motcua.dossiers.models import Dossier

    if argv[0] == "grow":
        n, seed = int(argv[1]), int(argv[2])
        spent = _grow(n, seed=seed, workers=2)
        print(f"generation of {n:,} (seed {seed}): {spent:,.0f} s = {n / spent:,.0f} dossiers/s with 2 workers; "
              f"{Dossier.objects.count():,} dossiers now", flush=True)
        return
    path = Path(argv[1])
    record = json.loads(path.read_text("utf-8")) if path.exists() else {}
    size = Dossier.objects.count()
    figures = _at_this_size(int(os.environ.get("MOTCUA_BENCH_REPEAT", "30")))
    record[str(size)] = figures
    first_size = min(int(k) for k in record)
    _report(size, figures, first_size, {k: tuple(v) for k, v in record[str(first_size)].items()})
    path.write_text(json.dumps(record, indent=1), "utf-8")


def _people() -> dict[str, Any]:
    """A desk officer, a specialist and a director of the first generated agency (made once)."""
    from motcua.accounts import services as accounts
    from motcua.accounts.choices import Role, UnitKind
    from motcua.accounts.models import OrgUnit, User

    agency = OrgUnit.objects.filter(kind=UnitKind.AGENCY).order_by("pk").first()
    assert agency is not None
    desk = OrgUnit.objects.get(parent=agency, kind=UnitKind.DESK)
    out = {}
    for name, role, unit in (("bench_desk", Role.DESK_OFFICER, desk), ("bench_specialist", Role.SPECIALIST, agency),
                             ("bench_director", Role.AGENCY_LEADER, agency)):
        user = User.objects.filter(username=name).first()
        if user is None:
            user = User.objects.create_user(username=name, password=None, full_name=name, unit=unit)
            accounts.assign_role(user, role, unit)
        out[name.removeprefix("bench_")] = user
    return out


def operations() -> dict[str, Callable[[], Any]]:
    """The hot operations on the current database, by name (also used by the EXPLAIN review)."""
    from motcua.dossiers import pages
    from motcua.dossiers.models import Dossier
    from motcua.stats import kpi, rollups

    people = _people()
    rng = random.Random(20)
    agency = people["director"].unit
    mine = Dossier.objects.filter(processing_unit=agency)
    top = Dossier.objects.order_by("-pk").values_list("pk", flat=True)[0]
    sample = mine.exclude(code=None).order_by("pk")[rng.randrange(max(1, mine.count() // 2))]
    person = mine.exclude(applicant_id_number="").order_by("pk")[rng.randrange(max(1, mine.count() // 2))]
    ids = list(Dossier.objects.order_by("-pk").values_list("pk", flat=True)[:10])

    def by_pk() -> Any:
        return Dossier.objects.get(pk=top)

    def queue(user: Any, bucket: str = "") -> Callable[[], Any]:
        return lambda: pages.queue_page(user, {"bucket": bucket}, 1).page.count

    def search(q: str) -> Callable[[], Any]:
        return lambda: pages.search_page(people["director"], {"q": q}, 1, first_visit=False).page.count

    return {
        "baseline": by_pk,
        "queue page, desk officer": queue(people["desk"]),
        "queue page, specialist": queue(people["specialist"]),
        "queue 'to take', specialist": queue(people["specialist"], "to_take"),
        "search by code": search(sample.code or ""),
        "search by ID number": search(person.applicant_id_number),
        "search by name": search(person.applicant_name),
        "statistics summary, province-year": lambda: kpi.summary(kpi.Scope(), FIRST, LAST),
        "statistics refresh, 10 dossiers": lambda: rollups.refresh_rollups_for(ids),
    }


def _operations(repeat: int, rebuild: float) -> dict[str, tuple[float, float]]:
    out = {name: times(fn, repeat) for name, fn in operations().items()}
    out["statistics rebuild (all)"] = (rebuild, rebuild)
    return out


def explain_all(stream: Any = sys.stdout, top: int = 1) -> None:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of the ``top`` slowest queries of each operation, on the current database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    only = os.environ.get("MOTCUA_BENCH_GROWTH_ONLY", "")
    for name, fn in operations().items():
        if only not in name:
            continue
        fn()  # warm
        with CaptureQueriesContext(connection) as captured:
            fn()
        timed = []
        for q in captured.captured_queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(r[0] for r in cursor.fetchall())
            took = float(plan.rsplit("Execution Time:", 1)[1].split()[0]) if "Execution Time:" in plan else 0.0
            timed.append((took, sql, plan))
        if not timed:
            continue
        timed.sort(key=lambda t: -t[0])
        stream.write(f"\n=== {name}: {len(timed)} queries, {sum(t[0] for t in timed):.2f} ms in all\n")
        for took, sql, plan in timed[:top]:
            stream.write(f"--- {took:.2f} ms\n{sql}\n{plan}\n")
    stream.flush()


if __name__ == "__main__":
    # ``python bench/bench_growth.py explain``: the EXPLAIN review on the database of DATABASE_URL as it is.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    if sys.argv[1:2] in (["grow"], ["measure"]):
        _staged(sys.argv[1:])
        raise SystemExit(0)
    _analyze()
    if sys.argv[1:] == ["times"]:
        for label, (p50, p95) in {k: times(v, 20) for k, v in operations().items()}.items():
            print(f"{label:<34} p50 {p50 * 1000:8.2f} ms  p95 {p95 * 1000:8.2f} ms")
    else:
        explain_all(io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8") if sys.stdout.encoding != "utf-8"
                    else sys.stdout, top=int(os.environ.get("MOTCUA_BENCH_GROWTH_TOP", "3")))
