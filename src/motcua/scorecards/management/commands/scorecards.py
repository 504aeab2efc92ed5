"""Operator commands for the reform scorecards:

- ``motcua scorecards import FILE [--replace]``: a criteria tree from an .xlsx or .json file
  (``exchange.read_file`` then ``services.create_tree``); ``--replace`` replaces a draft tree of the same scheme
  and year, never a frozen one.
- ``motcua scorecards export SCHEME YEAR FILE``: a tree to an .xlsx or .json file (by the file's extension).
- ``motcua scorecards recompute``: fill the automatic leaves of every tree under way from the data
  (``services.recompute_open``); the scheduler runs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.scorecards import exchange, services
from motcua.scorecards.models import Tree


class Command(BaseCommand):
    help = "Operator commands for the reform scorecards. Sub-commands: import, export, recompute."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="a criteria tree from an .xlsx or .json file")
        load.add_argument("file")
        load.add_argument("--replace", action="store_true", help="replace a draft tree of the same scheme and year")
        dump = sub.add_parser("export", help="a criteria tree to an .xlsx or .json file")
        dump.add_argument("scheme")
        dump.add_argument("year", type=int)
        dump.add_argument("file")
        sub.add_parser("recompute", help="fill the automatic leaves of the trees under way from the data")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(Path(options["file"]), options["replace"])
        elif action == "export":
            self._export(options["scheme"], options["year"], Path(options["file"]))
        else:
            changed = services.recompute_open()
            self.stdout.write(f"Recomputed: {changed} score(s) changed.")

    def _import(self, path: Path, replace: bool) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            tree = services.create_tree(exchange.read_file(path.name, data), replace=replace)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        leaves = len(services.leaves(tree))
        self.stdout.write(f"Imported {tree.scheme} {tree.year} “{tree.name}”: {tree.nodes.count()} criteria, "
                          f"{leaves} scored.")

    def _export(self, scheme: str, year: int, path: Path) -> None:
        tree = Tree.objects.filter(scheme=scheme, year=year).first()
        if tree is None:
            raise CommandError(f"No tree {scheme} {year}.")
        suffix = path.suffix.lower()
        if suffix == ".json":
            path.write_text(exchange.tree_json(tree), encoding="utf-8")
        elif suffix == ".xlsx":
            with path.open("wb") as out:
                exchange.write_xlsx(tree, out)
        else:
            raise CommandError("Give a file ending in .xlsx or .json.")
        self.stdout.write(f"Exported {scheme} {year} to {path}.")
