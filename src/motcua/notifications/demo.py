from typing import Any

from .services import seed_default_templates


def seed(stdout: Any) -> None:
    """The default notice texts (Vietnamese and English), version 1 of each; idempotent."""
    seed_default_templates(stdout)
