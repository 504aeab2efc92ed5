"""A bounded property-based test of the whole API (issue 12, item 10): schemathesis generates requests for
every operation of /api/v1/openapi.json, valid ones and ones that break the schema, and sends them to the
Django application in process (WSGI) with the bearer token of an administrator, a citizen and a desk
officer. Whatever it sends, the answer is never a 5xx (``not_a_server_error``).

Operations on a dossier are tried on random codes and on a real dossier (received at the desk), so that
the actions' bodies reach the services. Few examples per operation and a fixed seed: the test stays in
``make test`` and repeats; a failure lists each request that got a 5xx as a curl command.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from motcua.dossiers import services
from tests.dossiers.conftest import intake, procedure  # noqa: F401  (procedure: a fixture)

MAX_EXAMPLES = 4
PERSONAS = ["ha", "an", "binh"]  # administrator, citizen, desk officer (tests/conftest.py)


@pytest.fixture
def app(db, settings, tmp_path) -> Iterator[WSGIHandler]:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    # Every request runs inside the test's transaction: Django's own test client detaches the handlers
    # that close the connection at each request, and so does this.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def schema(app: WSGIHandler) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_is_loaded(schema):
    labels = {op.label for op in _operations(schema)}
    assert {"POST /api/v1/dossiers", "GET /api/v1/stats/ranking", "POST /api/v1/dossiers/{code}/actions/accept",
            "GET /api/v1/registers/dossiers.xlsx"} <= labels


def _strategies(operation: Any, code: str) -> list[tuple[str, Any]]:
    found = [(mode.value, operation.as_strategy(generation_mode=mode))
             for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    if "{code}" in operation.path:
        found.append(("real dossier", operation.as_strategy(path_parameters={"code": code})))
    return found


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_server_error(schema, token_for, people, procedure, persona):  # noqa: F811
    dossier = services.receive_at_desk(people["binh"], intake(), [])
    headers = {"Authorization": token_for(persona)}
    failures: list[str] = []

    def run(case: Any) -> None:
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except (AssertionError, BaseExceptionGroup) as exc:  # schemathesis raises a group of its failures
            failures.append(f"{case.as_curl_command(headers)}\n{exc!r}")

    for operation in _operations(schema):
        for name, strategy in _strategies(operation, dossier.code):
            test = seed(12)(settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
                                     suppress_health_check=list(HealthCheck))(given(case=strategy)(run)))
            try:
                test()
            except Unsatisfiable:
                # Nothing in the operation can be made invalid (no parameter, no body): the valid cases ran.
                assert name == GenerationMode.NEGATIVE.value, operation.label
    assert not failures, "\n\n".join(failures)
