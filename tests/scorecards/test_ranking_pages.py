"""The pages of the ranking (public once published, provisional for the council before), its exports, the
simulator and the action plan, as each persona: anonymous, a citizen, an officer of the agency, an officer of
another agency, the agency's leader, the appraisal council and the inspector."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.scorecards import services
from motcua.scorecards.choices import PlanStatus, TreeStatus
from motcua.scorecards.models import ActionPlanItem, Tree

from .conftest import score

VN = ZoneInfo("Asia/Ho_Chi_Minh")
EVERYONE = ("anonymous", "an", "cuong", "khanh", "giang", "nga", "thanh")


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, tzinfo=VN)


@pytest.fixture
def as_(council):  # type: ignore[no-untyped-def]
    """``as_("cuong")`` is a client logged in as Cường; ``as_("anonymous")`` is not logged in."""

    def make(who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(council[who])
        return client

    return make


@pytest.fixture
def published(assessments, council, tree):  # type: ignore[no-untyped-def]
    """The tree through the whole cycle: Sở Xây dựng 4 points (3 + 1), the other agency 5 (3 + 2); sent for
    appraisal on Tuesday 1/12, locked after the appeal window, published."""
    nga = council["nga"]
    with time_machine.travel(at(1), tick=False):
        for key, leader, p12 in (("sxd", council["giang"], "1"), ("other", council["long"], "2")):
            a = assessments[key]
            services.self_score(score(a, "1.1"), "3", "", leader)
            services.self_score(score(a, "1.2"), p12, "", leader)
            services.submit(a, leader)
            services.send_appraisal(a, nga)
    with time_machine.travel(at(8, hour=18), tick=False):
        for a in assessments.values():
            services.lock(a, nga)
        services.publish(tree, nga)
    tree.refresh_from_db()
    assert tree.status == TreeStatus.PUBLISHED
    return tree


# --- the ranking ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_an_open_tree_is_provisional_for_the_council_only(as_, three, tree, who):  # type: ignore[no-untyped-def]
    client = as_(who)
    sees = who in ("nga", "thanh")
    listing = client.get(reverse("scorecards:rankings"))
    assert listing.status_code == 200
    assert (reverse("scorecards:ranking", args=[tree.pk]) in listing.content.decode()) is sees
    for name in ("ranking", "ranking_csv", "ranking_xlsx"):
        response = client.get(reverse(f"scorecards:{name}", args=[tree.pk]))
        assert response.status_code == (200 if sees else 404), name
    if sees:
        page = client.get(reverse("scorecards:ranking", args=[tree.pk]))
        assert 'class="notice provisional"' in page.content.decode()
        assert [(r.agency.code, r.rank) for r in page.context["rows"]] == [("T.SNV", 1), ("T.SNN", 2), ("T.SXD", 3)]


@pytest.mark.parametrize("who", EVERYONE)
def test_a_published_tree_is_public(as_, published, who):  # type: ignore[no-untyped-def]
    client = as_(who)
    listing = client.get(reverse("scorecards:rankings")).content.decode()
    assert reverse("scorecards:ranking", args=[published.pk]) in listing
    response = client.get(reverse("scorecards:ranking", args=[published.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "provisional" not in html
    assert "Quyết định số 1/QĐ-UBND" in html  # the decision that publishes the tree
    assert html.index("Sở Nông nghiệp và Môi trường") < html.index("Sở Xây dựng</")  # 5 points before 4
    rows = response.context["rows"]
    assert [(r.agency.code, r.total, r.rank) for r in rows] == [("T.SNN", Decimal("5.00"), 1),
                                                                 ("T.SXD", Decimal("4.00"), 2)]
    # Only those who may view an assessment get the link to its simulator.
    link = reverse("scorecards:simulator", args=[rows[1].assessment.pk])
    assert (link in html) is (who in ("cuong", "giang", "nga", "thanh"))
    for name in ("ranking_csv", "ranking_xlsx"):
        assert client.get(reverse(f"scorecards:{name}", args=[published.pk])).status_code == 200


def test_a_draft_tree_is_never_shown(as_, tree):  # type: ignore[no-untyped-def]
    assert tree.status == TreeStatus.DRAFT
    for who in ("anonymous", "nga", "thanh"):
        assert as_(who).get(reverse("scorecards:ranking", args=[tree.pk])).status_code == 404
    assert as_("nga").get(reverse("scorecards:ranking", args=[9999])).status_code == 404


def test_bands_areas_and_the_change_since_last_year(as_, three, last_year, tree):  # type: ignore[no-untyped-def]
    Tree.objects.filter(pk=tree.pk).update(bands=[{"code": "A", "min": 5}, {"code": "B", "min": 4}])
    response = as_("nga").get(reverse("scorecards:ranking", args=[tree.pk]))
    html = response.content.decode()
    lines = {line["row"].agency.code: line for line in response.context["lines"]}
    # Sở Xây dựng was first last year, third now; the other agency third, now second.
    assert lines["T.SXD"]["arrow"] == "↓2" and lines["T.SNN"]["arrow"] == "↑1" and lines["T.SNV"]["arrow"] == "↑1"
    assert '<span aria-hidden="true">↓2</span><span class="visually-hidden">' in html
    assert lines["T.SXD"]["spoken"] and lines["T.SXD"]["spoken"] != lines["T.SNN"]["spoken"]
    assert (lines["T.SNV"]["row"].band["code"], lines["T.SNN"]["row"].band["code"]) == ("A", "B")
    assert lines["T.SXD"]["row"].band is None
    sentence = response.context["bands_sentence"]
    assert "A" in sentence and "5" in sentence and "B" in sentence and ".0" not in sentence
    # Area 1: points and rank per area; area 2 has no data yet.
    assert [c for c in lines["T.SNN"]["cells"]] == [(Decimal("4.00"), 2), (None, None)]


def _xlsx_rows(content: bytes) -> list[list[object]]:
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_exports_of_a_published_ranking(published):  # type: ignore[no-untyped-def]
    client = Client()
    response = client.get(reverse("scorecards:ranking_csv", args=[published.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:4] == ["Hạng / Rank", "Đơn vị / Agency", "Tổng điểm / Total", "Xếp loại / Band"]
    assert [r[:4] for r in rows[2:]] == [["1", "Sở Nông nghiệp và Môi trường", "5.0", ""],
                                         ["2", "Sở Xây dựng", "4.0", ""]]
    response = client.get(reverse("scorecards:ranking_xlsx", args=[published.pk]))
    assert response.status_code == 200
    assert 'filename="xep-hang-par-department-2026.xlsx"' in response["Content-Disposition"]
    sheet = _xlsx_rows(response.content)
    assert "Quyết định số 1/QĐ-UBND" in str(sheet[0][0])
    assert sheet[1][:3] == ["Hạng / Rank", "Đơn vị / Agency", "Tổng điểm / Total"]
    assert [r[:3] for r in sheet[2:]] == [[1, "Sở Nông nghiệp và Môi trường", 5], [2, "Sở Xây dựng", 4]]
    # Area 1: 5 and 4 points, first and second; area 2: no data.
    assert sheet[2][4:8] == [5, 1, None, None]


def test_a_provisional_export_says_so(as_, three, tree):  # type: ignore[no-untyped-def]
    rows = _xlsx_rows(as_("nga").get(reverse("scorecards:ranking_xlsx", args=[tree.pk])).content)
    assert "Provisional, not published" in str(rows[0][0])
    assert [r[1] for r in rows[2:]] == ["Sở Nội vụ", "Sở Nông nghiệp và Môi trường", "Sở Xây dựng"]


# --- the simulator ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("an", 403), ("cuong", 200), ("khanh", 403),
                                         ("giang", 200), ("nga", 200), ("thanh", 200), ("long", 403)])
def test_who_sees_the_simulator(as_, three, who, status):  # type: ignore[no-untyped-def]
    response = as_(who).get(reverse("scorecards:simulator", args=[three["sxd"].pk]))
    assert response.status_code == status
    if status == 302:
        assert "/login" in response["Location"] or "dang-nhap" in response["Location"]
    if status == 200:
        html = response.content.decode()
        # The table of leaves: points now, maximum, available, what it takes; one input per leaf.
        assert [line["op"].node.code for line in response.context["lines"]] == ["2.1", "1.1", "1.2", "2.2"]
        for code in ("1.1", "1.2", "2.1", "2.2"):
            assert f'name="c-{code}"' in html
        # Only the leader gets the form that adds to the action plan.
        assert (reverse("scorecards:plan_add", args=[three["sxd"].pk]) in html) is (who == "giang")


def test_the_simulator_computes_the_rank(as_, three):  # type: ignore[no-untyped-def]
    url = reverse("scorecards:simulator", args=[three["sxd"].pk])
    # 72% early on 2.1 (4 points, target 90%): +3.2 → 6.2, past Sở Nội vụ's 5: first of 3.
    response = as_("cuong").get(url, {"c-2.1": "72%", "c-1.2": ""})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result["total_now"], result["total_after"]) == (Decimal("3.00"), Decimal("6.20"))
    assert (result["rank_now"], result["rank_after"], result["count"]) == (3, 1, 3)
    assert [(g["code"], g["gain"]) for g in result["gains"]] == [("2.1", Decimal("3.20"))]
    html = response.content.decode()
    assert 'id="result"' in html and 'value="72%"' in html
    # Before publication an agency sees the other totals, not whose they are.
    assert [o["total"] for o in result["others"]] == [Decimal("5.00"), Decimal("4.00")]
    assert "Sở Nội vụ" not in html and "Sở Nông nghiệp và Môi trường" not in html
    # The council and the inspector see the names.
    for who in ("nga", "thanh"):
        html = as_(who).get(url, {"c-2.1": "72%"}).content.decode()
        assert "Sở Nội vụ" in html and "Sở Nông nghiệp và Môi trường" in html


def test_the_simulator_names_the_others_once_published(as_, published, assessments):  # type: ignore[no-untyped-def]
    response = as_("cuong").get(reverse("scorecards:simulator", args=[assessments["sxd"].pk]), {"c-1.2": "2"})
    assert response.context["result"]["rank_after"] == 1  # 5, tied with the other agency
    assert "Sở Nông nghiệp và Môi trường" in response.content.decode()
    # Locked: the leader is told the plan is closed; no form.
    html = as_("giang").get(reverse("scorecards:simulator", args=[assessments["sxd"].pk])).content.decode()
    assert reverse("scorecards:plan_add", args=[assessments["sxd"].pk]) not in html


def test_unreadable_inputs_are_a_400_next_to_the_field(as_, three):  # type: ignore[no-untyped-def]
    response = as_("giang").get(reverse("scorecards:simulator", args=[three["sxd"].pk]),
                                {"c-2.1": "nhiều", "c-1.1": "3"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"c-2.1"}
    assert 'aria-describedby="id_c-2.1_error"' in response.content.decode()
    assert 'id="id_c-2.1_error"' in response.content.decode()
    assert response.context["result"]["total_after"] == Decimal("4.00")  # 1.1 still simulated


# --- the action plan --------------------------------------------------------------------------------------------


def _plan_data(people, **extra):  # type: ignore[no-untyped-def]
    due = timezone.localdate() + dt.timedelta(days=20)
    return {"node": "2.1", "action": "Rà soát quy trình, nhắc hạn hồ sơ", "owner": str(people["cuong"].pk),
            "due": due.isoformat(), "target_value": "90%", "target_points": "", **extra}


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("an", 403), ("cuong", 403), ("khanh", 403),
                                         ("nga", 403), ("thanh", 403), ("long", 403)])
def test_only_the_leader_adds_to_the_plan(as_, three, council, who, status):  # type: ignore[no-untyped-def]
    response = as_(who).post(reverse("scorecards:plan_add", args=[three["sxd"].pk]), _plan_data(council))
    assert response.status_code == status
    assert not ActionPlanItem.objects.exists()


def test_the_leader_adds_an_improvement(as_, three, council):  # type: ignore[no-untyped-def]
    a = three["sxd"]
    client = as_("giang")
    response = client.post(reverse("scorecards:plan_add", args=[a.pk]), _plan_data(council))
    assert response.status_code == 302 and response["Location"] == reverse("scorecards:plan", args=[a.pk])
    item = ActionPlanItem.objects.get()
    assert (item.node.code, item.owner, item.target_value, item.target_points, item.expected_gain) == (
        "2.1", council["cuong"], Decimal("0.9000"), Decimal("4.00"), Decimal("4.00"))
    # A manual leaf, its points aimed at.
    client.post(reverse("scorecards:plan_add", args=[a.pk]),
                _plan_data(council, node="1.2", target_value="", target_points="2", owner=str(council["giang"].pk)))
    assert ActionPlanItem.objects.get(node__code="1.2").expected_gain == Decimal("1.00")
    page = client.get(reverse("scorecards:plan", args=[a.pk]))
    assert page.context["expected"] == Decimal("5.00")
    assert any(m.level_tag == "success" for m in page.context["messages"])


@pytest.mark.parametrize("change, field, status", [
    ({"action": "  "}, "action", 400),
    ({"owner": "khanh"}, "owner", 400),  # not an officer of the agency
    ({"due": "2020-01-01"}, "due", 400),
    ({"due": "ngày mai"}, "due", 400),
    ({"node": "1"}, "node", 400),  # an area is not scored
    ({"node": "1.1", "target_value": "", "target_points": "7"}, "target_points", 400),  # above the maximum
])
def test_a_bad_plan_item_is_refused(as_, three, council, change, field, status):  # type: ignore[no-untyped-def]
    if change.get("owner") == "khanh":
        change = {"owner": str(council["khanh"].pk)}
    response = as_("giang").post(reverse("scorecards:plan_add", args=[three["sxd"].pk]),
                                 _plan_data(council, **change))
    assert response.status_code == status
    assert field in response.context["plan_form"].errors
    assert 'class="error-summary"' in response.content.decode()
    assert not ActionPlanItem.objects.exists()


def test_a_locked_assessment_takes_no_plan(as_, published, assessments, council):  # type: ignore[no-untyped-def]
    response = as_("giang").post(reverse("scorecards:plan_add", args=[assessments["sxd"].pk]), _plan_data(council))
    assert response.status_code == 409
    assert not ActionPlanItem.objects.exists()


@pytest.fixture
def item(three, council):  # type: ignore[no-untyped-def]
    return services.plan_improvement(three["sxd"], three["sxd"].tree.nodes.get(code="1.1"),
                                     action="Ban hành kế hoạch đúng hạn", owner=council["cuong"],
                                     due=timezone.localdate() + dt.timedelta(days=30), by=council["giang"])


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("an", 403), ("cuong", 200), ("khanh", 403),
                                         ("giang", 200), ("nga", 200), ("thanh", 200)])
def test_who_sees_the_plan(as_, item, who, status):  # type: ignore[no-untyped-def]
    client = as_(who)
    pk = item.assessment_id
    response = client.get(reverse("scorecards:plan", args=[pk]))
    assert response.status_code == status
    assert client.get(reverse("scorecards:plan_xlsx", args=[pk])).status_code == status
    if status == 200:
        html = response.content.decode()
        assert "Ban hành kế hoạch đúng hạn" in html
        # The update form for the leader and the item's owner only.
        assert (reverse("scorecards:plan_item", args=[item.pk]) in html) is (who in ("cuong", "giang"))


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("an", 403), ("khanh", 403), ("nga", 403),
                                         ("thanh", 403), ("long", 403), ("cuong", 302), ("giang", 302)])
def test_who_updates_an_item(as_, item, who, status):  # type: ignore[no-untyped-def]
    response = as_(who).post(reverse("scorecards:plan_item", args=[item.pk]),
                             {f"item-{item.pk}-status": PlanStatus.UNDER_WAY,
                              f"item-{item.pk}-progress": "Đã trình dự thảo"})
    assert response.status_code == status
    item.refresh_from_db()
    changed = status == 302 and who != "anonymous"
    assert (item.status, item.progress) == ((PlanStatus.UNDER_WAY, "Đã trình dự thảo") if changed
                                            else (PlanStatus.PLANNED, ""))


def test_a_bad_status_is_a_400_and_changes_nothing(as_, item):  # type: ignore[no-untyped-def]
    response = as_("cuong").post(reverse("scorecards:plan_item", args=[item.pk]),
                                 {f"item-{item.pk}-status": "finished", f"item-{item.pk}-progress": "x"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.progress) == (PlanStatus.PLANNED, "")


def test_overdue_items_and_the_plan_export(as_, item, council):  # type: ignore[no-untyped-def]
    ActionPlanItem.objects.filter(pk=item.pk).update(due=timezone.localdate() - dt.timedelta(days=1))
    done = services.plan_improvement(item.assessment, item.assessment.tree.nodes.get(code="1.2"),
                                     action="Báo cáo quý đúng hạn", owner=council["giang"],
                                     due=timezone.localdate(), by=council["giang"])
    services.update_plan_item(done, status=PlanStatus.DONE, progress="Xong", by=council["giang"])
    ActionPlanItem.objects.filter(pk=done.pk).update(due=timezone.localdate() - dt.timedelta(days=2))
    client = as_("giang")
    page = client.get(reverse("scorecards:plan", args=[item.assessment_id]))
    overdue = {line["item"].node.code: line["overdue"] for line in page.context["lines"]}
    assert overdue == {"1.1": True, "1.2": False}  # a done item is never overdue
    assert (page.context["expected"], page.context["done"], page.context["overdue"]) == (
        Decimal("2.00"), Decimal("1.00"), 1)
    rows = _xlsx_rows(client.get(reverse("scorecards:plan_xlsx", args=[item.assessment_id])).content)
    assert rows[1][0] == "Tiêu chí / Criterion"
    assert [(r[0], r[5], r[8]) for r in rows[2:4]] == [("1.2. Báo cáo CCHC định kỳ", 1, None),
                                                       ("1.1. Kế hoạch CCHC năm", 1, "x")]
    assert rows[4][5] == 2
