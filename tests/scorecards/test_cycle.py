"""The yearly cycle through the services: self-assessment, submission, appraisal, appeal within the window on
the legal clock, decision, lock and publication, with every change in the history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.scorecards import services
from motcua.scorecards.choices import AssessmentStatus, Stage, TreeStatus
from motcua.scorecards.models import ScoreChange, Tree

from .conftest import score, tree_spec

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, month: int = 12, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=VN)


def test_a_tree_freezes_when_assessment_opens(assessments, tree):  # type: ignore[no-untyped-def]
    tree.refresh_from_db()
    assert tree.status == TreeStatus.OPEN and tree.frozen_at is not None
    with pytest.raises(Conflict):
        services.create_tree(tree_spec(), replace=True)
    with pytest.raises(Conflict):
        services.delete_tree(tree)
    # One score per leaf (1.1 1.2 2.1 2.2), none for the areas.
    assert sorted(assessments["sxd"].scores.values_list("node__code", flat=True)) == ["1.1", "1.2", "2.1", "2.2"]


def test_a_draft_tree_is_replaced_only_when_asked(db):  # type: ignore[no-untyped-def]
    services.create_tree(tree_spec())
    with pytest.raises(Conflict):
        services.create_tree(tree_spec())
    services.create_tree(tree_spec(name="Bản sửa"), replace=True)
    assert Tree.objects.get().name == "Bản sửa"


@pytest.mark.parametrize("change, field", [
    ({"max_points": "6"}, "max_points"),  # 3 + 2 ≠ 6
    ({"children": [{"code": "1.1", "name": "x", "max_points": "5", "method": "formula", "metric": "nope"}]}, "metric"),
    ({"children": [{"code": "1.1", "name": "x", "max_points": "5", "method": "formula", "metric": "early_rate",
                    "rule": "proportional"}]}, "target"),
    ({"children": [{"code": "1.1", "name": "", "max_points": "5"}]}, "name"),
    ({"children": [{"code": "1.1", "name": "x", "max_points": "-5"}]}, "max_points"),
])
def test_a_bad_tree_is_refused_with_the_criterion_named(db, change, field):  # type: ignore[no-untyped-def]
    spec = tree_spec()
    spec["nodes"][0] = {**spec["nodes"][0], **change}
    with pytest.raises(DomainError) as exc:
        services.create_tree(spec)
    assert exc.value.details["field"] == field
    assert not Tree.objects.exists()


def test_duplicate_codes_are_refused(db):  # type: ignore[no-untyped-def]
    spec = tree_spec()
    spec["nodes"][1]["children"][0]["code"] = "1.1"
    with pytest.raises(DomainError) as exc:
        services.create_tree(spec)
    assert exc.value.details["codes"] == ["1.1"]


def test_the_whole_cycle_with_its_history(assessments, council, tree):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    giang, cuong, nga = council["giang"], council["cuong"], council["nga"]
    with time_machine.travel(at(1), tick=False):
        # The leader makes Cường the owner of area 1; Cường scores its two leaves with evidence.
        services.assign_owner(a, tree.nodes.get(code="1"), cuong, giang)
        services.self_score(score(a, "1.1"), "3", "Kế hoạch số 12/KH-SXD", cuong)
        services.add_evidence(score(a, "1.1"), cuong, kind="link", url="https://sxd.lamdong.gov.vn/ke-hoach-12")
        services.self_score(score(a, "1.2"), "1,5", "Thiếu báo cáo quý IV", cuong)
        # 2.1 and 2.2 are automatic; with no data they stay empty and are not required.
        assert score(a, "2.1").auto_points is None
        services.submit(a, giang)
    with time_machine.travel(at(3), tick=False):
        services.appraise(score(a, "1.1"), "2", "Kế hoạch ban hành muộn", nga)
        services.send_appraisal(a, nga)
    a.refresh_from_db()
    assert a.status == AssessmentStatus.APPRAISED
    # Sent Thursday 3/12/2026: 5 whole working days after that day (Fri 4, Mon 7 … Thu 10) → the end of Thu 10/12.
    assert a.appeal_until is not None
    assert a.appeal_until.astimezone(VN).replace(tzinfo=None) == dt.datetime(2026, 12, 10, 17, 0)
    # 1.2 untouched: the agency's 1.5 stands as appraised. Total = 2 + 1.5.
    assert score(a, "1.2").appraised_points == Decimal("1.50")
    assert a.total == Decimal("3.50")
    with time_machine.travel(at(8), tick=False):
        services.appeal(a, [(score(a, "1.1"), "3", "Kế hoạch ban hành đúng hạn, xem văn bản số 12")], giang)
    with time_machine.travel(at(14), tick=False):
        with pytest.raises(Conflict):
            services.lock(a, nga)  # the appeal is not decided yet
        services.decide(score(a, "1.1"), "2.5", "Chấp nhận một phần", nga)
        services.lock(a, nga)
        with pytest.raises(Conflict):
            services.publish(tree, nga)  # the other agency is not locked
    a.refresh_from_db()
    assert (a.status, a.total, a.self_total) == (AssessmentStatus.LOCKED, Decimal("4.00"), Decimal("4.50"))
    history = [(c.stage, c.score.node.code if c.score else "", c.old, c.new, c.by.username if c.by else "")
               for c in ScoreChange.objects.filter(assessment=a).select_related("score__node", "by").order_by("pk")]
    assert history == [
        (Stage.STATUS, "", "", "self", "nga"),
        (Stage.OWNER, "", "", "1: Lê Văn Cường", "giang"),
        (Stage.SELF, "1.1", "", "3.00", "cuong"),
        (Stage.EVIDENCE, "1.1", "", "https://sxd.lamdong.gov.vn/ke-hoach-12", "cuong"),
        (Stage.SELF, "1.2", "", "1.50", "cuong"),
        (Stage.STATUS, "", "self", "submitted", "giang"),
        (Stage.APPRAISAL, "1.1", "3.00", "2.00", "nga"),
        (Stage.STATUS, "", "submitted", "appraised", "nga"),
        (Stage.APPEAL, "1.1", "2.00", "3.00", "giang"),
        (Stage.STATUS, "", "appraised", "appealed", "giang"),
        (Stage.DECISION, "1.1", "2.00", "2.50", "nga"),
        (Stage.STATUS, "", "appealed", "locked", "nga"),
    ]
    reasons = dict(ScoreChange.objects.filter(assessment=a, stage__in=[Stage.APPRAISAL, Stage.APPEAL, Stage.DECISION])
                   .values_list("stage", "reason"))
    assert reasons == {Stage.APPRAISAL: "Kế hoạch ban hành muộn",
                       Stage.APPEAL: "Kế hoạch ban hành đúng hạn, xem văn bản số 12",
                       Stage.DECISION: "Chấp nhận một phần"}
    # The other agency goes through without appeal: locked once its window has passed, then the tree publishes.
    b = assessments["other"]
    long_ = council["long"]
    with time_machine.travel(at(1), tick=False):
        services.self_score(score(b, "1.1"), "3", "", long_)
        services.self_score(score(b, "1.2"), "2", "", long_)
        services.submit(b, long_)
        services.send_appraisal(b, nga)
        with pytest.raises(Conflict):
            services.lock(b, nga)  # the window is open
    # Sent Tuesday 1/12: the window runs to the end of the fifth working day after it, Tuesday 8/12 at 17:00.
    with time_machine.travel(at(8, hour=16), tick=False), pytest.raises(Conflict):
        services.lock(b, nga)
    with time_machine.travel(at(8, hour=18), tick=False):
        with pytest.raises(Conflict):
            services.appeal(b, [(score(b, "1.1"), "2", "muộn")], long_)
        services.lock(b, nga)
        services.publish(tree, nga)
    tree.refresh_from_db()
    assert tree.status == TreeStatus.PUBLISHED


def test_who_may_do_what(assessments, council, tree):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    people = council
    # Cường owns nothing yet: he may not score; Khánh (the other agency) never; the council never self-scores.
    for who in ("cuong", "khanh", "nga", "thanh", "long"):
        with pytest.raises(PermissionDenied):
            services.self_score(score(a, "1.1"), "1", "", people[who])
    services.assign_owner(a, tree.nodes.get(code="1.1"), people["cuong"], people["giang"])
    services.self_score(score(a, "1.1"), "1", "", people["cuong"])
    with pytest.raises(PermissionDenied):
        services.self_score(score(a, "1.2"), "1", "", people["cuong"])  # owns 1.1 only
    with pytest.raises(DomainError):
        services.assign_owner(a, tree.nodes.get(code="1.2"), people["khanh"], people["giang"])  # not an officer
    with pytest.raises(PermissionDenied):
        services.submit(a, people["cuong"])  # only the leader submits
    services.self_score(score(a, "1.2"), "2", "", people["giang"])
    services.submit(a, people["giang"])
    for who in ("giang", "thanh", "long"):
        with pytest.raises(PermissionDenied):
            services.appraise(score(a, "1.1"), "1", "x", people[who])
    with pytest.raises(Conflict):
        services.self_score(score(a, "1.1"), "2", "", people["giang"])  # submitted: no more self-scores


def test_points_are_checked(assessments, council):  # type: ignore[no-untyped-def]
    a, giang = assessments["sxd"], council["giang"]
    for bad in ("3.01", "-1", "abc", "1.234", "NaN"):
        with pytest.raises(DomainError):
            services.self_score(score(a, "1.1"), bad, "", giang)
    assert score(a, "1.1").self_points is None
    assert not ScoreChange.objects.filter(stage=Stage.SELF).exists()


def test_submission_needs_every_manual_leaf(assessments, council):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    services.self_score(score(a, "1.1"), "3", "", council["giang"])
    with pytest.raises(DomainError) as exc:
        services.submit(a, council["giang"])
    assert exc.value.details["missing"] == ["1.2"]


def test_a_changed_score_needs_a_reason(assessments, council):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    services.self_score(score(a, "1.1"), "3", "", council["giang"])
    services.self_score(score(a, "1.2"), "2", "", council["giang"])
    services.submit(a, council["giang"])
    with pytest.raises(DomainError):
        services.appraise(score(a, "1.1"), "2", "  ", council["nga"])
    services.appraise(score(a, "1.1"), "3", "", council["nga"])  # the same score: no reason needed


def test_a_tree_from_a_workbook_made_here_goes_through_the_cycle(org, council):  # type: ignore[no-untyped-def]
    """The issue's acceptance: a tree imported from an XLSX made in the test, self-assessed, appraised, appealed
    and locked through the services, with the history checked."""
    from motcua.scorecards import exchange

    from .test_exchange import hand_made

    rows = [["1", "Chỉ đạo, điều hành", 6], ["1.1", "Kế hoạch CCHC", "3,5", "manual"],
            ["1.2", "Kiểm tra CCHC", "2.5", "manual"],
            ["2", "Thủ tục hành chính", 4], ["2.1", "Hồ sơ trước hạn", 4, "formula", "early_rate", "proportional",
                                            "90%"]]
    tree = services.create_tree(exchange.read_xlsx(hand_made(rows)), by=council["nga"])
    assert [n.code for n in services.leaves(tree)] == ["1.1", "1.2", "2.1"]
    giang, nga = council["giang"], council["nga"]
    with time_machine.travel(at(1), tick=False):
        services.open_assessments(tree, [org["sxd"]], by=nga)
        a = tree.assessments.get()
        services.self_score(score(a, "1.1"), "3,5", "Đủ kế hoạch", giang)
        services.add_evidence(score(a, "1.1"), giang, kind="note", note="Kế hoạch số 12/KH-SXD ngày 05/01")
        services.self_score(score(a, "1.2"), "2.5", "", giang)
        services.self_score(score(a, "2.1"), "4", "Số liệu quý IV của đơn vị", giang)  # no data: scored by hand
        services.submit(a, giang)
        services.appraise(score(a, "2.1"), "2", "Không có số liệu trên hệ thống", nga)
        services.send_appraisal(a, nga)
        services.appeal(a, [(score(a, "2.1"), "4", "Gửi kèm báo cáo số liệu")], giang)
        services.decide(score(a, "2.1"), "3", "Chấp nhận một phần", nga)
        services.lock(a, nga)
    a.refresh_from_db()
    assert (a.status, a.self_total, a.total) == (AssessmentStatus.LOCKED, Decimal("10.00"), Decimal("9.00"))
    lines = [(c.stage, c.score.node.code if c.score else "", c.new, c.by.username if c.by else "")
             for c in ScoreChange.objects.filter(assessment=a).select_related("score__node", "by").order_by("pk")]
    assert lines == [
        (Stage.STATUS, "", "self", "nga"), (Stage.SELF, "1.1", "3.50", "giang"),
        (Stage.EVIDENCE, "1.1", "Kế hoạch số 12/KH-SXD ngày 05/01", "giang"), (Stage.SELF, "1.2", "2.50", "giang"),
        (Stage.SELF, "2.1", "4.00", "giang"), (Stage.STATUS, "", "submitted", "giang"),
        (Stage.APPRAISAL, "2.1", "2.00", "nga"), (Stage.STATUS, "", "appraised", "nga"),
        (Stage.APPEAL, "2.1", "4.00", "giang"), (Stage.STATUS, "", "appealed", "giang"),
        (Stage.DECISION, "2.1", "3.00", "nga"), (Stage.STATUS, "", "locked", "nga"),
    ]
    assert all(c.at is not None for c in ScoreChange.objects.filter(assessment=a))


def test_a_tree_s_configuration_changes_are_audited(db):  # type: ignore[no-untyped-def]
    from auditlog.models import LogEntry

    tree = services.create_tree(tree_spec())
    node = tree.nodes.get(code="1.1")
    node.guidance = "Kế hoạch ban hành trước ngày 15/01"
    node.save()
    assert LogEntry.objects.get_for_object(tree).count() == 1
    changes = [e.changes_dict for e in LogEntry.objects.get_for_object(node).order_by("pk")]
    assert changes[-1]["guidance"] == ["", "Kế hoạch ban hành trước ngày 15/01"]
