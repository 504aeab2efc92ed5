"""Campaigns (SIPAS): the sample size and allocation against the textbook formulas worked out here, a
reproducible stratified draw over the period's finished dossiers, invitations sent with their notices, one
reminder with a fresh link, response rates, closing, and the non-response weights on the index."""

from __future__ import annotations

import datetime as dt
import io
import math

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from motcua.dossiers.choices import Status
from motcua.notifications.models import Message
from motcua.surveys import indices, selectors, services
from motcua.surveys.choices import CampaignStatus
from motcua.surveys.models import Campaign, Invitation, Questionnaire, Response, Stratum, Tally
from motcua.surveys.services import Answers

from . import campaign_helpers as helpers
from .campaign_helpers import TZ, YEAR, finished, tokens, values

# The helpers' fixtures, used here by name.
_channels, sipas, procedures = helpers._channels, helpers.sipas, helpers.procedures

pytestmark = pytest.mark.django_db


# --- arithmetic ------------------------------------------------------------------------------------------------

def _textbook(population: int, margin: float, p: float = 0.5, z: float = 1.96) -> int:
    n0 = z * z * p * (1 - p) / (margin * margin)
    return math.ceil(n0 / (1 + (n0 - 1) / population))


def test_sample_size_is_the_textbook_formula_with_the_finite_population_correction():
    # n0 = 1.96² · 0.25 / 0.05² = 384.16; n = 384.16 / (1 + 383.16 / 1000) = 277.7 → 278.
    assert _textbook(1000, 0.05) == 278
    assert indices.sample_size(1000, 0.05) == 278
    for population, margin, p in [(100, 0.05, 0.5), (5000, 0.03, 0.5), (250, 0.1, 0.8), (20, 0.05, 0.5)]:
        assert indices.sample_size(population, margin, p) == _textbook(population, margin, p, indices.Z95)
    assert indices.sample_size(10, 0.01) == 10  # never more than the population


def test_allocation_is_proportional_to_the_strata():
    assert indices.allocate({"a": 600, "b": 300, "c": 100}, 100) == {"a": 60, "b": 30, "c": 10}
    split = indices.allocate({"a": 50, "b": 30, "c": 20}, 7)  # exact 3.5, 2.1, 1.4: largest remainders
    assert split == {"a": 4, "b": 2, "c": 1} and sum(split.values()) == 7


# --- the draw ------------------------------------------------------------------------------------------------------

@pytest.fixture
def frame(org, procedures):  # type: ignore[no-untyped-def]
    """100 dossiers finished in 2025 at the Department of Construction in four strata (40, 20, 10, 30), and
    dossiers that are not in the frame: finished in 2024, at another agency, still in progress."""
    p1, p2 = procedures["p1"], procedures["p2"]
    made = {"1.013236|online": finished(p1, org["sxd"], "online", 40),
            "1.013236|desk": finished(p1, org["sxd"], "desk", 20),
            "1.009994|online": finished(p2, org["sxd"], "online", 10, status=Status.DONE),
            "1.009994|desk": finished(p2, org["sxd"], "desk", 30, email="", phone="0912345678")}
    finished(p1, org["sxd"], "online", 5, ended=dt.datetime(2024, 12, 31, 23, 0, tzinfo=TZ))
    finished(p1, org["other"], "online", 5)
    finished(p1, org["sxd"], "online", 5, status=Status.IN_PROGRESS)
    return made


def _campaign(people, sipas, org, **extra):  # type: ignore[no-untyped-def]
    options = {"unit": org["sxd"], "margin": 0.2, "expected_response_rate": 0.5, "seed": 2025} | extra
    return services.create_campaign(people["ha"], sipas, "Khảo sát SIPAS 2025", *YEAR, **options)


