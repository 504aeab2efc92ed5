"""The OpenAPI document at /api/v1/openapi.json is valid OpenAPI and every reference in it resolves: a
generated client or a validator can use it (issue 12, item 10)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator import validate


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


@pytest.fixture
def document(db) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_document_validates(document):
    validate(document)


def test_every_reference_resolves(document):
    refs = _refs(document)
    assert refs, "the document names its schemas by reference"
    for ref in sorted(set(refs)):
        _resolve(document, ref)


def test_every_operation_documents_its_errors(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert any(code.startswith("4") for code in operation["responses"]), f"{method.upper()} {path}"


def test_the_receipt_documents_its_body(document):
    body = document["paths"]["/api/v1/dossiers"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"procedure", "applicant"} <= set(body["properties"])
