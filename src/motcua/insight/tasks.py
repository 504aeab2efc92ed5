"""Background work of the insight app. Tasks take ids (here none) and are idempotent."""

from __future__ import annotations

from django_tasks import task

from .integrity import scan


@task()
def integrity_scan() -> str:
    """The integrity scan (``integrity.scan.scan``), for an operator's "scan now" without waiting for the night."""
    return str(scan.scan())
