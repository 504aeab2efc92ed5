from typing import Any


def seed(stdout: Any) -> None:
    """Seed demo dossiers (filled in by the dossier work)."""
