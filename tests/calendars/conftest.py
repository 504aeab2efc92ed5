from __future__ import annotations

import pytest

from motcua.calendars import selectors
from motcua.calendars.clock import Calendar


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():  # type: ignore[no-untyped-def]
    selectors.clear_cache()
    yield
    selectors.clear_cache()


@pytest.fixture(scope="session")
def cal() -> Calendar:
    """The default calendar from the package alone (no override table), built once."""
    return Calendar(first_year=2000, last_year=2040)
