"""766 indicators 5.2, 5.3 (and the PAKN part of 5.4) and Circular 01/2018 indicators 7 and 8 computed from
feedback items built by hand with chosen timestamps; the expected values are worked out below."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from motcua.accounts.models import OrgUnit
from motcua.feedback import deadlines, services
from motcua.feedback.choices import Channel, Finding, Reaction, Status, Topic
from motcua.feedback.models import FeedbackItem
from motcua.stats import evaluation, index766, kpi, pakn
from tests.stats.test_evaluation import walked  # noqa: F401  (the fixture: three dossiers done in August)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
_codes = itertools.count(1)


def t(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def make(agency, received: dt.datetime, status: str = Status.HANDLING, **kw) -> FeedbackItem:  # type: ignore[no-untyped-def]
    """A row as the services would leave it: deadlines from the one clock, from the receipt."""
    dues = deadlines.dues_from(received, agency.code)
    fields = {"reject_due": dues.reject, "forward_due": dues.forward, "info_due": dues.info,
              "answer_due": dues.answer}
    if kw.get("approved_at"):
        fields["publish_due"] = deadlines.publish_due(kw["approved_at"], agency.code)
    fields.update(kw)
    return FeedbackItem.objects.create(code=f"PA-T-{next(_codes):05d}", agency=agency, channel=Channel.WEB,
                                       title="Phản ánh", content="Nội dung", received_at=received,
                                       status=status, secret="x", **fields)


def SXD() -> frozenset[int]:
    """The Department of Construction and its units: the other agency's forwarded original X is not its own."""
    return kpi.subtree_ids(OrgUnit.objects.get(code="T.SXD"))


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TZ).date()


@pytest.fixture
def q1(org):  # type: ignore[no-untyped-def]
    sxd, snn = org["sxd"], org["sxd"].__class__.objects.get(code="T.SNN")
    items = {}
    # A: received Thu 12/02/2026, just before Tết (16-20/02 off). 15 WD: 13/02 (1), 23-27/02 (2-6),
    # 02-06/03 (7-11), 09-12/03 (12-15): answer due at the close of Thu 12/03. Approved 12/03 16:00: on time;
    # publication due 2 WD later (16/03), published 13/03: on time. Satisfied.
    items["A"] = make(sxd, t(2026, 2, 12), Status.PUBLISHED, approved_at=t(2026, 3, 12, 16),
                      published_at=t(2026, 3, 13), reaction=Reaction.SATISFIED, reacted_at=t(2026, 3, 14))
    # B: the same receipt, approved on 13/03, one working day after its 15th: late.
    items["B"] = make(sxd, t(2026, 2, 12), Status.PUBLISHED, approved_at=t(2026, 3, 13, 10),
                      published_at=t(2026, 3, 16))
    # C: received Mon 05/01, rejected Wed 07/01 (2 WD: 06, 07): on time. D: rejected Thu 08/01: late.
    items["C"] = make(sxd, t(2026, 1, 5), Status.REJECTED, rejected_at=t(2026, 1, 7, 10), reason="Không rõ")
    items["D"] = make(sxd, t(2026, 1, 5), Status.REJECTED, rejected_at=t(2026, 1, 8, 10), reason="Không rõ")
    # E: received Mon 02/03, prolonged on 10/03; approved Fri 20/03, within the national 15 WD (to 23/03), and
    # published Mon 23/03, within 2 WD (to 24/03): on time, but prolonged (Circular 01/2018 indicator 8).
    e_due = deadlines.dues_from(t(2026, 3, 2), "T.SXD").answer
    items["E"] = make(sxd, t(2026, 3, 2), Status.PUBLISHED, approved_at=t(2026, 3, 20),
                      published_at=t(2026, 3, 23), extended_at=t(2026, 3, 10),
                      original_answer_due=e_due, answer_due=e_due + dt.timedelta(days=21), extension_reason="Chờ")
    # F: received 05/01, approved 20/01, published 21/01, on time; the sender was not satisfied (25/01) and
    # followed up (G, 26/01).
    items["F"] = make(sxd, t(2026, 1, 5), Status.PUBLISHED, approved_at=t(2026, 1, 20), published_at=t(2026, 1, 21),
                      reaction=Reaction.DISSATISFIED, reacted_at=t(2026, 1, 25))
    # G: the follow-up, received Mon 26/01, never answered: 15 WD end on 23/02 (Tết skipped): late at 31/03.
    items["G"] = make(sxd, t(2026, 1, 26), follow_up_of=items["F"])
    # H: forwarded here by the other agency on Mon 16/03 (its copy X is the other agency's); 15 WD end on 06/04:
    # in progress and on time at 31/03.
    x = make(snn, t(2026, 3, 13), Status.FORWARDED, forwarded_at=t(2026, 3, 16), forwarded_to="Sở Xây dựng")
    items["H"] = make(sxd, t(2026, 3, 16), forwarded_from=x)
    # K: received 10/12/2025, before the period, still being handled in it; 15 WD end on 31/12/2025, approved
    # 06/01/2026: late. In 5.2 (handled in the period), not in 5.3 (not first received in it).
    items["K"] = make(sxd, t(2025, 12, 10), Status.APPROVED, approved_at=t(2026, 1, 6))
    # M: received Mon 23/03, approved 20/04 (late), but in progress at 31/03 and within its 15 WD then:
    # on time for Q1 (766 5.2: judged at the end of the period).
    items["M"] = make(sxd, t(2026, 3, 23), Status.APPROVED, approved_at=t(2026, 4, 20))
    # Left out: L, closed before the period; a spam item; a merged one.
    make(sxd, t(2025, 12, 1), Status.REJECTED, rejected_at=t(2025, 12, 2))
    make(sxd, t(2026, 3, 10), hidden=True)
    make(sxd, t(2026, 3, 10), Status.MERGED, merged_at=t(2026, 3, 11), duplicate_of=items["A"])
    return items