def test_the_draw_is_stratified_proportional_and_reproducible(frame, people, sipas, org):
    campaign = _campaign(people, sipas, org)
    draw = services.draw_sample(campaign)
    # N = 100; n = ⌈24.01 / (1 + 23.01/100)⌉ = 20 at ±20%, inflated by 1/0.5 to 40; allocated 16, 8, 4, 12.
    assert draw.population == 100
    assert draw.sample_size == 40 == min(100, math.ceil(_textbook(100, 0.2, z=indices.Z95) / 0.5))
    sizes = {key: len(s["drawn"]) for key, s in draw.strata.items()}
    assert sizes == {"1.013236|online": 16, "1.013236|desk": 8, "1.009994|online": 4, "1.009994|desk": 12}
    for key, s in draw.strata.items():
        assert set(s["drawn"]) <= {d.pk for d in frame[key]}  # each stratum drawn from its own dossiers
    assert services.draw_sample(campaign).strata == draw.strata  # the same seed, the same draw
    other = _campaign(people, sipas, org, seed=7)
    assert services.draw_sample(other).strata != draw.strata


def test_the_frame_is_every_agency_without_a_unit_and_unreachable_dossiers_count_but_are_not_drawn(
        frame, people, sipas, org, procedures):
    finished(procedures["p1"], org["sxd"], "post", 4, email="", phone="")
    campaign = _campaign(people, sipas, org, unit=None, expected_response_rate=1)
    draw = services.draw_sample(campaign)
    assert draw.population == 109  # the 100, the 5 of the other agency, the 4 unreachable
    post = draw.strata["1.013236|post"]
    assert post["population"] == 4 and post["drawn"] == []


def test_campaign_bounds_and_who_may_run_one(people, sipas, org):
    with pytest.raises(PermissionDenied):
        services.create_campaign(people["giang"], sipas, "x", *YEAR)
    with pytest.raises(DomainError) as exc:
        services.create_campaign(people["ha"], sipas, "x", YEAR[1], YEAR[0])
    assert exc.value.details["fields"][0]["field"] == "period_to"
    for bad in ({"margin": 0.7}, {"margin": 0.0001}, {"margin": float("nan")}, {"expected_share": 1},
                {"expected_response_rate": 0}, {"seed": -1}):
        with pytest.raises(DomainError) as exc:
            services.create_campaign(people["ha"], sipas, "x", *YEAR, **bad)
        assert exc.value.details["fields"][0]["field"] == next(iter(bad))
    made = services.create_campaign(people["ha"], sipas, "x", *YEAR)
    assert made.status == CampaignStatus.DRAFT and made.seed >= 0  # a random seed, stored


# --- invitations, reminder, rates, closing ------------------------------------------------------------------------

def test_sending_draws_invites_and_notifies_once(frame, people, sipas, org, run):
    campaign = run(services.send_invitations, _campaign(people, sipas, org), people["ha"])
    assert campaign.status == CampaignStatus.SENT and (campaign.population, campaign.sample_size) == (100, 40)
    strata = {s.key: (s.population, s.sample) for s in Stratum.objects.filter(campaign=campaign)}
    assert strata == {"1.013236|online": (40, 16), "1.013236|desk": (20, 8), "1.009994|online": (10, 4),
                      "1.009994|desk": (30, 12)}
    assert Invitation.objects.filter(campaign=campaign).count() == 40
    links = tokens()
    assert len(links) == 40
    sms = Message.objects.filter(key="survey.invitation", plan=["sms"]).count()
    assert sms == 12  # the stratum reached by phone only
    # Only the digest is kept: no token is in the invitations.
    digests = set(Invitation.objects.values_list("digest", flat=True))
    assert all(token not in digests and services.token_digest(token) in digests for token in links.values())
    with pytest.raises(Conflict) as exc:
        services.send_invitations(campaign, people["ha"])
    assert exc.value.code == "campaign_not_draft"


def test_an_invited_citizen_answers_once_and_the_answer_names_the_stratum(frame, people, sipas, org, run):
    campaign = run(services.send_invitations, _campaign(people, sipas, org), people["ha"])
    token = next(iter(tokens().values()))
    response = services.answer_invitation(token, Answers(values(sipas, 5)))
    invitation = Invitation.objects.get(digest=services.token_digest(token))
    assert response.campaign_id == campaign.pk and response.stratum == invitation.stratum
    assert response.channel == "campaign" and invitation.used
    with pytest.raises(Conflict):
        services.answer_invitation(token, Answers(values(sipas, 4)))


