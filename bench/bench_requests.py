"""Request cost of the pages citizens open most and of the catalogue search API (issue 20), each as a ratio to a
bare Django view answering from the same database in the same run (one query on the procedure table, a short
JSON body), through the whole middleware stack with Django's test client. Target: every line within 3x.

The data is the demo (``motcua demo``) in a throw-away database. Query counts are printed beside each figure:
they are what the tests lock (a page's queries do not grow with the catalogue).
"""

from __future__ import annotations

from typing import Any

from common import in_test_db, times

PAGES = [
    ("home page", "/"),
    ("catalogue page", "/thu-tuc/"),
    ("catalogue search page", "/thu-tuc/?q=giấy phép xây dựng"),
    ("procedure page", "/thu-tuc/{code}/"),
    ("catalogue list API (100)", "/api/v1/procedures?limit=100"),
    ("catalogue search API", "/api/v1/procedures?q=giấy phép xây dựng"),
    ("tracking page", "/tra-cuu"),
    ("open data (JSON)", "/thong-ke/cong-khai.json"),
]


def run(args: Any) -> None:
    in_test_db(_measure, args)


def _measure(args: Any, vendor: str) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.http import JsonResponse
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import path

    from motcua.catalogue.models import Procedure

    call_command("demo", verbosity=0)
    code = Client().get("/api/v1/procedures?limit=1").json()["items"][0]["code"]  # a published procedure

    def bare(request: Any) -> JsonResponse:
        return JsonResponse({"procedures": Procedure.objects.count()})

    import motcua.urls

    urls = type("urls", (), {"urlpatterns": [path("__bare__", bare), *motcua.urls.urlpatterns]})
    repeat = 20 if args.quick else 200
    with override_settings(ROOT_URLCONF=urls, MOTCUA_TRACKING_RATE_LIMIT=10**9):
        client = Client()
        base50, base95 = times(lambda: client.get("/__bare__"), repeat)
        print(f"bare view: 1.00x  ({vendor}; {repeat} requests each, p50 and p95 as ratios to its own)")
        for label, url in PAGES:
            url = url.format(code=code)
            with CaptureQueriesContext(connection) as captured:
                status = client.get(url).status_code
            p50, p95 = times(lambda url=url: client.get(url), repeat)
            flag = "" if p50 / base50 <= 3 else "  (above 3x)"
            print(f"{label:26} p50 {p50 / base50:5.2f}x  p95 {p95 / base95:5.2f}x  "
                  f"{len(captured.captured_queries):3} queries  HTTP {status}{flag}", flush=True)