def test_the_deadlines_skip_tet_2026(q1):
    a, g, h = q1["A"], q1["G"], q1["H"]
    assert local_day(a.answer_due) == dt.date(2026, 3, 12)
    assert local_day(a.reject_due) == dt.date(2026, 2, 23)  # 13/02, then 23/02 after Tết and the weekend
    assert local_day(g.answer_due) == dt.date(2026, 2, 23)
    assert local_day(h.answer_due) == dt.date(2026, 4, 6)
    assert local_day(q1["K"].answer_due) == dt.date(2025, 12, 31)


def test_5_2_and_5_3_on_a_hand_made_quarter(q1):
    c = pakn.counts(SXD(), *Q1)
    # 5.2: handled in Q1 = A B C D E F G H K M (10); on time A C E F H M (6); late B D G K.
    assert (c["handled"], c["on_time"], c["late"]) == (10, 6, 4)
    assert c["prolonged"] == 1  # E
    # 5.3: first received in Q1 = A B C D E F M (7; G is a follow-up, H a forwarded copy, K older).
    # Not satisfied: B (overdue), D (rejected late: overdue), F (dissatisfied and followed up: once) = 3.
    assert (c["first_received"], c["overdue"], c["dissatisfied"], c["followed_up"]) == (7, 2, 1, 1)
    assert c["satisfied"] == 4
    index = index766.compute(kpi.Scope(SXD()), *Q1)
    group = next(g for g in index["groups"] if g["id"] == "handling-satisfaction")
    ind = {i["id"]: i for i in group["indicators"]}
    # No target for 5.2 and 5.3: points = rate × 6. 6/10 = 0.6 → 3.6; 4/7 = 0.5714 → 3.43.
    assert (ind["5.2"]["numerator"], ind["5.2"]["denominator"], ind["5.2"]["value"]) == (6, 10, 0.6)
    assert ind["5.2"]["points"] == 3.6
    assert (ind["5.3"]["numerator"], ind["5.3"]["denominator"], ind["5.3"]["value"]) == (4, 7, 0.5714)
    assert ind["5.3"]["points"] == 3.43
    assert "not recorded" not in ind["5.2"]["note"] and "chưa" not in ind["5.3"]["note"]


