"""Fixtures of the integrations tests: the DVCQG double on a real socket and the synchronisation switched on
against it."""

from __future__ import annotations

import pytest

from motcua.integrations.dvcqg.client import Client
from motcua.integrations.dvcqg.double import DvcqgDouble


@pytest.fixture
def dvcqg(settings):  # type: ignore[no-untyped-def]
    """The double, with the settings pointing at it; the outbox on; backoff of 10 s (tests move the clock)."""
    with DvcqgDouble() as double:
        settings.MOTCUA_DVCQG_URL = double.url
        settings.MOTCUA_DVCQG_SYNC = True
        settings.MOTCUA_DVCQG_CLIENT_ID, settings.MOTCUA_DVCQG_CLIENT_SECRET = "motcua", "bi-mat"
        settings.MOTCUA_DVCQG_API_KEY = ""
        settings.MOTCUA_DVCQG_BACKOFF_SECONDS = 10
        settings.MOTCUA_DVCQG_TIMEOUT = 2
        yield double


@pytest.fixture
def dvcqg_client(dvcqg):  # type: ignore[no-untyped-def]
    client = Client.from_settings()
    yield client
    client.close()
