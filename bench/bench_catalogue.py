"""Catalogue search latency: the full-text selector against a plain LIKE scan of the same rows.

5,000 generated procedures (500 with --quick) in a throw-away test database; each query is run through
``selectors.list_procedures`` (filters + search + count + first page) and through the LIKE baseline
(``search.search_like`` over the same filtered rows, same page). Figures are ratios baseline ÷ index
of the p50 and p95 latencies, on SQLite (FTS5) and, when reachable, PostgreSQL (tsvector + GIN).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Any

QUERIES = [
    "cap phep xay dung", "Cấp GPXD", "chung chi hanh nghe", "cchn", "gia han giay phep", "nha o rieng le",
    "dieu chinh", "van tai duong bo", "bat dong san", "thue nha cong vu", "tham dinh bao cao", "pccc",
    "giay phep lai xe", "cap lai", "cong trinh cap i", "xay", "chuyen nhuong du an", "kiem dinh khi thai",
]
VERBS = ["Cấp", "Cấp lại", "Điều chỉnh", "Gia hạn", "Thẩm định", "Công nhận", "Thông báo", "Chấp thuận", "Đổi",
         "Thu hồi", "Đăng ký", "Xác nhận"]
OBJECTS = ["giấy phép xây dựng", "chứng chỉ hành nghề hoạt động xây dựng", "giấy phép vận tải đường bộ",
           "chứng chỉ môi giới bất động sản", "Báo cáo nghiên cứu khả thi", "thiết kế xây dựng", "nhà ở công vụ",
           "giấy phép lái xe", "giấy chứng nhận kiểm định khí thải", "dự án bất động sản", "đường ngang",
           "ban quản trị nhà chung cư", "giấy phép hoạt động cho nhà thầu nước ngoài", "GPXD", "CCHN"]
TAILS = ["đối với công trình cấp I", "đối với nhà ở riêng lẻ", "cho tổ chức", "cho cá nhân", "trên đường bộ",
         "tại khu công nghiệp", "theo đề nghị của chủ đầu tư", "", "", ""]
DOCS = ["Đơn đề nghị", "Giấy tờ hợp pháp về đất đai", "Bản vẽ thiết kế", "Kết quả thẩm định PCCC",
        "Ảnh chụp hiện trạng", "Văn bằng đào tạo", "Hợp đồng thuê nhà", "Quyết định phê duyệt dự án"]
REPEAT = 15


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _populate(n: int) -> None:
    from motcua.accounts.choices import UnitKind
    from motcua.accounts.models import OrgUnit
    from motcua.accounts.services import save_unit
    from motcua.catalogue import search
    from motcua.catalogue.models import Field, Procedure, ProcedureVersion

    rng = random.Random(20260701)
    agency = save_unit(OrgUnit(name="Sở Xây dựng", code="BENCH.SXD", kind=UnitKind.AGENCY))
    fields = [Field.objects.create(name=f"Lĩnh vực {i}") for i in range(8)]
    procedures = []
    for i in range(n):
        name = " ".join(p for p in (rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(TAILS)) if p)
        docs = rng.sample(DOCS, 4)
        procedures.append(Procedure(
            code=f"9.{i:06d}", name=name, field=rng.choice(fields), agency=agency,
            online_mode=rng.choice(["full", "partial"]), name_folded=search.index_text(name),
            search_body=search.index_text(f"9.{i:06d}", *docs),
        ))
    Procedure.objects.bulk_create(procedures, batch_size=1000)
    ProcedureVersion.objects.bulk_create(
        [ProcedureVersion(procedure=p, valid_from=dt.date(2025, 7, 1), status="published") for p in
         Procedure.objects.all()], batch_size=1000)
    search.rebuild_index()


def _time(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _measure(label: str, n: int) -> None:
    from django.db import connection

    from motcua.catalogue import search, selectors
    from motcua.catalogue.models import Procedure, ProcedureVersion

    _populate(n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalogue_procedure")
    index_times: list[float] = []
    like_times: list[float] = []
    for _round in range(REPEAT):
        for q in QUERIES:
            filters = selectors.Filters(q=q)
            index_times.append(_time(lambda f=filters: selectors.list_procedures(f, None, 20, 0)))
            terms = search.parse(q).terms

            def baseline(terms: tuple[str, ...] = terms) -> None:
                # The same work as list_procedures, with the LIKE scan in place of the index.
                base = selectors._filtered(selectors.Filters(), False)
                _count, ids = search.search_like(base, terms, 20, 0)
                Procedure.objects.select_related("field", "agency").in_bulk(ids)
                list(ProcedureVersion.objects.filter(procedure_id__in=ids))

            like_times.append(_time(baseline))
    p50 = statistics.median(like_times) / statistics.median(index_times)
    p95 = _percentile(like_times, 0.95) / _percentile(index_times, 0.95)
    print(f"{label:<11} {n} procedures, {len(QUERIES)} queries × {REPEAT}: "
          f"LIKE scan ÷ full-text index — p50 {p50:.1f}×, p95 {p95:.1f}× "
          f"(>1 means the index is faster)", flush=True)


def _run_here(label: str, n: int) -> None:
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        _measure(label, n)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url
    try:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2):
            return "postgres://postgres@127.0.0.1:5432/motcua_bench"
    except Exception:
        return None


def run(args: Any) -> None:
    n = 500 if getattr(args, "quick", False) else 5000
    from django.db import connection

    if connection.vendor == "sqlite":
        _run_here("SQLite", n)
        url = _postgres_url()
    else:
        _run_here("PostgreSQL", n)
        url = None
    if url is None:
        print("PostgreSQL  not reachable (set DATABASE_URL): skipped")
        return
    env = {**os.environ, "DATABASE_URL": url, "MOTCUA_DB_POOL": "false"}
    # Our own script with our own interpreter: no untrusted input reaches the command line.
    subprocess.run([sys.executable, __file__, "--postgres", str(n)], env=env, check=True)  # noqa: S603


if __name__ == "__main__" and "--postgres" in sys.argv:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    _run_here("PostgreSQL", int(sys.argv[-1]))
