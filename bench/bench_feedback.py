"""Public answer search (``feedback.selectors.public_answers`` with a two-word query, without diacritics) at
100,000 published items, p50 and p95, as ratios to a bare indexed query measured in the same run (one item
by its unique code). Run on PostgreSQL with DATABASE_URL set: the figure that matters is there."""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

WORDS = ("giay", "phep", "xay", "dung", "cap", "doi", "dieu", "chinh", "gia", "han", "thoi", "quy", "hoach",
         "ban", "ve", "thiet", "ke", "tham", "dinh", "nha", "o", "rieng", "le", "du", "an", "dau", "tu",
         "cong", "trinh", "ha", "tang", "ky", "thuat", "chung", "chi", "hanh", "nghe", "moi", "truong",
         "dat", "dai", "so", "do", "phuong", "xa", "tinh", "huyen", "dan", "cu", "van", "giam", "sat",
         "nghiem", "thu", "hoan", "phong", "chay", "chua")


def run(args: Any) -> None:
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        _measure(args)
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


def _timed(fn: Any, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _measure(args: Any) -> None:
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from motcua.accounts import services as acc
    from motcua.accounts.choices import UnitKind
    from motcua.accounts.models import OrgUnit
    from motcua.core.bulk import insert_rows
    from motcua.feedback.models import FeedbackItem
    from motcua.feedback.selectors import PublicQuery, public_answers

    n = 5_000 if args.quick else 100_000
    rng = random.Random(15)
    p = acc.save_unit(OrgUnit(name="UBND tỉnh", code="B.H68", kind=UnitKind.PROVINCE))
    a = acc.save_unit(OrgUnit(parent=p, name="Sở Xây dựng", code="B.SXD", kind=UnitKind.AGENCY))
    now = timezone.now()
    # Each answer: 60 common words and the names of two places among 5,000 (a rare word each): a query of a
    # common and a rare word matches a few dozen answers, so the search reads the whole table to find them.
    places = [f"{rng.choice(WORDS)}{rng.choice(WORDS)}{k}" for k in range(5000)]
    rows = []
    for i in range(n):
        words = " ".join([rng.choice(WORDS) for _ in range(60)] + rng.sample(places, 2))
        at = now - dt.timedelta(minutes=i * 7)
        rows.append({"code": f"PA-B-{i:07d}", "agency_id": a.pk, "topic": "regulation", "kind": "feedback",
                     "channel": "web", "title": "Phản ánh", "content": "Nội dung", "status": "published",
                     "received_at": at, "reject_due": at, "forward_due": at, "info_due": at, "answer_due": at,
                     "approved_at": at, "published_at": at, "public_title": "Phản ánh", "public_answer": words,
                     "public_folded": words, "hidden": False, "secret": "x", "review": {}, "created_at": at})
    start = time.perf_counter()
    insert_rows(FeedbackItem, rows)
    print(f"{n} published items inserted in {time.perf_counter() - start:.1f} s ({connection.vendor})")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE feedback_feedbackitem")
    repeat = 20 if args.quick else 60
    codes = iter([f"PA-B-{rng.randrange(n):07d}" for _ in range(repeat * 10)])

    def bare() -> None:
        FeedbackItem.objects.filter(code=next(codes)).first()

    bare()  # warm up
    b = _timed(bare, repeat)
    base = statistics.median(b)
    print(f"bare indexed query (one item by its code): p50 {_p(b, .5) * 1000:.2f} ms, "
          f"p95 {_p(b, .95) * 1000:.2f} ms")
    kinds = {
        # Two common words: thousands of matches, the first page is found at once.
        "common words": [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(repeat)],
        # A common word and a place: a few dozen matches anywhere in the table.
        "word + place": [f"{rng.choice(WORDS)} {rng.choice(places)}" for _ in range(repeat)],
        # Nothing matches: the worst case.
        "no match": [f"{rng.choice(WORDS)} khongco{k}" for k in range(repeat)],
    }
    for label, queries in kinds.items():
        it = iter(queries * 3)

        def search() -> None:
            list(public_answers(PublicQuery(q=next(it)))[:20])  # noqa: B023 - called within the iteration

        search()  # warm up
        s = _timed(search, repeat)
        print(f"search ({label}), first page of 20: p50 {_p(s, .5) * 1000:.1f} ms ({_p(s, .5) / base:.0f}x), "
              f"p95 {_p(s, .95) * 1000:.1f} ms ({_p(s, .95) / base:.0f}x)", flush=True)
