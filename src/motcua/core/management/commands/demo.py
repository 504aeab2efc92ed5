from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.core.demo import run_all


class Command(BaseCommand):
    help = "Load the demo data (Lâm Đồng province, its agencies, the personas) if absent; idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        run_all(self.stdout)
