"""``motcua scheduler``: the periodic jobs named in MOTCUA_SCHEDULE, one failing job not stopping the others."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import call_command

from motcua.core.management.commands.scheduler import schedule


def test_the_schedule_comes_from_the_settings_and_zero_switches_a_job_off(settings):
    settings.MOTCUA_SCHEDULE = {"dossiers tick": 300, "notifications retry": 0, "dossiers sweep-orphans": "60"}
    assert schedule() == {"dossiers tick": 300, "dossiers sweep-orphans": 60}


def test_the_default_schedule_runs_tick_retries_and_the_sweep():
    assert set(schedule()) == {"dossiers tick", "notifications retry", "dossiers sweep-orphans",
                               "dossiers partitions", "feedback tick", "feedback sweep", "surveys remind",
                               "scorecards recompute", "dvcqg push", "dvcqg reconcile", "payments expire",
                               "payments reconcile", "exports resume", "exports sweep", "audit checkpoint",
                               "portal sweep", "portal retention", "dossiers retention", "stats publish",
                               "insight scan", "insight train", "insight score"}


@pytest.mark.django_db
def test_once_runs_every_job_and_a_failing_job_does_not_stop_the_next(settings, caplog, capsys):
    settings.MOTCUA_SCHEDULE = {"no-such-command": 60, "dossiers tick": 60, "notifications retry": 60}
    with caplog.at_level(logging.ERROR, logger="motcua.scheduler"):
        call_command("scheduler", "--once", stdout=io.StringIO())
    out = capsys.readouterr().out
    assert "flagged late" in out  # the tick ran after the failing job
    assert "Due messages handled" in out
    assert "scheduled job 'no-such-command' failed" in caplog.text
