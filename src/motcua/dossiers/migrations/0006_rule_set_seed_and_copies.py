"""Seed the first rule set of an installation from the environment (once: only when no row exists), and
give every dossier that has none the switches in force on its receipt date (legal-timeline.md §1).

Self-contained on purpose (historical models, no app code), so that later changes of the app do not
change what this migration did."""

import datetime as dt

from django.conf import settings
from django.db import migrations
from django.utils import timezone

DEFAULTS = {
    "supplement_working_days": 3,  # Decree 61/2018 Art. 19(4)
    "supplement_rule": "restart",  # Decree 61/2018 Art. 19(4)
    "refusal_status": 9,
    "online_clock_from": "submission",
    "consultation_working_days": 5,
    "step_working_days": 1,
}
VERSION_OVERRIDES = ("supplement_working_days", "supplement_rule")
FIRST_DAY = dt.date(2018, 6, 21)  # Decree 61/2018 in force
BATCH = 1000


def _seed(RuleSet):  # noqa: N803
    if RuleSet.objects.exists():
        return
    values = {name: getattr(settings, f"MOTCUA_{name.upper()}", default) for name, default in DEFAULTS.items()}
    RuleSet.objects.create(valid_from=FIRST_DAY, basis="Nghị định 61/2018/NĐ-CP Điều 19; Nghị định 118/2025/NĐ-CP",
                           note="Giá trị ban đầu lấy từ biến môi trường khi cài đặt.", **values)


def _row_on(rows, day):
    chosen = rows[0]
    for row in rows:
        if row.valid_from <= day:
            chosen = row
    return chosen


def forwards(apps, schema_editor):
    RuleSet = apps.get_model("dossiers", "RuleSet")  # noqa: N806
    Dossier = apps.get_model("dossiers", "Dossier")  # noqa: N806
    _seed(RuleSet)
    rows = list(RuleSet.objects.order_by("valid_from"))
    batch = []
    for dossier in Dossier.objects.only("id", "rules", "snapshot", "received_at", "submitted_at").iterator(
            chunk_size=BATCH):
        rules = dossier.rules if isinstance(dossier.rules, dict) else {}
        if all(name in rules for name in DEFAULTS):
            continue
        moment = dossier.received_at or dossier.submitted_at
        row = _row_on(rows, timezone.localdate(moment) if moment else FIRST_DAY)
        version = (dossier.snapshot or {}).get("version") or {} if isinstance(dossier.snapshot, dict) else {}
        overridden = []
        for name in DEFAULTS:
            if name in rules:
                continue
            if name in VERSION_OVERRIDES and version.get(name) not in (None, ""):
                rules[name] = version[name]
                overridden.append(name)
            else:
                rules[name] = getattr(row, name)
        rules.setdefault("switches", {"rule_set": row.pk, "valid_from": row.valid_from.isoformat(), "basis": row.basis,
                                      "by_procedure": overridden, "filled_by_migration": True})
        dossier.rules = rules
        batch.append(dossier)
        if len(batch) >= BATCH:
            Dossier.objects.bulk_update(batch, ["rules"])
            batch = []
    if batch:
        Dossier.objects.bulk_update(batch, ["rules"])


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0005_rule_set")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
