"""Running bulk work in forked processes, each with its own database connection (PostgreSQL only).

Used by ``motcua generate`` (chunks of generated dossiers) and by the statistics rebuild (ranges of
dossier ids): work that is CPU-bound in Python and that PostgreSQL can take from several connections at
once. Each job runs in its own process and sends reports through ``report(kind, value)``; the parent
hands every report to ``on_report`` as it arrives and returns the last value each job reported with
``kind == "result"``.

A forked process must not share its parent's database socket (two processes writing one protocol stream
corrupt it) nor a psycopg pool's threads, so every connection is closed before the fork and each process
opens its own. For the same reason nothing may run inside a transaction here: the processes could not
see what it wrote.
"""

from __future__ import annotations

import queue
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, connections

Report = Callable[[str, Any], None]
Job = Callable[[Report], None]


class ForkedJobError(RuntimeError):
    """A job raised (its traceback is in the message) or its process died without reporting."""


def _child(index: int, job: Job, out: Any) -> None:
    try:
        job(lambda kind, value: out.put((index, kind, value)))
        out.put((index, "end", None))
    except BaseException:  # reported to the parent, which raises
        out.put((index, "error", traceback.format_exc()))
    finally:
        connections.close_all()


def run(jobs: Sequence[Job], on_report: Callable[[str, Any], None] | None = None) -> list[Any]:
    """Run each job in a forked process; return each job's last ``"result"`` report (None if none).

    Raises ``ForkedJobError`` when a job fails; what the other jobs committed stays."""
    import multiprocessing

    if connection.in_atomic_block:
        raise RuntimeError("forked jobs cannot start inside a transaction: they would not see what it wrote")
    connections.close_all()
    for conn in connections.all(initialized_only=True):
        if hasattr(conn, "close_pool"):
            conn.close_pool()
    mp = multiprocessing.get_context("fork")
    out = mp.Queue()
    procs = [mp.Process(target=_child, args=(i, job, out)) for i, job in enumerate(jobs)]
    for proc in procs:
        proc.start()
    results: list[Any] = [None] * len(jobs)
    ended, errors = 0, []
    while ended < len(jobs):
        try:
            index, kind, value = out.get(timeout=1)
        except queue.Empty:
            if not any(proc.is_alive() for proc in procs) and out.empty():
                errors.append("a worker process died without a report")
                break
            continue
        if kind == "end":
            ended += 1
        elif kind == "error":
            ended += 1
            errors.append(value)
        elif kind == "result":
            results[index] = value
        elif on_report is not None:
            on_report(kind, value)
    for proc in procs:
        proc.join()
    if errors or any(proc.exitcode for proc in procs):
        raise ForkedJobError("\n".join(errors) or "a worker process exited with an error")
    return results
