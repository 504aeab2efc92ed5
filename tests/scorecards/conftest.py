"""Fixtures of the reform scorecard: the appraisal council, a second agency's leader and a small tree."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from motcua.accounts import services as account_services
from motcua.accounts.choices import Role, UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.scorecards import services
from motcua.scorecards.models import Assessment, Score, Tree

# The statistics tests' dossiers (the March 2025 dataset) feed the automatic leaves; their media root is a
# temporary directory (evidence files land there too).
from tests.stats.conftest import _media, life, march, procedure  # noqa: F401


@pytest.fixture
def council(org, people):  # type: ignore[no-untyped-def]
    """Nga, a member of the appraisal council at the province's Department of Home Affairs, and Long, the leader
    of the other agency (Sở Nông nghiệp và Môi trường); both added to ``people``."""
    home_affairs = account_services.save_unit(OrgUnit(parent=org["province"], name="Sở Nội vụ", short_name="Sở Nội vụ",
                                                      code="T.SNV", kind=UnitKind.AGENCY))
    org["home_affairs"] = home_affairs
    nga = User.objects.create_user(username="nga", password="mat-khau-dai-1", full_name="Đinh Thị Nga",
                                   unit=home_affairs)
    account_services.assign_role(nga, Role.APPRAISER, home_affairs)
    long_ = User.objects.create_user(username="long", password="mat-khau-dai-1", full_name="Ngô Văn Long",
                                     unit=org["other"])
    account_services.assign_role(long_, Role.AGENCY_LEADER, org["other"])
    people["nga"], people["long"] = nga, long_
    return people


def tree_spec(year: int = 2026, **extra: Any) -> dict[str, Any]:
    """A small tree of 10 points: two manual leaves (area 1) and two automatic ones (area 2)."""
    return {
        "scheme": "par-department", "year": year, "name": f"Chỉ số CCHC các sở năm {year}",
        "name_en": f"Departments' PAR index {year}", "decision": "Quyết định số 1/QĐ-UBND",
        "bands": [{"code": "A", "min": 9}, {"code": "B", "min": 8}, {"code": "C", "min": 7}],
        "appeal_days": 5,
        "nodes": [
            {"code": "1", "name": "Công tác chỉ đạo, điều hành", "max_points": "5", "children": [
                {"code": "1.1", "name": "Kế hoạch CCHC năm", "max_points": "3", "method": "manual",
                 "evidence_required": "Kế hoạch đã ban hành"},
                {"code": "1.2", "name": "Báo cáo CCHC định kỳ", "max_points": "2", "method": "manual"},
            ]},
            {"code": "2", "name": "Cải cách thủ tục hành chính", "max_points": "5", "children": [
                {"code": "2.1", "name": "Tỷ lệ hồ sơ giải quyết trước hạn", "max_points": "4", "method": "formula",
                 "metric": "early_rate", "rule": "proportional", "target": "0.9"},
                {"code": "2.2", "name": "Mức độ hài lòng", "max_points": "1", "method": "survey",
                 "metric": "survey_index", "rule": "linear"},
            ]},
        ],
        **extra,
    }


@pytest.fixture
def tree(db) -> Tree:  # type: ignore[no-untyped-def]
    return services.create_tree(tree_spec())


@pytest.fixture
def assessments(tree, org, council) -> dict[str, Assessment]:  # type: ignore[no-untyped-def]
    """The cycle opened for Sở Xây dựng and Sở Nông nghiệp và Môi trường by Nga."""
    services.open_assessments(tree, [org["sxd"], org["other"]], by=council["nga"])
    return {"sxd": Assessment.objects.get(tree=tree, agency=org["sxd"]),
            "other": Assessment.objects.get(tree=tree, agency=org["other"])}


def score(assessment: Assessment, code: str) -> Score:
    return Score.objects.select_related("node").get(assessment=assessment, node__code=code)


def points(value: str) -> Decimal:
    return Decimal(value)


@pytest.fixture
def three(tree, org, council):  # type: ignore[no-untyped-def]
    """Sở Xây dựng 3 points (2 + 1), the other agency 4 (3 + 1), Sở Nội vụ 5 (3 + 2); no data on 2.1, 2.2."""
    services.open_assessments(tree, [org["sxd"], org["other"], org["home_affairs"]], by=council["nga"])
    scores = {"sxd": ("2", "1"), "other": ("3", "1"), "home_affairs": ("3", "2")}
    out = {}
    for key, (p11, p12) in scores.items():
        a = tree.assessments.get(agency=org[key])
        services.self_score(score(a, "1.1"), p11, "", leader_of(a, council))
        services.self_score(score(a, "1.2"), p12, "", leader_of(a, council))
        out[key] = a
    return out


def leader_of(a: Assessment, people: dict[str, User]) -> User:
    """The leader of the assessed agency: Giang, Long, or Mai (made here) for Sở Nội vụ."""
    key = {"T.SXD": "giang", "T.SNN": "long"}.get(a.agency.code)
    if key:
        return people[key]
    if "mai" not in people:
        people["mai"] = User.objects.create_user(username="mai", full_name="Lý Thị Mai", unit=a.agency)
        account_services.assign_role(people["mai"], Role.AGENCY_LEADER, a.agency)
    return people["mai"]


@pytest.fixture
def last_year(three, org, council):  # type: ignore[no-untyped-def]
    """The 2025 tree of the same scheme: Sở Xây dựng first (5), Sở Nội vụ second (3), the other agency third (1)."""
    tree = services.create_tree(tree_spec(2025))
    services.open_assessments(tree, [org["sxd"], org["other"], org["home_affairs"]], by=council["nga"])
    for key, p11, p12 in (("sxd", "3", "2"), ("other", "1", "0"), ("home_affairs", "2", "1")):
        a = tree.assessments.get(agency=org[key])
        services.self_score(score(a, "1.1"), p11, "", leader_of(a, council))
        services.self_score(score(a, "1.2"), p12, "", leader_of(a, council))
    return tree
