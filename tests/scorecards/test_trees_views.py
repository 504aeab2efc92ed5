"""The pages of the criteria trees: the list, one tree and its files, the import and the opening of the
assessment, each as anonymous, as a citizen, as an agency officer and as the council (and the administrator
for the import)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from motcua.scorecards import exchange, services
from motcua.scorecards.choices import TreeStatus
from motcua.scorecards.models import Assessment, Tree

from .conftest import tree_spec

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def urls(tree: Tree) -> list[str]:
    return [reverse("scorecards:trees"), reverse("scorecards:tree", args=[tree.pk]),
            reverse("scorecards:tree_json", args=[tree.pk]), reverse("scorecards:tree_xlsx", args=[tree.pk])]


def test_anonymous_is_sent_to_sign_in(tree: Tree) -> None:
    for url in [*urls(tree), reverse("scorecards:tree_import")]:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{reverse('accounts:login')}?next="), url
    response = Client().post(reverse("scorecards:tree_open", args=[tree.pk]), {"agency": []})
    assert response.status_code == 302
    assert tree.assessments.count() == 0


def test_a_citizen_may_not_see_the_trees(tree: Tree, client_for: Any, council: Any, org: Any) -> None:
    client = client_for("an")
    for url in [*urls(tree), reverse("scorecards:tree_import")]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("scorecards:tree_open", args=[tree.pk]),
                       {"agency": [org["sxd"].pk]}).status_code == 403
    assert tree.assessments.count() == 0


def test_an_officer_sees_the_trees_but_may_not_import_or_open(tree: Tree, client_for: Any, council: Any,
                                                               org: Any) -> None:
    client = client_for("cuong")
    page = client.get(reverse("scorecards:trees"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Chỉ số CCHC các sở năm 2026" in text and reverse("scorecards:tree_import") not in text
    line = page.context["lines"][0]
    assert (line.leaves, str(line.max_points)) == (4, "10.00")

    detail = client.get(reverse("scorecards:tree", args=[tree.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    for expected in ["Tỷ lệ hồ sơ giải quyết trước hạn", "Kế hoạch đã ban hành", "90%",
                     reverse("scorecards:tree_xlsx", args=[tree.pk])]:
        assert expected in body
    assert reverse("scorecards:tree_open", args=[tree.pk]) not in body  # no opening form

    assert client.get(reverse("scorecards:tree_import")).status_code == 403
    assert client.post(reverse("scorecards:tree_open", args=[tree.pk]),
                       {"agency": [org["sxd"].pk]}).status_code == 403
    assert tree.assessments.count() == 0


def test_downloads_read_back_to_the_same_tree(tree: Tree, client_for: Any) -> None:
    client = client_for("giang")
    response = client.get(reverse("scorecards:tree_json", args=[tree.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    spec = exchange.read_json(response.content)
    assert spec["nodes"][1]["children"][0]["metric"] == "early_rate"

    response = client.get(reverse("scorecards:tree_xlsx", args=[tree.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["Thông tin", "Tiêu chí"]
    assert exchange.read_xlsx(response.content)["nodes"][0]["children"][0]["code"] == "1.1"
    assert client.get(reverse("scorecards:tree_json", args=[tree.pk + 99])).status_code == 404


def test_the_inspector_sees_the_trees(tree: Tree, client_for: Any) -> None:
    assert client_for("thanh").get(reverse("scorecards:tree", args=[tree.pk])).status_code == 200


def upload(name: str, data: bytes | str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data.encode() if isinstance(data, str) else data)


def spec_json(year: int = 2027, **extra: Any) -> str:
    return json.dumps({"format": exchange.FORMAT, **tree_spec(year, **extra)}, ensure_ascii=False)


def test_the_council_imports_a_tree(council: Any, client_for: Any) -> None:
    client = client_for("nga")
    page = client.get(reverse("scorecards:tree_import"))
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    response = client.post(reverse("scorecards:tree_import"), {"file": upload("cay.json", spec_json())})
    tree = Tree.objects.get(year=2027)
    assert response.status_code == 302 and response["Location"] == reverse("scorecards:tree", args=[tree.pk])
    assert tree.nodes.count() == 6
    follow = client.get(response["Location"])
    assert "Chỉ số CCHC các sở năm 2027" in follow.content.decode()
    assert [str(m) for m in follow.context["messages"]]


def test_the_administrator_imports_an_xlsx(tree: Tree, client_for: Any) -> None:
    buffer = io.BytesIO()
    exchange.write_xlsx(tree, buffer)
    tree.delete()
    response = client_for("ha").post(reverse("scorecards:tree_import"), {"file": upload("cay.xlsx", buffer.getvalue())})
    assert response.status_code == 302
    assert Tree.objects.get().nodes.count() == 6


@pytest.mark.parametrize(("name", "data"), [
    ("cay.xlsx", b"not a workbook"),
    ("cay.json", "{broken"),
    ("cay.csv", "scheme,year"),
    ("cay.json", json.dumps({"format": exchange.FORMAT, **tree_spec(2027, nodes=[
        {"code": "1", "name": "Khu vực", "max_points": "10", "children": [
            {"code": "1.1", "name": "Phần", "max_points": "4"}]}])})),
])
def test_a_bad_file_is_shown_next_to_the_form_and_nothing_saved(council: Any, client_for: Any, name: str,
                                                                  data: Any) -> None:
    response = client_for("nga").post(reverse("scorecards:tree_import"), {"file": upload(name, data)})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert 'class="error-summary"' in response.content.decode()
    assert not Tree.objects.exists()


def test_replace_only_with_the_box_ticked_and_never_a_frozen_tree(tree: Tree, council: Any, client_for: Any,
                                                                  org: Any) -> None:
    client = client_for("nga")
    renamed = spec_json(2026, name="Bộ chỉ số sửa đổi")
    response = client.post(reverse("scorecards:tree_import"), {"file": upload("cay.json", renamed)})
    assert response.status_code == 400 and Tree.objects.get().name == "Chỉ số CCHC các sở năm 2026"

    response = client.post(reverse("scorecards:tree_import"), {"file": upload("cay.json", renamed), "replace": "on"})
    assert response.status_code == 302 and Tree.objects.get().name == "Bộ chỉ số sửa đổi"

    services.open_assessments(Tree.objects.get(), [org["sxd"]], by=council["nga"])
    again = spec_json(2026, name="Lần nữa")
    response = client.post(reverse("scorecards:tree_import"), {"file": upload("cay.json", again), "replace": "on"})
    assert response.status_code == 400
    assert Tree.objects.get().name == "Bộ chỉ số sửa đổi" and Tree.objects.get().frozen


def test_the_council_opens_the_assessment(tree: Tree, council: Any, client_for: Any, org: Any) -> None:
    client = client_for("nga")
    page = client.get(reverse("scorecards:tree", args=[tree.pk]))
    body = page.content.decode()
    assert reverse("scorecards:tree_open", args=[tree.pk]) in body
    assert f'value="{org["sxd"].pk}"' in body and f'value="{org["division"].pk}"' not in body

    assert client.get(reverse("scorecards:tree_open", args=[tree.pk])).status_code == 405
    response = client.post(reverse("scorecards:tree_open", args=[tree.pk]), {"agency": []})
    assert response.status_code == 302 and not tree.assessments.exists()

    # A division is not an agency: it is left out.
    response = client.post(reverse("scorecards:tree_open", args=[tree.pk]),
                           {"agency": [org["sxd"].pk, org["other"].pk, org["division"].pk]})
    assert response.status_code == 302
    assert set(Assessment.objects.values_list("agency__code", flat=True)) == {"T.SXD", "T.SNN"}
    tree.refresh_from_db()
    assert tree.status == TreeStatus.OPEN
    page = client.get(reverse("scorecards:tree", args=[tree.pk]))
    assert f'value="{org["sxd"].pk}"' not in page.content.decode()  # already opened
