"""Who reads and reviews the integrity flags, on the pages and the API, and that no flag, evidence or summary
carries the applicant's personal data (issue 22): every view and endpoint as anonymous, as a user without the right
and as one with it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts import services as accounts
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.insight.models import Flag, FlagState

from .conftest import PERSONAL

API = "/api/v1/insight/flags"


def _pages(flag: Flag) -> list[str]:
    return [reverse("insight:flags"), reverse("insight:flag", args=[flag.pk]), reverse("insight:summaries")]


def _apis(flag: Flag) -> list[str]:
    return [API, f"{API}/{flag.pk}", f"{API}/summary?by=officer", f"{API}/summary", f"{API}/honest-rate"]


def _no_personal_data(body: str) -> None:
    for value in PERSONAL:
        assert value not in body


@pytest.fixture
def other_leader(org):  # type: ignore[no-untyped-def]
    user = User.objects.create_user(username="lam", password="mat-khau-dai-1", full_name="Lâm Văn Lâm",
                                    unit=org["other"])
    accounts.assign_role(user, Role.AGENCY_LEADER, org["other"])
    return user


def test_anonymous_is_sent_to_sign_in_and_the_api_refuses(backdated):  # type: ignore[no-untyped-def]
    _, flag = backdated
    client = Client()
    for url in _pages(flag):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    for url in _apis(flag):
        assert client.get(url).status_code == 401
    assert client.post(f"{API}/{flag.pk}/review", {"decision": "dismissed", "reason": "x"},
                       content_type="application/json").status_code == 401


@pytest.mark.parametrize("username", ["cuong", "dung", "binh", "an"])
def test_those_without_an_agency_s_statistics_are_refused(backdated, client_for, token_for,  # type: ignore[no-untyped-def]
                                                          username):
    _, flag = backdated
    client = client_for(username)
    for url in _pages(flag):
        assert client.get(url).status_code == 403
    auth = {"HTTP_AUTHORIZATION": token_for(username)}
    for url in _apis(flag):
        response = Client().get(url, **auth)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("username", ["thanh", "giang", "ha"])
def test_readers_see_the_flag_and_its_evidence_without_personal_data(backdated, client_for, token_for,  # type: ignore[no-untyped-def]
                                                                     username):
    dossier, flag = backdated
    client = client_for(username)
    for url in _pages(flag):
        response = client.get(url)
        assert response.status_code == 200
        _no_personal_data(response.content.decode())
    page = client.get(reverse("insight:flag", args=[flag.pk])).content.decode()
    assert dossier.code in page and f"#{flag.evidence['events'][0]['id']}" in page
    auth = {"HTTP_AUTHORIZATION": token_for(username)}
    for url in _apis(flag):
        response = Client().get(url, **auth)
        assert response.status_code == 200, url
        _no_personal_data(response.content.decode())
    detail = Client().get(f"{API}/{flag.pk}", **auth).json()
    assert detail["rule"] == "backdating" and detail["dossier"] == dossier.code
    assert [e["id"] for e in detail["events"]] == [flag.evidence["events"][0]["id"]]


def test_the_dossier_is_linked_only_for_those_who_may_open_it(backdated, client_for):  # type: ignore[no-untyped-def]
    dossier, flag = backdated
    link = reverse("dossiers:detail", args=[dossier.code])
    # The inspector reads every dossier; the administrator reads the flags but no dossier.
    assert link in client_for("thanh").get(reverse("insight:flag", args=[flag.pk])).content.decode()
    assert link not in client_for("ha").get(reverse("insight:flag", args=[flag.pk])).content.decode()


def test_another_agency_s_leader_does_not_see_the_flag(backdated, other_leader, token_for):  # type: ignore[no-untyped-def]
    _, flag = backdated
    client = Client()
    client.force_login(other_leader)
    assert client.get(reverse("insight:flag", args=[flag.pk])).status_code == 404
    listing = client.get(reverse("insight:flags"))
    assert listing.status_code == 200 and reverse("insight:flag", args=[flag.pk]) not in listing.content.decode()
    _, clear = accounts.create_token(other_leader, "test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
    assert Client().get(f"{API}/{flag.pk}", **auth).status_code == 404
    assert Client().get(API, **auth).json()["count"] == 0


def test_a_leader_reads_but_does_not_review(backdated, client_for, token_for):  # type: ignore[no-untyped-def]
    _, flag = backdated
    response = client_for("giang").post(reverse("insight:flag", args=[flag.pk]),
                                        {"decision": "dismissed", "reason": "Không có gì"})
    assert response.status_code == 403
    api = Client().post(f"{API}/{flag.pk}/review", {"decision": "dismissed", "reason": "Không có gì"},
                        content_type="application/json", HTTP_AUTHORIZATION=token_for("giang"))
    assert api.status_code == 403
    flag.refresh_from_db()
    assert flag.state == FlagState.OPEN


def test_the_inspector_reviews_with_a_required_reason(backdated, client_for):  # type: ignore[no-untyped-def]
    _, flag = backdated
    client = client_for("thanh")
    url = reverse("insight:flag", args=[flag.pk])
    response = client.post(url, {"decision": "accepted", "reason": "  "})
    assert response.status_code == 400
    flag.refresh_from_db()
    assert flag.state == FlagState.OPEN
    response = client.post(url, {"decision": "accepted", "reason": "Nhập hồ sơ lùi ngày, đã xác minh"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.state == FlagState.ACCEPTED and flag.reviewed_by.username == "thanh"
    assert flag.review_reason == "Nhập hồ sơ lùi ngày, đã xác minh"
    assert "Nhập hồ sơ lùi ngày" in client.get(url).content.decode()


def test_the_api_review_refuses_bad_input_and_a_second_decision(backdated, token_for):  # type: ignore[no-untyped-def]
    _, flag = backdated
    auth = {"HTTP_AUTHORIZATION": token_for("thanh"), "content_type": "application/json"}
    bad = Client().post(f"{API}/{flag.pk}/review", {"decision": "maybe", "reason": "x"}, **auth)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_input"
    empty = Client().post(f"{API}/{flag.pk}/review", {"decision": "dismissed", "reason": ""}, **auth)
    assert empty.status_code == 400
    flag.refresh_from_db()
    assert flag.state == FlagState.OPEN
    ok = Client().post(f"{API}/{flag.pk}/review", {"decision": "dismissed", "reason": "Lỗi nhập liệu"}, **auth)
    assert ok.status_code == 200 and ok.json()["state"] == "dismissed"
    again = Client().post(f"{API}/{flag.pk}/review", {"decision": "accepted", "reason": "Xét lại"}, **auth)
    assert again.status_code == 409
    assert Client().post(f"{API}/999999/review", {"decision": "accepted", "reason": "x"}, **auth).status_code == 404


def test_the_api_refuses_a_bad_filter(backdated, token_for):  # type: ignore[no-untyped-def]
    auth = {"HTTP_AUTHORIZATION": token_for("thanh")}
    for query in ("?rule=nope", "?state=gone", "?severity=9", "?limit=0"):
        response = Client().get(API + query, **auth)
        assert response.status_code == 400, query
    assert Client().get(f"{API}/summary?by=nobody", **auth).status_code == 400
    assert Client().get(f"{API}/honest-rate?from=2025-02-30", **auth).status_code == 400
    assert Client().get(f"{API}/honest-rate?from=2025-03-01&to=2025-01-01", **auth).status_code == 400


def test_the_queue_filters(backdated, client_for):  # type: ignore[no-untyped-def]
    _, flag = backdated
    client = client_for("thanh")
    link = reverse("insight:flag", args=[flag.pk])
    page = client.get(reverse("insight:flags") + "?rule=backdating").content.decode()
    assert link in page
    open_ = Flag.objects.filter(state=FlagState.OPEN).count()
    assert open_ == 2 and f"{open_} chờ xem xét, 0 đã xác nhận, 0 đã bác bỏ" in page
    assert link not in client.get(reverse("insight:flags") + "?rule=burst").content.decode()
    assert link not in client.get(reverse("insight:flags") + "?state=dismissed").content.decode()
    assert client.get(reverse("insight:flags") + "?rule=nope").status_code == 400
