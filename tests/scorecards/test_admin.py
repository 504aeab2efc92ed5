"""The admin of the scorecards: a draft tree's criteria are editable, a frozen tree is read-only and says so,
"Export as JSON" downloads the tree, and assessments, scores and their history are never editable."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.contrib import messages

from motcua.scorecards import exchange, services
from motcua.scorecards.models import Assessment, ScoreChange, Tree

from .conftest import tree_spec

pytestmark = pytest.mark.django_db
ADMIN = "/quan-tri/scorecards"


def test_a_draft_tree_is_editable(client_for: Any, tree: Tree) -> None:
    page = client_for("ha").get(f"{ADMIN}/tree/{tree.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="name"' in body and 'name="nodes-0-name"' in body
    parent = page.context["inline_admin_formsets"][0].formset.forms[1].fields["parent"]
    assert set(parent.queryset) == set(tree.nodes.all())  # only the criteria of the same tree


def test_a_frozen_tree_is_read_only_with_a_message(client_for: Any, tree: Tree, org: Any) -> None:
    services.open_assessments(tree, [org["sxd"]])
    ha = client_for("ha")
    page = ha.get(f"{ADMIN}/tree/{tree.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="name"' not in body and 'name="nodes-0-name"' not in body and 'name="nodes-0-DELETE"' not in body
    assert [m.level for m in page.context["messages"]] == [messages.WARNING]  # why it cannot be changed
    assert client_for("ha").get(f"{ADMIN}/tree/").status_code == 200
    assert ha.get(f"{ADMIN}/tree/{tree.pk}/delete/").status_code == 403
    assert ha.get(f"{ADMIN}/tree/add/").status_code == 403


def test_export_as_json(client_for: Any, tree: Tree) -> None:
    ha = client_for("ha")
    response = ha.post(f"{ADMIN}/tree/", {"action": "export_json", "_selected_action": [tree.pk]})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert exchange.read_json(response.content)["name"] == tree.name
    other = services.create_tree(tree_spec(2027))
    response = ha.post(f"{ADMIN}/tree/", {"action": "export_json", "_selected_action": [tree.pk, other.pk]})
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == ["cay-tieu-chi-par-department-2026.json", "cay-tieu-chi-par-department-2027.json"]
    assert json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read(names[0]))["format"] == exchange.FORMAT


def test_assessments_and_history_are_never_editable(client_for: Any, assessments: dict[str, Assessment]) -> None:
    ha = client_for("ha")
    a = assessments["sxd"]
    page = ha.get(f"{ADMIN}/assessment/{a.pk}/change/")
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    change = ScoreChange.objects.filter(assessment=a).first()
    assert change is not None
    assert ha.get(f"{ADMIN}/scorechange/{change.pk}/change/").status_code == 200
    assert ha.post(f"{ADMIN}/scorechange/{change.pk}/change/", {"reason": "sửa"}).status_code == 403
    assert ha.get(f"{ADMIN}/scorechange/{change.pk}/delete/").status_code == 403
    assert ha.get(f"{ADMIN}/assessment/{a.pk}/delete/").status_code == 403
    assert ha.get(f"{ADMIN}/score/add/").status_code == 403
    assert ha.get(f"{ADMIN}/legaldocument/add/").status_code == 200


def test_officers_do_not_reach_the_admin(client_for: Any, tree: Tree) -> None:
    assert client_for("giang").get(f"{ADMIN}/tree/").status_code == 302
