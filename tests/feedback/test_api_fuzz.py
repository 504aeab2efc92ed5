"""The feedback API under generated requests (as tests/api/test_fuzz.py does for the whole API, but with a real
feedback item's code in the path, so that every action's body reaches its service): valid and invalid
requests from the OpenAPI document, as the desk, the leader, the inspector and a citizen. Whatever is sent,
the answer is never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

MAX_EXAMPLES = 4


@pytest.fixture
def app(db, settings) -> Iterator[WSGIHandler]:  # type: ignore[no-untyped-def]
    settings.MOTCUA_FEEDBACK_RATE_LIMIT = 100_000
    cache.clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _operations(app: WSGIHandler) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [op for op in (r.ok() for r in schema.get_all_operations()) if op.path.startswith("/api/v1/feedback")]


@pytest.mark.parametrize("persona", ["binh", "giang", "thanh", "an"])
def test_no_server_error_on_a_real_item(app, received, token_for, persona):
    headers = {"Authorization": token_for(persona)}
    failures: list[str] = []

    def run(case: Any) -> None:
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except (AssertionError, BaseExceptionGroup) as exc:
            failures.append(f"{case.as_curl_command(headers)}\n{exc!r}")

    operations = _operations(app)
    assert len(operations) > 20
    for operation in operations:
        strategies = [(m.value, operation.as_strategy(generation_mode=m))
                      for m in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        if "{code}" in operation.path:
            strategies.append(("real item", operation.as_strategy(path_parameters={"code": received.code})))
        for name, strategy in strategies:
            test = seed(15)(settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                                     phases=[Phase.generate], suppress_health_check=list(HealthCheck))(
                given(case=strategy)(run)))
            try:
                test()
            except Unsatisfiable:
                assert name == GenerationMode.NEGATIVE.value, operation.label
    assert not failures, "\n\n".join(failures)
