from typing import Any


def seed(stdout: Any) -> None:
    """Demo data of this app (filled in by its own work)."""
