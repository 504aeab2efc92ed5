"""Work-queue latency with 100,000 open dossiers on PostgreSQL (p50, p95 of ``queue_for``: counts per bucket
and the first page), as ratios to a bare indexed query returning the same rows, measured in the same run.

A temporary database is created at postgres://postgres@127.0.0.1:5432 (``MOTCUA_BENCH_PG`` to change it)
and dropped at the end. ``--quick``: 5,000 dossiers.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from typing import Any

PG = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def run(args: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        # Re-run in a process whose settings point at PostgreSQL (the settings read DATABASE_URL once).
        env = {**os.environ, "DATABASE_URL": f"{PG.rstrip('/')}/motcua_bench", "MOTCUA_DB_POOL": "0"}
        cmd = [sys.executable, os.path.join(os.path.dirname(__file__), "run.py"), "queues"]
        if args.quick:
            cmd.append("--quick")
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        lines = [ln for ln in result.stdout.splitlines() if not ln.startswith("== ")]
        print("\n".join(lines) or result.stderr[-2000:])
        return
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)  # test_motcua_bench, dropped below
    try:
        _measure(args)
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


def _setup(n: int) -> dict[str, Any]:
    import datetime as dt
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from motcua.accounts import services as acc
    from motcua.accounts.choices import Role, UnitKind
    from motcua.accounts.models import OrgUnit, User
    from motcua.catalogue.models import Procedure, ProcedureVersion
    from motcua.dossiers.models import Dossier, ProcessingStep

    p = acc.save_unit(OrgUnit(name="UBND tỉnh", code="B.H68", kind=UnitKind.PROVINCE))
    a = acc.save_unit(OrgUnit(parent=p, name="Sở Xây dựng", code="B.SXD", kind=UnitKind.AGENCY))
    desk = acc.save_unit(OrgUnit(parent=a, name="Một cửa", code="B.SXD.MC", kind=UnitKind.DESK))
    divisions = [acc.save_unit(OrgUnit(parent=a, name=f"Phòng {i}", code=f"B.SXD.P{i}", kind=UnitKind.DIVISION))
                 for i in range(10)]
    officers: list[list[User]] = []
    for i, div in enumerate(divisions):
        team = []
        for j in range(10):
            u = User.objects.create_user(username=f"cv{i}_{j}", password=None, full_name=f"Chuyên viên {i}.{j}",
                                         unit=div)
            acc.assign_role(u, Role.SPECIALIST, div)
            team.append(u)
        head = User.objects.create_user(username=f"tp{i}", password=None, full_name=f"Trưởng phòng {i}", unit=div)
        acc.assign_role(head, Role.DIVISION_HEAD, div)
        team.append(head)
        officers.append(team)
    pr = Procedure.objects.create(code="9.000002", name="Cấp giấy phép xây dựng (bench)", agency=a)
    v = ProcedureVersion.objects.create(procedure=pr, valid_from=dt.date(2018, 1, 1), legal_time_amount=Decimal(10),
                                        legal_time_unit="working_days", status="published")
    now = timezone.now()
    template = Dossier.objects.create(
        reference="TEMPLATE", procedure=pr, procedure_version=v, receiving_unit=desk, processing_unit=a,
        channel="desk", status=4, applicant_kind="individual", applicant_name="Mẫu", submitted_at=now,
        received_at=now, due_at=now, snapshot={"procedure": {"code": "9.000002"}}, rules={"key": "2025"})
    step = ProcessingStep.objects.create(dossier=template, order=2, name="Thẩm định hồ sơ", unit=divisions[0],
                                         role="specialist", budget_seconds=5 * 8 * 3600, started_at=now,
                                         due_at=now, open=True)
    div_ids = [d.pk for d in divisions]
    with connection.cursor() as c:
        # Dossiers: copies of the template with their own code, applicant and instants over ±15 days.
        cols = [f.column for f in Dossier._meta.concrete_fields if f.column != "id"]
        override = {
            "reference": "'B' || lpad(g::text, 10, '0')",
            "code": "'B.SXD-261127-' || lpad(g::text, 6, '0')",
            "applicant_name": "'Nguyễn Văn ' || g::text",
            "applicant_id_number": "lpad(g::text, 12, '0')",
            "search_folded": "'nguyen van ' || g::text || ' ' || lpad(g::text, 12, '0')",
            "received_at": "t.received_at - (g %% 20) * interval '1 day'",
            "due_at": "t.due_at + ((g %% 30) - 15) * interval '1 day' + (g %% 8) * interval '1 hour'",
            "risk_at": "t.due_at + ((g %% 30) - 18) * interval '1 day'",
            "current_unit_id": f"(ARRAY{div_ids})[1 + g %% 10]",
        }
        select = ", ".join(override.get(col, f't."{col}"') for col in cols)
        quoted = ", ".join(f'"{col}"' for col in cols)
        c.execute(f"INSERT INTO dossiers_dossier ({quoted}) SELECT {select} "  # noqa: S608 - bench data
                  f"FROM dossiers_dossier t, generate_series(1, %s) g WHERE t.id = %s", [n, template.pk])
        scols = [f.column for f in ProcessingStep._meta.concrete_fields if f.column != "id"]
        soverride = {
            "dossier_id": "d.id",
            "unit_id": "d.current_unit_id",
            "due_at": "t.due_at + ((d.id %% 14) - 7) * interval '1 day' + (d.id %% 9) * interval '1 hour'",
            # Four in five steps assigned to a specialist of the division, the rest waiting to be taken.
            "actor_id": "CASE WHEN d.id %% 5 = 0 THEN NULL ELSE (SELECT u.id FROM accounts_user u WHERE u.unit_id = "
                        "d.current_unit_id AND u.username LIKE 'cv%%' ORDER BY u.id "
                        "OFFSET (d.id / 10) %% 10 LIMIT 1) END",
        }
        sselect = ", ".join(soverride.get(col, f't."{col}"') for col in scols)
        squoted = ", ".join(f'"{col}"' for col in scols)
        c.execute(f"INSERT INTO dossiers_processingstep ({squoted}) SELECT {sselect} "  # noqa: S608
                  f"FROM dossiers_processingstep t, dossiers_dossier d WHERE t.id = %s AND d.id <> %s",
                  [step.pk, template.pk])
        c.execute("UPDATE dossiers_dossier d SET current_step_id = s.id, assigned_to_id = s.actor_id "
                  "FROM dossiers_processingstep s WHERE s.dossier_id = d.id")
        c.execute("ANALYZE")
    specialist = User.objects.get(username="cv3_4")
    head = User.objects.get(username="tp3")
    return {"specialist": specialist, "head": head, "now": now}


def _timed(fn: Any, repeat: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _bare(user: Any, now: Any) -> Any:
    """The same rows with one hand-written indexed query and one count, no ORM, no scope computation."""
    from django.db import connection

    def run() -> None:
        with connection.cursor() as c:
            where = ("s.open AND (s.actor_id = %s OR (s.unit_id = %s AND s.id = d.current_step_id "
                     "AND (s.actor_id IS NULL OR %s)))")
            params = [user.pk, user.unit_id, user.username.startswith("tp")]
            c.execute("SELECT count(*), count(*) FILTER (WHERE s.due_at < %s) FROM dossiers_processingstep s "  # noqa: S608
                      f"JOIN dossiers_dossier d ON d.id = s.dossier_id WHERE {where}", [now, *params])
            c.fetchall()
            c.execute(f"SELECT s.*, d.code, d.applicant_name, d.due_at FROM dossiers_processingstep s "  # noqa: S608
                      f"JOIN dossiers_dossier d ON d.id = s.dossier_id WHERE {where} ORDER BY s.due_at, s.id "
                      f"LIMIT 50", params)
            c.fetchall()

    return run


def _measure(args: Any) -> None:
    from motcua.accounts.models import User
    from motcua.dossiers.workflow import selectors

    n = 5_000 if args.quick else 100_000
    repeat = 15 if args.quick else 40
    start = time.perf_counter()
    ctx = _setup(n)
    print(f"{n} open dossiers generated in {time.perf_counter() - start:.0f} s")
    for label in ("specialist", "head"):
        user = ctx[label]

        def queue(user: Any = user) -> None:
            fresh = User.objects.get(pk=user.pk)  # each request computes the scope afresh
            q = selectors.queue_for(fresh, selectors.QueueFilters())
            assert q.items is not None

        def search(user: Any = user) -> None:
            fresh = User.objects.get(pk=user.pk)
            selectors.queue_for(fresh, selectors.QueueFilters(q="nguyen van 1234", bucket="overdue"))

        rows = selectors.queue_for(User.objects.get(pk=user.pk)).counts["total"]
        t_queue, t_bare, t_search = _timed(queue, repeat), _timed(_bare(user, ctx["now"]), repeat), _timed(
            search, repeat)
        b50, b95 = statistics.median(t_bare), statistics.quantiles(t_bare, n=20)[18]
        q50, q95 = statistics.median(t_queue), statistics.quantiles(t_queue, n=20)[18]
        s50, s95 = statistics.median(t_search), statistics.quantiles(t_search, n=20)[18]
        print(f"{label} queue ({rows} rows in scope): p50 {q50 / b50:.1f}x, p95 {q95 / b95:.1f}x the bare query; "
              f"search+bucket p50 {s50 / b50:.1f}x, p95 {s95 / b95:.1f}x")
