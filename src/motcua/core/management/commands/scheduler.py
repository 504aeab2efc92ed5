"""``motcua scheduler``: the periodic jobs in one loop, for installations without cron.

Each job is a management command run in this process every ``MOTCUA_SCHEDULE[job]`` seconds (see the
settings), the first time at start-up. Every job is idempotent, so a run missed or repeated (two
schedulers, or the scheduler and cron) does no harm; with a shared cache (``MOTCUA_CACHE_URL``) the schedulers
of several machines also take turns, one run per job and period (``claim``). SIGINT/SIGTERM stop the loop between jobs.
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

log = logging.getLogger("motcua.scheduler")


def schedule() -> dict[str, int]:
    """The jobs (a command line after ``motcua``) and their period in seconds; 0 switches a job off."""
    return {job: int(seconds) for job, seconds in settings.MOTCUA_SCHEDULE.items() if int(seconds) > 0}


def _recycle_connections() -> None:
    # A long-running loop drops connections past CONN_MAX_AGE or broken, as Django does between requests;
    # never inside a transaction (a caller's atomic block, e.g. a test), whose connection must stay.
    if not connection.in_atomic_block:
        close_old_connections()


def claim(job: str, period: int) -> bool:
    """With a shared cache (several app machines each running a scheduler), only one scheduler runs a job in
    each period: the first to add the job's key for 90% of the period wins. Jobs are idempotent, so this saves
    work rather than guarding correctness; Redis' SET NX makes the claim atomic. A cache that is down does not
    stop the job (better twice than never). With the per-process cache every scheduler runs every job."""
    if not getattr(settings, "CACHE_URL", ""):
        return True
    from django.core.cache import cache

    try:
        key = "motcua:scheduler:" + job.replace(" ", "_")  # cache keys without spaces
        return bool(cache.add(key, os.getpid(), timeout=max(1, int(period * 0.9))))
    except Exception:  # the cache unreachable: run it here
        log.warning("scheduler: the shared cache is unreachable; running %r without the claim", job)
        return True


def run_job(job: str) -> bool:
    _recycle_connections()
    try:
        call_command(*shlex.split(job))
    except Exception:  # one failing job must not stop the others; the next period tries again
        log.exception("scheduled job %r failed", job)
        return False
    finally:
        _recycle_connections()
    return True


class Command(BaseCommand):
    help = "Run the periodic jobs (dossiers tick, notifications retry, ...) in a loop until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = schedule()
        if options["once"]:
            for job in jobs:
                run_job(job)
            return
        stop = threading.Event()

        def _stop(signum: int, _frame: object) -> None:
            log.info("scheduler: %s received, stopping", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        log.info("scheduler: %s", ", ".join(f"{job} every {s}s" for job, s in jobs.items()))
        due = dict.fromkeys(jobs, time.monotonic())
        while not stop.is_set():
            for job, period in jobs.items():
                if stop.is_set():
                    break
                if time.monotonic() >= due[job]:
                    if claim(job, period):
                        run_job(job)
                    due[job] = time.monotonic() + period
            next_due = min(due.values(), default=time.monotonic() + 60)
            stop.wait(max(0.0, min(next_due - time.monotonic(), 60.0)))
