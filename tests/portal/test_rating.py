"""One anonymous rating per dossier, by a one-time link sent when the result is returned: the per-dossier
questionnaire of the surveys app, answered from the notice's link or the citizen's dossier page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from motcua.dossiers.choices import Status
from motcua.notifications.models import Message
from motcua.surveys import services
from motcua.surveys.models import Answer, Invitation, Response

from .conftest import to_returned

pytestmark = pytest.mark.django_db

SCORES = {"c_time": "5", "c_visits": "4", "c_attitude": "5", "c_overall": "4", "comment": "Nhanh, chu đáo"}


@pytest.fixture
def returned(people, procedure, templates, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):  # the notices are sent after the commits
        return to_returned(people)


def _token(dossier) -> str:  # type: ignore[no-untyped-def]
    message = Message.objects.filter(key="dossier.result_ready", subject_ref=f"dossier:{dossier.code}").get()
    match = re.search(r"/khao-sat/([A-Za-z0-9_\-]+)", message.body)
    assert match
    return match.group(1)


def test_the_result_notice_carries_a_one_time_link_stored_hashed(returned):
    token = _token(returned)
    invitation = Invitation.objects.get(dossier=returned)
    assert token not in invitation.digest and invitation.digest == services.token_digest(token)
    assert not invitation.used


def test_rating_by_the_link_once_only(returned):
    token = _token(returned)
    client = Client()
    # The link of notices sent before the surveys app leads to the same questionnaire.
    assert client.get(f"/danh-gia/{token}").url == f"/khao-sat/{token}"
    assert client.get(f"/khao-sat/{token}").status_code == 200
    response = client.post(f"/khao-sat/{token}", SCORES)
    assert response.status_code == 200
    rating = Response.objects.get()
    scores = dict(Answer.objects.filter(response=rating).values_list("criterion__code", "value"))
    assert scores == {"time": 5, "visits": 4, "attitude": 5, "overall": 4}
    assert rating.unit.code == "T.SXD" and rating.procedure_code == "1.013236" and rating.month.day == 1
    assert rating.channel == "link" and not rating.disliked
    assert Invitation.objects.get(dossier=returned).used
    second = client.post(f"/khao-sat/{token}", {**SCORES, "c_overall": "1"})
    assert second.status_code == 409
    assert Response.objects.count() == 1


def test_the_api_refuses_a_second_rating(returned):
    token = _token(returned)
    body = {"time": 4, "visits": 5, "attitude": 3, "overall": 4}
    first = Client().post(f"/api/v1/ratings/{token}", body, content_type="application/json")
    assert first.status_code == 201 and first.json() == {"rated": True}
    second = Client().post(f"/api/v1/ratings/{token}", body, content_type="application/json")
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_answered"
    assert Response.objects.count() == 1


def test_the_api_refuses_bad_scores_and_unknown_tokens(returned):
    token = _token(returned)
    bad = Client().post(f"/api/v1/ratings/{token}", {"time": 6, "visits": 5, "attitude": 3, "overall": 4},
                        content_type="application/json")
    assert bad.status_code == 400
    unknown = Client().post("/api/v1/ratings/nope", {"time": 4, "visits": 5, "attitude": 3, "overall": 4},
                            content_type="application/json")
    assert unknown.status_code == 404
    assert Client().get("/khao-sat/nope").status_code == 404


def test_a_rating_cannot_be_traced_to_its_author(returned, people):
    token = _token(returned)
    Client().post(f"/api/v1/ratings/{token}", {"time": 2, "visits": 2, "attitude": 2, "overall": 2,
                                               "comment": "x"}, content_type="application/json")
    rating = Response.objects.get()
    # No column of the answer names a person, a dossier, or a moment finer than the month; the only bridge
    # is the keyed hash that refuses a second answer, which cannot be computed without the server's secret.
    columns = {f.name for f in Response._meta.concrete_fields}
    assert columns == {"id", "questionnaire", "channel", "unit", "desk", "procedure_code", "officer", "month",
                       "campaign", "stratum", "comment", "disliked", "dedupe"}
    values = " ".join(str(getattr(rating, c)) for c in columns)
    assert str(rating.pk) != str(returned.pk) and len(str(rating.pk)) == 36  # a random key, not a sequence
    for clue in (returned.code, returned.reference, people["an"].username, "Nguyễn Văn An"):
        assert clue not in values
    assert rating.dedupe == services.dedupe_key(returned.pk, "link")
    # The dossier's side keeps a flag, no time and no link to the answer.
    invitation_columns = {f.name for f in Invitation._meta.concrete_fields}
    assert invitation_columns == {"id", "dossier", "questionnaire", "campaign", "stratum", "digest", "expires_at",
                                  "used", "reminded"}
    # Nothing the API returns links them either.
    assert "rating" not in Client().get(f"/api/v1/public/dossiers/{returned.code}?verify=5678").content.decode()


def test_the_owner_can_rate_from_the_dossier_page(returned, client_for):
    client = client_for("an")
    page = client.get(f"/cong-dan/ho-so/{returned.code}/").content.decode()
    assert f"/cong-dan/ho-so/{returned.code}/danh-gia/" in page
    assert client.post(f"/cong-dan/ho-so/{returned.code}/danh-gia/", SCORES).status_code == 200
    assert client.post(f"/cong-dan/ho-so/{returned.code}/danh-gia/", SCORES).status_code == 409
    assert Response.objects.count() == 1


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("khanh", 404), ("binh", 404)])
def test_others_cannot_rate_from_a_dossier_page(returned, client_for, who, status):
    client = Client() if who == "anonymous" else client_for(who)
    assert client.post(f"/cong-dan/ho-so/{returned.code}/danh-gia/", SCORES).status_code == status
    assert not Response.objects.exists()


def test_no_invitation_before_the_result_is_returned(people, procedure, templates):
    from .conftest import submit

    dossier = submit(people)
    assert dossier.status == Status.NEW
    assert not Invitation.objects.exists()
