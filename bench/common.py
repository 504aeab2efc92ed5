"""What the benchmarks share: a throw-away test database on the configured engine, and p50/p95 timing."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def in_test_db(measure: Callable[[Any, str], None], args: Any) -> None:
    """Run ``measure(args, vendor)`` in a test database created for it and dropped after."""
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        measure(args, connection.vendor)
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


def times(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(p50, p95) in seconds of ``repeat`` calls, after one call to warm."""
    fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]