def test_a_campaign_waits_for_the_end_of_its_period(frame, people, sipas, org):
    today = timezone.localdate()
    campaign = services.create_campaign(people["ha"], sipas, "Năm nay", today.replace(month=1, day=1), today)
    with pytest.raises(Conflict) as exc:
        services.send_invitations(campaign, people["ha"])
    assert exc.value.code == "period_not_over"
    empty = services.create_campaign(people["ha"], sipas, "2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    with pytest.raises(Conflict) as exc:
        services.send_invitations(empty, people["ha"])
    assert exc.value.code == "empty_frame"


def test_one_reminder_with_a_fresh_link_to_the_unanswered_only(frame, people, sipas, org, run):
    campaign = run(services.send_invitations, _campaign(people, sipas, org), people["ha"])
    first = tokens()
    answered = list(first.values())[:10]
    for token in answered:
        services.answer_invitation(token, Answers(values(sipas, 5)))
    with pytest.raises(Conflict):
        services.remind(Campaign.objects.create(questionnaire=sipas, name="nháp", period_from=YEAR[0],
                                                period_to=YEAR[1], created_by=people["ha"]))
    assert run(services.remind, campaign, people["ha"]) == 30
    again = tokens("survey.reminder")
    assert len(again) == 30 and not set(again.values()) & set(first.values())
    # The reminder's link replaces the first: the old one is no longer valid, the new one works once.
    code = next(iter(again))
    with pytest.raises(NotFound):
        services.answer_invitation(first[code], Answers(values(sipas, 4)))
    services.answer_invitation(again[code], Answers(values(sipas, 4)))
    with pytest.raises(Conflict) as exc:
        services.remind(campaign, people["ha"])
    assert exc.value.code == "already_reminded"
    assert Message.objects.filter(key="survey.reminder").count() == 30


def test_response_rates_per_stratum_and_overall(frame, people, sipas, org, run):
    campaign = run(services.send_invitations, _campaign(people, sipas, org), people["ha"])
    by_stratum = dict(Invitation.objects.filter(campaign=campaign).values_list("digest", "stratum"))
    answered = 0
    for token in tokens().values():
        if by_stratum[services.token_digest(token)] == "1.013236|online" and answered < 4:
            services.answer_invitation(token, Answers(values(sipas, 5)))
            answered += 1
    rates = selectors.campaign_rates(campaign)
    assert (rates["invited"], rates["answered"], rates["rate"]) == (40, 4, 0.1)
    online = next(s for s in rates["strata"] if s["key"] == "1.013236|online")
    assert (online["population"], online["sample"], online["invited"], online["answered"], online["rate"]) == (
        40, 16, 16, 4, 0.25)
    desk = next(s for s in rates["strata"] if s["key"] == "1.013236|desk")
    assert (desk["answered"], desk["rate"]) == (0, 0.0)


def test_closing_stops_the_links_and_keeps_the_answers(frame, people, sipas, org, run):
    campaign = run(services.send_invitations, _campaign(people, sipas, org), people["ha"])
    links = list(tokens().values())
    services.answer_invitation(links[0], Answers(values(sipas, 5)))
    services.close(campaign, people["ha"])
    with pytest.raises(Conflict) as exc:
        services.answer_invitation(links[1], Answers(values(sipas, 5)))
    assert exc.value.code == "link_expired"
    assert Response.objects.filter(campaign=campaign).count() == 1
    with pytest.raises(Conflict):
        services.close(campaign, people["ha"])
    with pytest.raises(Conflict):
        services.remind(campaign, people["ha"])


def test_a_dossier_invited_by_one_campaign_is_not_drawn_by_another(frame, people, sipas, org, run):
    run(services.send_invitations, _campaign(people, sipas, org, margin=0.05, expected_response_rate=1), people["ha"])
    # ±5% of 100 needs 80: the 80 drawn are out of the second campaign's reach, its frame still counts them.
    again = services.draw_sample(_campaign(people, sipas, org, margin=0.05, expected_response_rate=1))
    assert again.population == 100 and again.sample_size == 20


# --- weights ------------------------------------------------------------------------------------------------------

def test_non_response_weights_move_the_index_as_computed_by_hand(frame, people, sipas, org, run, settings):
    settings.MOTCUA_SURVEY_MIN_GROUP = 2
    campaign = run(services.send_invitations, _campaign(people, sipas, org), people["ha"])
    strata = dict(Invitation.objects.filter(campaign=campaign).values_list("digest", "stratum"))
    given = {"1.013236|online": 0, "1.013236|desk": 0}
    for token in tokens().values():
        key = strata[services.token_digest(token)]
        # Online (N 40): 8 of its 16 answer, all "very satisfied"; desk (N 20): 2 of 8 answer, "dissatisfied".
        if key == "1.013236|online" and given[key] < 8:
            services.answer_invitation(token, Answers(values(sipas, 5)))
            given[key] += 1
        elif key == "1.013236|desk" and given[key] < 2:
            services.answer_invitation(token, Answers(values(sipas, 2)))
            given[key] += 1
    plain = selectors.overall(selectors.Scope("sipas", *YEAR))
    weighted = selectors.overall(selectors.Scope("sipas", *YEAR, campaign=campaign))
    # Unweighted: 8 satisfied of 10 = 0.8. Weighted, w = N/r: 40/8 = 5 and 20/2 = 10; the share of every
    # criterion is (5·8) / (5·8 + 10·2) = 40/60 (the strata count as their populations, 40 and 20).
    assert plain["overall"]["index"] == 0.8
    assert weighted["overall"]["index"] == round(40 / 60, 4)
    criterion = weighted["factors"][0]["criteria"][0]
    n_eff = (5 * 8 + 10 * 2) ** 2 / (5 * 5 * 8 + 10 * 10 * 2)
    assert (criterion["low"], criterion["high"]) == tuple(round(x, 4) for x in indices.wilson(40 / 60, n_eff))


# --- the command ---------------------------------------------------------------------------------------------------

def test_the_command_reminds_once_the_reminder_is_due(frame, people, sipas, org, run, settings):
    settings.MOTCUA_SURVEY_REMINDER_DAYS = 7
    campaign = run(services.send_invitations, _campaign(people, sipas, org), people["ha"])
    out = io.StringIO()
    call_command("surveys", "remind", stdout=out)
    assert "Sent 0 survey reminder(s)." in out.getvalue()
    Campaign.objects.filter(pk=campaign.pk).update(sent_at=timezone.now() - dt.timedelta(days=7, minutes=1))
    out = io.StringIO()
    call_command("surveys", "remind", stdout=out)
    assert "Sent 40 survey reminder(s)." in out.getvalue()
    out = io.StringIO()
    call_command("surveys", "remind", stdout=out)  # idempotent: the one reminder was sent
    assert "Sent 0 survey reminder(s)." in out.getvalue()


def test_the_command_seeds_missing_questionnaires_and_retallies(db, org):
    Questionnaire.objects.filter(code="sipas").delete()
    out = io.StringIO()
    call_command("surveys", "seed", stdout=out)
    assert "Created 1 questionnaire(s)." in out.getvalue()
    form = Questionnaire.objects.get(code="sipas")
    assert form.criteria.count() == 19 and form.factors.count() == 5
    call_command("surveys", "seed", stdout=io.StringIO())
    assert Questionnaire.objects.filter(code="sipas").count() == 1
    services.record(form, Answers(values(form, 5)), services.Where(unit=org["sxd"], month=YEAR[0]), "paper")
    before = sorted(Tally.objects.values_list("key", "answered", "satisfied"))
    Tally.objects.all().delete()
    out = io.StringIO()
    call_command("surveys", "retally", stdout=out)
    assert "Tallies rebuilt" in out.getvalue()
    assert sorted(Tally.objects.values_list("key", "answered", "satisfied")) == before
