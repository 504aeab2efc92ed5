from __future__ import annotations

from decimal import Decimal

from motcua.scorecards import services
from motcua.scorecards.choices import AssessmentStatus

from .conftest import score


def test_leader_self_scores_and_submits(assessments, council):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    services.self_score(score(a, "1.1"), "2.5", "Kế hoạch ban hành tháng 1", council["giang"])
    services.self_score(score(a, "1.2"), "2", "", council["giang"])
    services.submit(a, council["giang"])
    a.refresh_from_db()
    assert a.status == AssessmentStatus.SUBMITTED
    assert a.self_total == Decimal("4.50")
