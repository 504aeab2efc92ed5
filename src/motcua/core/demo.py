"""The demo data set: each app contributes a ``seed(stdout)`` step, run in this order by ``motcua demo``.

Every step is idempotent: it creates what is missing and leaves what exists, so ``make run`` can call
``motcua demo`` on every start.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

DEMO_STEPS = [
    "motcua.accounts.demo",
    "motcua.calendars.demo",
    "motcua.catalogue.demo",
    "motcua.notifications.demo",
    # Before the dossiers: the sample signing key of the Department, so that the demo's results are signed.
    "motcua.documents.demo",
    "motcua.dossiers.demo",
    # After the dossiers: a feedback item about a demo dossier; before the statistics, which count feedback.
    "motcua.feedback.demo",
    # The desk counters a survey kiosk is set up at, and satisfaction answers of the past year; before the
    # statistics, whose dashboards show them.
    "motcua.surveys.demo",
    "motcua.portal.demo",
    "motcua.stats.demo",
    # After the dossiers: the integrity scan of their history and a first lateness model.
    "motcua.insight.demo",
    # Last: the automatic leaves of the reform scorecard read the dossiers, the answers and the feedback above.
    "motcua.scorecards.demo",
]


def run_all(stdout: Any) -> None:
    for dotted in DEMO_STEPS:
        import_module(dotted).seed(stdout)