def test_a_quarter_judges_each_item_at_its_end(q1):
    # M in the second quarter: approved 20/04, after its 15 WD (23/03 + 15 WD = 13/04): late then.
    c = pakn.counts(SXD(), dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    # Handled in Q2: those not closed by 01/04: G and H (open), K and M (approved, never published).
    # G: late. H: 15 WD end 06/04, never answered: late. K: approved 06/01, never published: the 2-WD
    # publication limit (08/01) passed: late. M: approved 20/04 > 13/04: late.
    late = {k for k, i in q1.items() if not pakn.on_time(i, kpi.judged_at(dt.date(2026, 6, 30)))}
    assert {"G", "H", "K", "M"} <= late
    assert (c["handled"], c["on_time"], c["first_received"]) == (4, 0, 0)


def test_the_swapped_saturday_22_08_2026_is_a_working_day(org):
    # Received Thu 20/08/2026: 2 WD are Fri 21 and Sat 22 (worked in exchange for Mon 31/08): a rejection on
    # Mon 24/08 is late, one on Sat 22/08 on time.
    sxd = org["sxd"]
    late = make(sxd, t(2026, 8, 20), Status.REJECTED, rejected_at=t(2026, 8, 24, 9))
    timely = make(sxd, t(2026, 8, 20), Status.REJECTED, rejected_at=t(2026, 8, 22, 10))
    assert local_day(late.reject_due) == dt.date(2026, 8, 22)
    assert not pakn.on_time(late, t(2026, 9, 30)) and pakn.on_time(timely, t(2026, 9, 30))
    # Received Fri 28/08: the 2 WD are Tue 01/09 and Thu 03/09 if 31/08 (swapped) and 02/09 (National Day)
    # are off; the rejection deadline is never Mon 31/08.
    after = make(sxd, t(2026, 8, 28), Status.REJECTED, rejected_at=t(2026, 8, 31, 9))
    assert local_day(after.reject_due) > dt.date(2026, 8, 31)
    c = pakn.counts(None, dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    assert (c["handled"], c["on_time"]) == (3, 2)


def test_5_4_counts_the_dossiers_that_drew_feedback(q1, walked):  # noqa: F811
    aug = (dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    before = {i["id"]: i for g in index766.compute(kpi.Scope(), *aug)["groups"] for i in g["indicators"]}["5.4"]
    agency = q1["A"].agency
    make(agency, t(2026, 8, 20), dossier=walked["X"], topic=Topic.CONDUCT)
    make(agency, t(2026, 8, 21), dossier=walked["X"], topic=Topic.CONDUCT)  # the same dossier, counted once
    after = {i["id"]: i for g in index766.compute(kpi.Scope(), *aug)["groups"] for i in g["indicators"]}["5.4"]
    assert after["pakn"] == 1 and before["pakn"] == 0
    assert after["numerator"] == before["numerator"] - 1 and after["denominator"] == before["denominator"]


@pytest.mark.parametrize(("handled", "on_time", "prolonged", "points"), [
    (0, 0, 0, 2),     # none: 2
    (10, 10, 0, 2),   # 100 % on time, none prolonged: 2
    (10, 9, 0, 1),    # 90 %: 1
    (10, 8, 0, 0),    # 80 %: 0
    (10, 10, 1, 0),   # all on time but one prolonged: 0
    (20, 19, 1, 0),   # 95 % but one prolonged: 0
])
def test_indicator_8_points(handled, on_time, prolonged, points):
    assert pakn.score_8({"handled": handled, "on_time": on_time, "prolonged": prolonged}) == points


def test_indicator_8_in_the_evaluation(q1):
    ind = {i["id"]: i for i in evaluation.evaluate(kpi.Scope(SXD()), *Q1)["indicators"]}["8"]
    # 6 of 10 on time and E prolonged: 0.
    assert (ind["score"], ind["handled"], ind["on_time"], ind["prolonged"]) == (0.0, 10, 6, 1)
    week = {i["id"]: i for i in evaluation.evaluate(kpi.Scope(SXD()), dt.date(2026, 4, 21), dt.date(2026, 4, 30))[
        "indicators"]}["8"]
    # 21-30/04: G, H, K and M still open (K and M approved, not published), all late (above): 0 % on time, 0.
    assert week["score"] == 0.0
    none = {i["id"]: i for i in evaluation.evaluate(kpi.Scope(), dt.date(2025, 1, 1), dt.date(2025, 1, 31))[
        "indicators"]}["8"]
    assert none["score"] == 2.0 and none["handled"] == 0


def test_a_substantiated_complaint_about_an_officer_zeroes_indicator_7(walked, org, people):  # noqa: F811
    def ev():  # type: ignore[no-untyped-def]
        body = evaluation.evaluate(kpi.Scope(), dt.date(2026, 8, 1), dt.date(2026, 8, 31))
        return {i["id"]: i for i in body["indicators"]}["7"], {o["username"]: o for o in body["officers"]}

    ind, officers = ev()
    # Without complaint: X early 2, Y late 1, Z early 2: (2 + 1 + 2) / 3 = 1.67 → 1.7.
    assert ind["score"] == pytest.approx(1.7) and officers["cuong"]["indicators"]["7"] == 2.0
    item = make(org["sxd"], t(2026, 8, 10), Status.PUBLISHED, topic=Topic.CONDUCT, dossier=walked["X"],
                approved_at=t(2026, 8, 12), published_at=t(2026, 8, 12))
    item.officers.add(people["cuong"])
    # Not decided yet, then found unsubstantiated: no change.
    assert ev()[0]["score"] == pytest.approx(1.7)
    # The leader's decision, through the service (Circular 01/2018 Art. 13: "unless found false").
    item = services.decide_finding(item, people["giang"], finding=Finding.UNSUBSTANTIATED, note="Không có căn cứ.")
    assert ev()[0]["score"] == pytest.approx(1.7)
    services.decide_finding(item, people["giang"], finding=Finding.SUBSTANTIATED, note="Đã xác minh, đúng sự thật.")
    ind, officers = ev()
    # X now 0: (0 + 1 + 2) / 3 = 1.0. Cường (X and Z): (0 + 2) / 2 = 1.0. Dung (X, Y, Z) is not named: still
    # (2 + 1 + 2) / 3 = 1.7.
    assert ind["score"] == pytest.approx(1.0)
    assert officers["cuong"]["indicators"]["7"] == pytest.approx(1.0)
    assert officers["dung"]["indicators"]["7"] == pytest.approx(1.7)
    # A finding that names no officer counts against every officer of the dossier.
    item.officers.clear()
    _ind, officers = ev()
    assert officers["dung"]["indicators"]["7"] == pytest.approx(1.0)  # (0 + 1 + 2) / 3



def test_the_ranking_reads_the_same_feedback_counts(q1):
    # compute_many (the ranking) reads the period's items once for every agency: same counts as one by one.
    snn = kpi.subtree_ids(OrgUnit.objects.get(code="T.SNN"))
    many = pakn.counts_many({"sxd": SXD(), "snn": snn}, *Q1)
    assert many["sxd"] == pakn.counts(SXD(), *Q1)
    assert many["snn"] == pakn.counts(snn, *Q1)
    # The other agency's only item, X, forwarded 16/03 within 5 WD of 13/03: 1 of 1 on time.
    assert (many["snn"]["handled"], many["snn"]["on_time"]) == (1, 1)
