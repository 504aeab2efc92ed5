"""``motcua catalogue import FILE`` | ``export --format json|csv|xlsx [--output FILE]`` | ``reindex``."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalogue import exchange, services


class Command(BaseCommand):
    help = "Import or export the procedure catalogue (docs/catalogue-schema.md), or rebuild its search index."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a JSON file; nothing is written if any record is bad.")
        imp.add_argument("file")
        imp.add_argument("--skip-existing", action="store_true",
                         help="Leave procedures whose code already exists untouched.")
        exp = sub.add_parser("export", help="Export the whole catalogue, drafts included.")
        exp.add_argument("--format", choices=[f.value for f in exchange.ExportFormat], default="json")
        exp.add_argument("--output", help="File to write (default: standard output).")
        sub.add_parser("reindex", help="Rebuild the search columns and the full-text index.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(options["file"], options["skip_existing"])
        elif action == "export":
            self._export(options["format"], options.get("output"))
        else:
            count = services.rebuild_search_index()
            self.stdout.write(f"Indexed {count} procedures.")

    def _import(self, path: str, skip_existing: bool) -> None:
        try:
            counts = exchange.import_file(path, skip_existing=skip_existing)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {path}") from exc
        except exchange.CatalogueImportError as exc:
            for error in exc.errors:
                self.stderr.write(f"{error['record']}: {error['field'] or '-'}: {error['message']}")
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Imported {counts['procedures']} procedures, {counts['versions']} versions "
                          f"({counts['skipped']} skipped).")

    def _export(self, fmt: str, output: str | None) -> None:
        content, _type, _ext = exchange.export_bytes(fmt)
        if output:
            with open(output, "wb") as handle:
                handle.write(content)
            self.stdout.write(f"Wrote {output}.")
        elif fmt == "json" or fmt == "csv":
            self.stdout.write(content.decode("utf-8-sig"), ending="")
        else:
            sys.stdout.buffer.write(content)
