"""``motcua scanfolder DIR --user USERNAME [--once] [--interval SECONDS]``: watch a scanner's output folder and
attach each scan to the component it names (the desk's scanning step, ``services.digitise``).

A scan is named ``<dossier code>__<document number>.<pdf|jpg|png>`` (two underscores; a suffix after a further
``__`` is allowed for several pages: ``000.00.22.H68-260803-0001__2__p2.pdf``). A file attached goes to
``DIR/done/``; one that cannot be (unknown dossier, bad name, not a scan, not the officer's desk) goes to
``DIR/failed/`` with ``<name>.txt`` saying why. The officer named by ``--user`` is recorded as the one who
uploaded it; marking the scan checked against the original stays a person's act on the page."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.accounts.models import User
from motcua.core.errors import DomainError
from motcua.dossiers import files, services
from motcua.dossiers.models import Dossier

NAME = re.compile(r"^(?P<code>[^_/\\]+)__(?P<order>\d{1,3})(?:__[^/\\]*)?\.(?:pdf|jpe?g|png)$", re.IGNORECASE)


def _move(path: Path, to: Path, reason: str = "") -> None:
    to.mkdir(exist_ok=True)
    target = to / path.name
    if target.exists():
        target = to / f"{path.stem}-{int(time.time())}{path.suffix}"
    shutil.move(str(path), target)
    if reason:
        (to / f"{target.name}.txt").write_text(reason + "\n", encoding="utf-8")


def process(folder: Path, user: User) -> tuple[int, int]:
    """Attach every scan waiting in ``folder``; (attached, failed)."""
    done = failed = 0
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        match = NAME.match(path.name)
        reason = ""
        if match is None:
            reason = "Tên tệp không đúng dạng <mã hồ sơ>__<số thứ tự giấy tờ>.pdf"
        else:
            dossier = Dossier.objects.filter(code=match["code"]).first()
            if dossier is None:
                reason = f"Không có hồ sơ mã {match['code']}"
            else:
                try:
                    with path.open("rb") as stream:
                        services.digitise(user, dossier, int(match["order"]),
                                          [files.Upload(name=path.name, stream=stream)])
                except DomainError as exc:
                    reason = exc.message
        if reason:
            _move(path, folder / "failed", reason)
            failed += 1
        else:
            _move(path, folder / "done")
            done += 1
    return done, failed


class Command(BaseCommand):
    help = "Watch a scanner's folder and attach each scan to the dossier component its name gives."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder")
        parser.add_argument("--user", required=True, help="the desk officer the scans are recorded under")
        parser.add_argument("--once", action="store_true", help="process what is there and stop")
        parser.add_argument("--interval", type=float, default=10.0, help="seconds between two looks (default 10)")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']}.")
        while True:
            done, failed = process(folder, user)
            if done or failed:
                self.stdout.write(f"{done} scan(s) attached, {failed} moved to failed/.")
            if options["once"]:
                return
            time.sleep(max(1.0, options["interval"]))
