"""The indices on hand-made answer sets, with the expected values and intervals worked out here; the writes
that feed them (one answer per dossier and channel, checks, paper double entry, frozen questionnaires)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import Conflict, DomainError
from motcua.surveys import indices, selectors, services
from motcua.surveys.models import (
    Answer,
    Campaign,
    Criterion,
    Factor,
    PaperSheet,
    Questionnaire,
    Response,
    Stratum,
    Tally,
)
from motcua.surveys.services import Answers, Where

pytestmark = pytest.mark.django_db

JAN = dt.date(2026, 1, 1)
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
NA = None


@pytest.fixture
def form(db):  # type: ignore[no-untyped-def]
    """Two factors: F1 with criteria a (about the officer) and b, F2 with c; b has no "not applicable"."""
    q = Questionnaire.objects.create(code="t", version=1, title="Thử", valid_from=dt.date(2025, 1, 1),
                                     scale_labels=[{"vi": str(i)} for i in range(1, 6)])
    f1 = Factor.objects.create(questionnaire=q, position=1, code="F1", name="Một")
    f2 = Factor.objects.create(questionnaire=q, position=2, code="F2", name="Hai")
    Criterion.objects.create(factor=f1, position=1, code="a", text="A", about_officer=True)
    Criterion.objects.create(factor=f1, position=2, code="b", text="B", allows_na=False)
    Criterion.objects.create(factor=f2, position=1, code="c", text="C", overall=True)
    return q


def _answer(form, unit, a, b, c, *, month=JAN, channel="link", **where):  # type: ignore[no-untyped-def]
    return services.record(form, Answers({"a": a, "b": b, "c": c}), Where(unit=unit, month=month, **where), channel)


def _criterion(group, code):  # type: ignore[no-untyped-def]
    return next(c for f in group["factors"] for c in f["criteria"] if c["code"] == code)


def _factor(group, code):  # type: ignore[no-untyped-def]
    return next(f for f in group["factors"] if f["code"] == code)


def test_indices_of_a_hand_made_set(form, org):
    rows = [(5, 5, 1), (4, 5, 2), (3, 5, 3), (2, 4, 4), (4, 1, 5), (NA, 1, 5)]
    for a, b, c in rows:
        _answer(form, org["sxd"], a, b, c)
    group = selectors.overall(selectors.Scope("t", *YEAR))
    a, b, c = (_criterion(group, k) for k in "abc")
    # a: 5 answered (one not applicable), 3 at 4 or 5; b: 4 of 6; c: 3 of 6.
    assert (a["n"], a["na"], a["index"]) == (5, 1, 0.6)
    assert (b["n"], b["index"]) == (6, round(4 / 6, 4))
    assert (c["n"], c["index"]) == (6, 0.5)
    assert (a["low"], a["high"]) == tuple(round(x, 4) for x in indices.wilson(0.6, 5))
    assert a["mean_score"] == round((5 + 4 + 3 + 2 + 4) / 5, 3)
    # Factor = mean of its criteria; overall = mean of the factors; intervals on the 6 responses.
    f1, f2 = _factor(group, "F1"), _factor(group, "F2")
    assert f1["index"] == round((0.6 + 4 / 6) / 2, 4) and f2["index"] == 0.5
    overall = ((0.6 + 4 / 6) / 2 + 0.5) / 2
    assert group["overall"]["index"] == round(overall, 4)
    assert (group["overall"]["low"], group["overall"]["high"]) == tuple(round(x, 4) for x in indices.wilson(overall, 6))
    assert group["overall"]["ten_point"] == round(overall * 10, 2)
    assert group["score"] == round(overall * 25, 2) and group["responses"] == 6


def test_a_criterion_under_the_minimum_is_suppressed_and_left_out_of_its_factor(form, org):
    for a, b, c in [(5, 5, 5), (NA, 4, 4), (NA, 3, 4), (5, 2, 5), (4, 5, 1)]:
        _answer(form, org["sxd"], a, b, c)
    group = selectors.overall(selectors.Scope("t", *YEAR))
    a = _criterion(group, "a")
    assert a["suppressed"] and a["index"] is None and a["low"] is None and a["n"] == 3
    # F1 is b alone: 3 of 5.
    assert _factor(group, "F1")["index"] == 0.6


def test_groups_under_the_minimum_are_withheld_whole(form, org):
    for _ in range(5):
        _answer(form, org["sxd"], 5, 5, 5)
    for _ in range(4):
        _answer(form, org["other"], 1, 1, 1)
    result = selectors.results(selectors.Scope("t", *YEAR), by="unit")
    by_unit = {g["key"]: g for g in result["groups"]}
    shown, hidden = by_unit[str(org["sxd"].pk)], by_unit[str(org["other"].pk)]
    assert shown["responses"] == 5 and shown["overall"]["index"] == 1.0
    assert hidden["suppressed"] and hidden["responses"] is None and hidden["overall"]["n"] is None
    assert hidden["factors"] == [] and "1.0" not in str(hidden) and "0.0" not in str(hidden)
    # Together they are 9: the province's figure includes the small agency's answers.
    assert selectors.overall(selectors.Scope("t", *YEAR))["overall"]["index"] == round(5 / 9, 4)


def test_non_response_weights_in_a_campaign(form, org, people):
    campaign = Campaign.objects.create(questionnaire=form, name="2026", period_from=JAN, period_to=YEAR[1],
                                       created_by=people["ha"])
    Stratum.objects.create(campaign=campaign, key="p1|online", procedure_code="p1", dossier_channel="online",
                           population=100, sample=10)
    Stratum.objects.create(campaign=campaign, key="p2|desk", procedure_code="p2", dossier_channel="desk",
                           population=300, sample=20)
    # p1: 5 answers, all satisfied on c; p2: 10 answers, 5 satisfied.
    for _ in range(5):
        _answer(form, org["sxd"], 5, 5, 5, channel="campaign", campaign_id=campaign.pk, stratum="p1|online")
    for i in range(10):
        _answer(form, org["sxd"], 5, 5, 5 if i < 5 else 1, channel="campaign", campaign_id=campaign.pk,
                stratum="p2|desk")
    weighted = selectors.overall(selectors.Scope("t", *YEAR, campaign=campaign))
    # w = N/r: 100/5 = 20 and 300/10 = 30; share = (20·5 + 30·5) / (20·5 + 30·10) = 0.625 (unweighted 10/15).
    c = _criterion(weighted, "c")
    assert c["index"] == 0.625
    n_eff = (20 * 5 + 30 * 10) ** 2 / (20 * 20 * 5 + 30 * 30 * 10)
    assert (c["low"], c["high"]) == tuple(round(x, 4) for x in indices.wilson(0.625, n_eff))
    plain = selectors.overall(selectors.Scope("t", *YEAR))
    assert _criterion(plain, "c")["index"] == round(10 / 15, 4)


def test_groupings_read_from_tallies_and_raw_answers_agree(form, org, people):
    for a, b, c in [(5, 5, 1), (4, 5, 2), (3, 5, 3), (2, 4, 4), (4, 1, 5), (5, 2, 4)]:
        _answer(form, org["sxd"], a, b, c, procedure_code="1.013236", desk="Q1", officer=people["binh"])
    from_tallies = selectors.results(selectors.Scope("t", *YEAR), by="unit")["groups"][0]
    by_procedure = selectors.results(selectors.Scope("t", *YEAR), by="procedure")["groups"][0]
    assert by_procedure["label"].startswith("1.013236")
    for code in "abc":
        assert _criterion(from_tallies, code) == _criterion(by_procedure, code)
    by_officer = selectors.results(selectors.Scope("t", *YEAR), by="officer")["groups"][0]
    # Per officer: only the criteria about the officer.
    assert [c["code"] for f in by_officer["factors"] for c in f["criteria"]] == ["a"]
    assert by_officer["label"] == "Trần Thị Bình"


def test_trend_by_month_and_quarter(form, org):
    for month in (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 4, 1)):
        for _ in range(5):
            _answer(form, org["sxd"], 5, 5, 5, month=month)
    months = selectors.results(selectors.Scope("t", *YEAR), by="month")
    assert [g["label"] for g in months["groups"]] == ["01/2026", "02/2026", "04/2026"]
    quarters = selectors.results(selectors.Scope("t", *YEAR), by="quarter")
    assert [g["responses"] for g in quarters["groups"]] == [10, 5]


def test_retally_rebuilds_the_same_tallies(form, org):
    for a, b, c in [(5, 5, 1), (NA, 4, 2), (3, 1, NA)]:
        _answer(form, org["sxd"], a, b, c)
    before = sorted(Tally.objects.values_list("key", "answered", "satisfied", "na", "score_sum", "disliked"))
    Tally.objects.all().update(answered=0)
    services.retally(form)
    after = sorted(Tally.objects.values_list("key", "answered", "satisfied", "na", "score_sum", "disliked"))
    assert before == after and len(before) == 4  # three criteria and the responses' row


def test_dislikes_and_the_department_score(form, org):
    for c in (1, 2, 3, 4, 5):
        _answer(form, org["sxd"], 5, 5, c)
    counts = selectors.dislike_counts(*YEAR)
    assert counts[org["sxd"].pk] == (5, 2)  # the overall question c scored 1 or 2
    score = selectors.department_score(None, *YEAR, code="t")
    assert score["score"] == round(score["index"] * 25, 2) and score["points"] == 25


def test_one_answer_per_dossier_and_channel(form, org):
    where = Where(unit=org["sxd"], month=JAN)
    services.record(form, Answers({"a": 5, "b": 5, "c": 5}), where, "link", dossier_id=42)
    with pytest.raises(Conflict):
        services.record(form, Answers({"a": 1, "b": 1, "c": 1}), where, "link", dossier_id=42)
    services.record(form, Answers({"a": 1, "b": 1, "c": 1}), where, "qr", dossier_id=42)
    assert Response.objects.count() == 2
    assert sorted(Tally.objects.filter(criterion__code="c").values_list("channel", "answered")) == [
        ("link", 1), ("qr", 1)]


@pytest.mark.parametrize(("values", "field"), [
    ({"a": 5, "b": 5}, "c"), ({"a": 5, "b": None, "c": 5}, "b"), ({"a": 6, "b": 5, "c": 5}, "a"),
    ({"a": True, "b": 5, "c": 5}, "a"), ({"a": 5, "b": 5, "c": 5, "z": 1}, "z"), ({"a": None, "b": 0, "c": None}, "b")])
def test_bad_answers_are_refused_and_change_nothing(form, org, values, field):
    with pytest.raises(DomainError) as caught:
        services.record(form, Answers(values), Where(unit=org["sxd"], month=JAN), "link")
    assert caught.value.details["fields"][0]["field"] == field
    assert not Response.objects.exists() and not Answer.objects.exists() and not Tally.objects.exists()


def test_comments_are_masked_when_stored(form, org):
    services.record(form, Answers({"a": 5, "b": 5, "c": 5}, comment="Gọi tôi 0912345678, ông Trần Văn Nam"),
                    Where(unit=org["sxd"], month=JAN), "link")
    stored = Response.objects.get().comment
    assert "0912345678" not in stored and "Trần Văn Nam" not in stored and "***" in stored
    assert selectors.comments(None, *YEAR, code="t")[0]["comment"] == stored


def test_paper_counts_when_two_people_enter_it_alike(form, org, people):
    where = Where(unit=org["sxd"], month=JAN, desk="Q1")
    first = services.enter_sheet(people["binh"], form, "P-001", Answers({"a": 5, "b": 4, "c": 3}), where)
    assert not first.accepted and first.sheet.status == "pending" and not Response.objects.exists()
    with pytest.raises(Conflict):
        services.enter_sheet(people["binh"], form, "P-001", Answers({"a": 5, "b": 4, "c": 3}), where)
    differ = services.enter_sheet(people["giang"], form, "P-001", Answers({"a": 5, "b": 4, "c": 2}), where)
    assert not differ.accepted and differ.differences == ["c"] and differ.sheet.status == "conflict"
    third = services.enter_sheet(people["dung"], form, "P-001", Answers({"a": 5, "b": 4, "c": 3}), where)
    assert third.accepted and PaperSheet.objects.get().status == "accepted"
    response = Response.objects.get()
    assert response.channel == "paper" and response.desk == "Q1"
    with pytest.raises(Conflict):
        services.enter_sheet(people["thanh"], form, "P-001", Answers({"a": 5, "b": 4, "c": 3}), where)


def test_a_questionnaire_with_answers_is_frozen_and_versioned(form, org):
    services.check_editable(form)
    _answer(form, org["sxd"], 5, 5, 5)
    with pytest.raises(Conflict):
        services.check_editable(form)
    copy = services.new_version(form, dt.date(2026, 7, 1))
    form.refresh_from_db()
    assert copy.version == 2 and form.valid_to == dt.date(2026, 6, 30)
    assert list(copy.criteria.values_list("code", flat=True)) == ["a", "b", "c"]
    assert services.current("t", dt.date(2026, 3, 1)) == form and services.current("t", dt.date(2026, 8, 1)) == copy
    # Answers to both versions are read together by criterion code.
    for _ in range(4):
        _answer(copy, org["sxd"], 1, 1, 1, month=dt.date(2026, 8, 1))
    group = selectors.overall(selectors.Scope("t", *YEAR))
    assert group["responses"] == 5 and _criterion(group, "a")["index"] == 0.2


def test_the_seeded_questionnaires():
    sipas = Questionnaire.objects.get(code="sipas", version=1)
    assert sipas.factors.count() == 5 and sipas.criteria.count() == 19
    assert [f.criteria.count() for f in sipas.factors.all()] == [4, 4, 5, 3, 3]
    assert sipas.criteria.filter(about_officer=True).count() == 5
    assert sipas.label(1) == "Rất không hài lòng" and sipas.label(5, "en") == "Very satisfied"
    dossier = services.per_dossier_form()
    assert dossier.per_dossier and list(dossier.criteria.values_list("code", flat=True)) == [
        "time", "visits", "attitude", "overall"]
