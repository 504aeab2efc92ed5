"""The Circular 01/2018 evaluation (Arts. 13-15) of dossiers walked through their internal steps by real
officers, and the 766 indicators that read what those dossiers record (3.6 paid online, 4.1 and 4.2
electronic result and files, 5.4 from the overdue dossiers and the ratings)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import OrgUnit
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import services as wf
from motcua.stats import evaluation, index766, kpi, rollups
from motcua.surveys import services as surveys
from motcua.surveys.models import Response
from tests.dossiers.conftest import upload
from tests.dossiers.workflow_helpers import construction_permit, received, t

pytestmark = pytest.mark.django_db

AUGUST = "from=2026-08-01&to=2026-08-31"


def _steps(d: Dossier) -> dict[int, int]:
    return {s.order: s.pk for s in d.steps.exclude(outcome="skipped").order_by("order", "id")}


def walk(
    people,
    day: int,
    *,
    appraiser: str,
    appraised: dt.datetime,
    returned: dt.datetime,  # type: ignore[no-untyped-def]
    late_opinion: bool = False,
    paid: str | None = None,
) -> Dossier:
    """A construction permit (10 working days) received on ``day`` August 2026 at 09:00 and transferred at
    09:30; ``appraiser`` holds the appraisal (5 working days) and ends it at ``appraised``; Dung approves and
    Giang signs an hour apart; Bình records the result with its file an hour later and hands it over at
    ``returned`` (when the applicant comes)."""
    d = received(people, t(2026, 8, day, 9, 0))
    d = services.transfer(people["binh"], d, at=t(2026, 8, day, 9, 30))
    appraisal = d.steps.get(order=2, name__startswith="Thẩm định")
    wf.assign(people["dung"], d, people[appraiser], step_id=appraisal.pk, at=t(2026, 8, day, 10, 0))
    if late_opinion:
        c = wf.consult(
            people[appraiser], d, unit_code="T.SNN", question="Ý kiến về phòng cháy?", at=t(2026, 8, day, 11, 0)
        )
        # Due two working days later at 11:00; answered that day at 15:00: late.
        wf.answer_consultation(
            people["khanh"], d, consultation_id=c.pk, answer="Đồng ý", agrees=True, at=c.due_at + dt.timedelta(hours=4)
        )
    wf.transfer_step(people[appraiser], d, note="Đủ điều kiện", at=appraised)
    wf.approve(people["dung"], d, at=appraised + dt.timedelta(hours=1))
    wf.sign(people["giang"], d, at=appraised + dt.timedelta(hours=2))
    if paid:
        wf.request_payment(people["binh"], d, amount_vnd=150_000, at=appraised + dt.timedelta(hours=2, minutes=10))
        wf.confirm_payment(people["binh"], d, channel=paid, at=appraised + dt.timedelta(hours=2, minutes=20))
    wf.record_result(
        people["binh"],
        d,
        number=f"{day}/GPXD",
        issued_on=appraised.date(),
        upload=upload(name="gpxd.pdf", order=None),
        at=appraised + dt.timedelta(hours=3),
    )
    wf.return_result(people["binh"], d, method="desk", at=returned,
                     collection=wf.Collection(name="Nguyễn Văn An", id_number="068090000123", signed=True))
    return Dossier.objects.get(pk=d.pk)


@pytest.fixture
def walked(people, org):  # type: ignore[no-untyped-def]
    construction_permit(org)
    dossiers = {
        # Every step early; the applicant collects the result 6 working days after it was ready, long after
        # the return step's one working day: the dossier is early all the same (done on 4/8, promised 17/8).
        "X": walk(
            people, 3, appraiser="cuong", appraised=t(2026, 8, 4, 10, 0), returned=t(2026, 8, 12, 10, 0), paid="online"
        ),
        # Dung appraises after the promised date (17/8 09:00): every later step is late too, and so is the dossier.
        "Y": walk(
            people, 3, appraiser="dung", appraised=t(2026, 8, 18, 9, 0), returned=t(2026, 8, 18, 15, 0), paid="desk"
        ),
        # Steps early, but the agency consulted answers after its two working days.
        "Z": walk(
            people,
            4,
            appraiser="cuong",
            appraised=t(2026, 8, 7, 9, 0),
            returned=t(2026, 8, 7, 15, 0),
            late_opinion=True,
        ),
    }
    rollups.rebuild()
    return dossiers


def _evaluate() -> dict:  # type: ignore[type-arg]
    return evaluation.evaluate(kpi.Scope(), dt.date(2026, 8, 1), dt.date(2026, 8, 31))


def test_the_return_step_does_not_count_against_the_agency(walked):
    # Only X ended from 1 to 4 August. Its slowest step apart from the return is the desk's hand-over, on the
    # day it was due: 1 point. Counting the return (late: the applicant came a week later) would give 0.
    only_x = evaluation.evaluate(kpi.Scope(), dt.date(2026, 8, 1), dt.date(2026, 8, 4))
    assert only_x["dossiers"] == 1
    assert {i["id"]: i["score"] for i in only_x["indicators"]}["2"] == 1.0
    x = walked["X"]
    steps = evaluation._steps([x.pk])[x.pk]
    ret = [s for s in steps if s["return_step"]]
    # The return step was late (the applicant came after its working day) and is the only one left out.
    assert len(ret) == 1 and ret[0]["order"] == 5 and evaluation.score_step(ret[0]) == 0
    assert evaluation.score_steps(steps) == min(
        evaluation.score_step(s) for s in steps if not s["return_step"] and evaluation.score_step(s) is not None
    )
    assert evaluation.score_steps(steps) >= 1


def test_indicator_2_counts_each_unit_and_the_coordinating_ones(walked):
    body = _evaluate()
    by_id = {i["id"]: i for i in body["indicators"]}
    x, y, z = (walked[k].pk for k in "XYZ")
    steps = evaluation._steps([x, y, z])
    opinions = evaluation._opinions([x, y, z])
    per = {k: evaluation.score_steps(steps[pk], opinions.get(pk, [])) for k, pk in (("X", x), ("Y", y), ("Z", z))}
    assert per["Y"] == 0  # Dung's appraisal late
    assert per["Z"] == 0  # the coordinating agency answered late; Z's own steps were early
    assert per["X"] >= 1
    assert by_id["2"]["score"] == pytest.approx(round(sum(per.values()) / 3, 1))


def test_a_late_dossier_without_complaint_keeps_1_for_attitude(walked):
    body = _evaluate()
    by_id = {i["id"]: i for i in body["indicators"]}
    assert body["dossiers"] == 3
    # Indicator 1: X and Z done long before the promised day (2), Y after the promised date (0).
    assert by_id["1"]["score"] == pytest.approx(1.3)
    # Indicator 7: early and no complaint 2 (X, Z); Y is late but nobody complained: 1, not 0.
    assert by_id["7"]["score"] == pytest.approx(1.7)


def test_every_officer_who_held_a_step_is_evaluated_with_a_band(walked):
    body = _evaluate()
    officers = {o["username"]: o for o in body["officers"]}
    assert set(officers) == {"binh", "cuong", "dung", "giang"}
    cuong, dung, binh = officers["cuong"], officers["dung"], officers["binh"]
    # Cường appraised X and Z, both early: indicator 2 of his own steps is 2, though Z's opinion came late.
    assert (cuong["dossiers"], cuong["steps"]) == (2, 2)
    assert cuong["indicators"] == {"1": 2.0, "2": 2.0, "3": 2.0, "4": None, "7": 2.0}
    assert cuong["score"] == 8.0 and cuong["max_points_computed"] == 8 and cuong["missing"] == ["4"]
    assert cuong["band"] == evaluation.band_officer(8.0) == "Hoàn thành toàn bộ nhiệm vụ"
    # Dung: X and Z approved early (2, 2); Y appraised and approved late (0, 0): her steps average 1.0.
    assert (dung["dossiers"], dung["steps"]) == (3, 4)
    assert dung["indicators"]["2"] == pytest.approx(1.0)
    assert dung["indicators"]["1"] == pytest.approx(1.3) and dung["indicators"]["7"] == pytest.approx(1.7)
    assert dung["score"] == pytest.approx(6.0) and dung["band"] == "Hoàn thành toàn bộ nhiệm vụ"
    # Bình received and returned all three: the returns are his steps but not his indicator 2.
    assert (binh["dossiers"], binh["steps"]) == (3, 6)
    assert binh["indicators"]["2"] is not None


def test_officer_bands_follow_article_14():
    assert evaluation.band_officer(5.0) == "Hoàn thành toàn bộ nhiệm vụ"
    partly = "Hoàn thành từ 70 đến dưới 100 phần trăm nhiệm vụ"
    assert evaluation.band_officer(4.9) == evaluation.band_officer(3.5) == partly
    assert evaluation.band_officer(3.4) == "Hoàn thành dưới 70 phần trăm nhiệm vụ"
    assert evaluation.band_officer(None) == ""


def test_the_agency_band_needs_all_nine_indicators(walked, monkeypatch):
    body = _evaluate()
    assert body["complete"] is False and body["band"] == ""
    assert [m["id"] for m in body["missing"]] == ["4", "5"]
    assert body["score_18"] == pytest.approx(round(body["total"] * 18 / body["max_points_computed"], 1))
    # With data for all nine, the total itself is banded (Art. 15): 15 or more is excellent.
    real = evaluation._indicator

    def every_indicator_has_data(ident, score, scope_kind, dossiers, note=""):  # type: ignore[no-untyped-def]
        return real(ident, 2.0 if score is None else score, scope_kind, dossiers, note)

    monkeypatch.setattr(evaluation, "_indicator", every_indicator_has_data)
    full = _evaluate()
    assert full["complete"] is True and full["missing"] == []
    assert full["score_18"] == full["total"] and full["band"] == evaluation.band_agency(full["total"])


def test_the_api_and_the_dashboard_list_the_officers(walked, client_for):
    body = client_for("giang").get(f"/api/v1/stats/evaluation?unit=T.SXD&{AUGUST}").json()
    assert {o["username"] for o in body["officers"]} == {"binh", "cuong", "dung", "giang"}
    html = client_for("giang").get(f"/thong-ke/don-vi/T.SXD/?period=custom&{AUGUST}").content.decode()
    assert 'id="evaluation-officers-h"' in html
    assert '<th scope="row">Lê Văn Cường</th>' in html and "Hoàn thành toàn bộ nhiệm vụ" in html
    assert "Chưa xếp loại" in html  # no agency band while indicators 4, 5 and 8 have no data


def _indicator(index: dict, ident: str) -> dict:  # type: ignore[type-arg]
    return next(i for g in index["groups"] for i in g["indicators"] if i["id"] == ident)


def test_766_reads_payments_results_and_files(walked):
    index = index766.compute(kpi.Scope(), dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    # 3.6: X paid online, Y at the desk, Z had no fee: 1 of the 2 dossiers with a fee.
    paid = _indicator(index, "3.6")
    assert (paid["numerator"], paid["denominator"], paid["points"]) == (1, 2, 3.0)
    # 4.1: the three results were recorded with their file; 4.2: and the dossiers' documents were uploaded.
    e_result, digitised = _indicator(index, "4.1"), _indicator(index, "4.2")
    assert (e_result["numerator"], e_result["denominator"], e_result["points"]) == (3, 3, 6.0)
    assert (digitised["numerator"], digitised["denominator"], digitised["points"]) == (3, 3, 4.0)
    summary = kpi.summary(kpi.Scope(), dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    assert (summary["paid_online_rate"], summary["e_result_rate"], summary["digitised_rate"]) == (0.5, 1.0, 1.0)


def _rate(unit_code: str, overall: int) -> None:
    """One answer to the per-dossier questionnaire about a dossier of August 2026 (its rating)."""
    surveys.record(surveys.per_dossier_form(), surveys.Answers({"time": 3, "visits": 3, "attitude": 3,
                                                                "overall": overall}),
                   surveys.Where(OrgUnit.objects.get(code=unit_code), dt.date(2026, 8, 1),
                                 procedure_code="1.013236"), "link")


def test_766_satisfaction_from_overdue_dossiers_and_dislikes(walked):
    first, last = dt.date(2026, 8, 1), dt.date(2026, 8, 31)
    for overall in (5, 2, 4, 1):
        _rate("T.SXD", overall)
    _rate("T.SNN", 1)
    sxd = kpi.Scope(kpi.subtree_ids(walked["X"].processing_unit))
    satisfaction = _indicator(index766.compute(sxd, first, last), "5.4")
    # 3 processed, 1 late (Y), 2 dislikes at Sở Xây dựng (the one of Sở Nông nghiệp is not its): 1 − (1 + 2) / 3.
    assert (satisfaction["late"], satisfaction["ratings"], satisfaction["disliked"]) == (1, 4, 2)
    assert (satisfaction["numerator"], satisfaction["denominator"]) == (0, 3)
    assert satisfaction["value"] is not None and satisfaction["points"] == 0.0
    Response.objects.filter(disliked=True, unit__code="T.SXD").delete()
    satisfaction = _indicator(index766.compute(sxd, first, last), "5.4")
    # 2 of 3 = 66.67 %, under the 90 % target: 0.6667 × 6 ÷ 0.9 = 4.44 points.
    assert (satisfaction["numerator"], satisfaction["points"]) == (2, pytest.approx(4.44))
    # The ranking (``compute_many``) gives the same.
    many = index766.compute_many({"sxd": sxd.unit_ids}, first, last)["sxd"][0]
    assert _indicator(many, "5.4") == satisfaction


def test_the_division_dashboard_credits_each_officer_who_held_a_step_there(walked, org, client_for):
    """Every officer who held a step of the division is credited with the dossiers they worked on, though
    the finished dossiers are assigned to no one any more (issue 13 item 2); the desk's officer is not one
    of the division's; the officer's numbers open the same dossiers."""
    from motcua.stats import selectors
    from motcua.stats.forms import Period

    august = Period(dt.date(2026, 8, 1), dt.date(2026, 8, 31), "08/2026")
    assert not Dossier.objects.filter(pk__in=[d.pk for d in walked.values()], assigned_to__isnull=False).exists()
    rows = {r["officer"].username: r for r in selectors.by_officer(org["division"], august) if r["officer"]}
    assert set(rows) == {"cuong", "dung"}
    assert (rows["cuong"]["done"], rows["dung"]["done"]) == (2, 3)  # Cường appraised X and Z; Dũng every one
    assert rows["dung"]["late"] == 1 and rows["cuong"]["late"] == 0  # Y, appraised by Dũng after its date
    scope = selectors.scope_of(org["division"], "processing")
    cuong = rows["cuong"]["officer_id"]
    behind = selectors.dossiers_behind(scope, "done", august.first, august.last, cuong)
    assert {d.pk for d in behind} == {walked["X"].pk, walked["Z"].pk}
    html = client_for("dung").get(f"/thong-ke/don-vi/{org['division'].code}/?{AUGUST}").content.decode()
    assert "Lê Văn Cường" in html and "Phạm Thị Dung" in html
