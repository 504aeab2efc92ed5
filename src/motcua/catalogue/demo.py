from typing import TextIO


def seed(stdout: TextIO) -> None:
    """Seed the Department of Construction's procedures (filled in by the catalogue work)."""
