"""Request cost of the pages citizens open most and of the catalogue search API (issue 20), each as a ratio to a
bare Django view answering from the same database in the same run (one query on the procedure table, a short
JSON body), through the whole middleware stack with Django's test client, as an anonymous visitor.
Target: every citizen page and the search API within 3x.

The data is the demo (``motcua demo``) in a throw-away database, with DEBUG off (Django's test environment).
The test environment's template instrumentation (a signal and a copy of the context per template rendered, for
``response.context``) is switched off while measuring: production renders without it.

Each page is timed in turns with the bare view (one request of each, ``repeat`` times), so that the load of the
machine weighs on both alike; the line gives the page's p50 in ms (and the bare view's), its ratio to the bare
view's p50 in the same turns, the p95 ratio, and the queries of one request once warm (counted on every database
alias). Pages kept in the page cache (``motcua.core.pagecache``) are measured warm, as visitors after the first
see them; the first visitor's cost is printed beside ("render"), from a request with the cache emptied.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from common import in_test_db

PAGES = [
    ("home page", "/"),
    ("catalogue page", "/thu-tuc/"),
    ("catalogue search page", "/thu-tuc/?q=giấy phép xây dựng"),
    ("procedure page", "/thu-tuc/{code}/"),
    ("tracking page", "/tra-cuu"),
    ("feedback form", "/phan-anh/"),
    ("working calendar", "/lich-lam-viec/"),
    ("published answers", "/phan-anh/tra-loi/"),
    ("published results", "/thong-ke/cong-khai/"),
    ("open data (JSON)", "/thong-ke/cong-khai.json"),
    ("catalogue list API (100)", "/api/v1/procedures?limit=100"),
    ("catalogue search API", "/api/v1/procedures?q=giấy phép xây dựng"),
]
TARGET = 3.0


def run(args: Any) -> None:
    in_test_db(_measure, args)


@contextmanager
def _plain_templates() -> Iterator[None]:
    """Templates rendered as in production, without the test environment's instrumentation."""
    from django.template.base import Template
    from django.test.utils import _TestState

    saved = getattr(getattr(_TestState, "saved_data", None), "template_render", None)
    if saved is None:
        yield
        return
    instrumented = Template._render
    Template._render = saved  # type: ignore[method-assign]
    try:
        yield
    finally:
        Template._render = instrumented  # type: ignore[method-assign]


def _count_queries(fn: Callable[[], Any]) -> int:
    from django.db import connections

    count = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(counter))
        fn()
    return count


def _turns(page: Callable[[], Any], bare: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    page(), bare()  # warm
    ps, bs = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        bare()
        t1 = time.perf_counter()
        page()
        t2 = time.perf_counter()
        bs.append(t1 - t0)
        ps.append(t2 - t1)
    return sorted(ps), sorted(bs)


def _p95(samples: list[float]) -> float:
    return samples[max(0, int(len(samples) * 0.95) - 1)]


def _measure(args: Any, vendor: str) -> None:
    import contextlib
    import io

    from django.core.management import call_command
    from django.http import JsonResponse
    from django.test import Client, override_settings
    from django.urls import path

    from motcua.catalogue.models import Procedure
    from motcua.core import pagecache

    with contextlib.redirect_stdout(io.StringIO()):  # the demo's own report is not a figure
        call_command("demo", verbosity=0)
    code = Client().get("/api/v1/procedures?limit=1").json()["items"][0]["code"]  # a published procedure

    def bare(request: Any) -> JsonResponse:
        return JsonResponse({"procedures": Procedure.objects.count()})

    import motcua.urls

    urls = type("urls", (), {"urlpatterns": [path("__bare__", bare), *motcua.urls.urlpatterns]})
    repeat = 20 if args.quick else 200
    worst = 0.0
    with override_settings(ROOT_URLCONF=urls, MOTCUA_TRACKING_RATE_LIMIT=10**9), _plain_templates():
        client = Client()  # anonymous, as a citizen browsing
        bare_queries = _count_queries(lambda: client.get("/__bare__"))
        print(f"bare view: 1.00x  ({vendor}; {repeat} turns of one request each; {bare_queries} query; "
              f"p50 and p95 as ratios to the bare view's in the same turns)")
        for label, url in PAGES:
            url = url.format(code=code)
            status = client.get(url).status_code
            queries = _count_queries(lambda url=url: client.get(url))
            pagecache.clear()
            t0 = time.perf_counter()
            client.get(url)
            render_ms = (time.perf_counter() - t0) * 1000
            cached = len(pagecache._store) > 0
            ps, bs = _turns(lambda url=url: client.get(url), lambda: client.get("/__bare__"), repeat)
            ratio = statistics.median(ps) / statistics.median(bs)
            worst = max(worst, ratio)
            flag = "" if ratio <= TARGET else f"  (above {TARGET:g}x)"
            extra = f"  cached; render {render_ms:5.1f} ms" if cached else ""
            print(f"{label:26} {statistics.median(ps) * 1000:6.2f} ms (bare {statistics.median(bs) * 1000:4.2f})  "
                  f"p50 {ratio:5.2f}x  p95 {_p95(ps) / _p95(bs):5.2f}x  {queries:2} queries  HTTP {status}"
                  f"{extra}{flag}", flush=True)
    print(f"target: every citizen page and the search API within {TARGET:g}x of the bare view; "
          f"worst {worst:.2f}x")
