"""A double of the national procedures database: ``GET /tthc`` (or ``/``) answers the JSON list of procedure
records, in the shape the shipped mapping expects (``data/mapping.json``), built from ``data/double_records.json``.
Tests change ``records`` in place; ``motcua national-catalogue double --port 9300`` runs one for development."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..doubles import Double, Reply

FIXTURE = Path(__file__).parent / "data" / "double_records.json"


def fixture_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return records


class NationalCatalogueDouble(Double):
    def __init__(self, host: str = "127.0.0.1", port: int = 0, records: list[dict[str, Any]] | None = None) -> None:
        super().__init__(host, port)
        self.records = copy.deepcopy(records) if records is not None else fixture_records()
        self.requests: list[dict[str, Any]] = []  # what was asked, with the headers (tests check them)

    @property
    def records_url(self) -> str:
        return f"{self.url}/tthc"

    def route(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        where = urlsplit(path).path.rstrip("/")
        with self.lock:
            self.requests.append({"method": method, "path": path, "headers": headers})
            if method == "GET" and where in ("", "/tthc"):
                return Reply(200, copy.deepcopy(self.records))
        return Reply(404, {"error": "no such route"})
