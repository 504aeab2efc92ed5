"""The staff evaluation from reform results: the rows computed on dossiers walked through their steps by real
officers (the August 2026 dossiers of tests/stats/test_evaluation: X and Z early, Y late), the suggestion and
its setting, the leader's decision, the pages as each persona, and the export."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation

from motcua.accounts.models import OrgUnit
from motcua.core.errors import DomainError, PermissionDenied
from motcua.dossiers import actions
from motcua.dossiers.choices import Outcome
from motcua.dossiers.services import MissingItem
from motcua.dossiers.workflow import services as wf
from motcua.dossiers.workflow.models import Apology
from motcua.feedback import services as feedback
from motcua.feedback.choices import Finding, Status, Topic
from motcua.scorecards.choices import StaffLevel
from motcua.scorecards.models import StaffDecision
from motcua.scorecards.selectors import staff as selectors
from motcua.scorecards.services import staff as staff_services
from motcua.surveys import services as surveys
from tests.dossiers.workflow_helpers import in_progress, received, t
from tests.stats.test_evaluation import walked  # noqa: F401  (the fixture: X, Y, Z done in August 2026)
from tests.stats.test_pakn_indicators import make

pytestmark = pytest.mark.django_db


def vi(level: str) -> str:
    """The level's label as the pages show it (in Vietnamese)."""
    with translation.override("vi"):
        return str(StaffLevel(level).label)

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
STAFF = reverse("scorecards:staff")
XLSX = reverse("scorecards:staff_xlsx")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"
    settings.MOTCUA_SURVEY_MIN_GROUP = 5


def rows(org, first=YEAR[0], last=YEAR[1]):  # type: ignore[no-untyped-def]
    return {r["username"]: r for r in selectors.officer_rows(org["sxd"], first, last)}


def rate(officer, attitude: int, times: int) -> None:  # type: ignore[no-untyped-def]
    """``times`` answers to the per-dossier questionnaire about ``officer`` (August 2026, Sở Xây dựng)."""
    for _i in range(times):
        surveys.record(surveys.per_dossier_form(), surveys.Answers({"time": 5, "visits": 5, "attitude": attitude,
                                                                    "overall": 5}),
                       surveys.Where(OrgUnit.objects.get(code="T.SXD"), dt.date(2026, 8, 1), officer=officer),
                       "link")


def test_rows_per_officer_of_the_agency(walked, org, people):  # noqa: F811
    r = rows(org)
    # Every officer who held a step of X, Y or Z; Khánh (another agency) is not one of them.
    assert set(r) == {"binh", "cuong", "dung", "giang"}
    cuong, dung = r["cuong"], r["dung"]
    assert (cuong["dossiers"], cuong["score"], cuong["band_code"], cuong["late"]) == (2, 8.0, "full", 0)
    assert cuong["band"] == "Hoàn thành toàn bộ nhiệm vụ"
    assert (cuong["supplements"], cuong["complaints"]) == (0, 0)
    assert cuong["satisfaction"] == {"index": None, "responses": None, "too_few": False, "minimum": 5}
    # All duties, no late dossier, no survey data: "good".
    assert cuong["suggested"] == StaffLevel.GOOD
    # Dung appraised Y late: all duties (6.0) but a late dossier, with no reason recorded: "completed".
    assert (dung["dossiers"], dung["score"], dung["band_code"]) == (3, pytest.approx(6.0), "full")
    assert dung["late_list"] == [(walked["Y"].code, "")] and dung["late"] == 1
    assert dung["suggested"] == StaffLevel.COMPLETED
    # The quarter holds the same dossiers; the second quarter none.
    assert rows(org, dt.date(2026, 7, 1), dt.date(2026, 9, 30))["cuong"]["score"] == 8.0
    assert rows(org, *selectors.quarter_range(2026, 2)) == {}
    assert selectors.officer_rows(org["other"], *YEAR) == []


def test_the_reason_of_a_late_dossier_is_its_apology(walked, org):  # noqa: F811
    y = walked["Y"]
    Apology.objects.create(dossier=y, reason="Chờ ý kiến của Sở Nông nghiệp và Môi trường",
                           original_due_at=t(2026, 8, 17, 9), new_due_at=t(2026, 8, 20, 9))
    assert rows(org)["dung"]["late_list"] == [(y.code, "Chờ ý kiến của Sở Nông nghiệp và Môi trường")]


def test_supplement_requests_made_by_the_officer(walked, org, people):  # noqa: F811
    missing = [MissingItem("Bản vẽ thiết kế", "Thiếu chữ ký")]
    received(people, t(2026, 8, 20, 9), outcome=Outcome.SUPPLEMENT, missing=missing)
    received(people, t(2026, 10, 5, 9), outcome=Outcome.SUPPLEMENT, missing=missing)
    r = rows(org)
    # Bình asked twice in 2026, once in the third quarter; Cường asked for none.
    assert (r["binh"]["supplements"], r["cuong"]["supplements"]) == (2, 0)
    assert rows(org, *selectors.quarter_range(2026, 3))["binh"]["supplements"] == 1


def test_a_supplement_during_processing_is_the_drafters(walked, org, people):  # noqa: F811
    """Drafted by Cường, approved by Dung, signed (and so sent) by Giang: Cường asked for it."""
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    body = {"missing": [{"document": "Bản vẽ thiết kế", "reason": "Thiếu mặt cắt"}], "reason": "Bổ sung bản vẽ"}
    with time_machine.travel(t(2026, 8, 4, 9, 0), tick=False):
        actions.perform(people["cuong"], d, "request-supplement", body)
        actions.perform(people["dung"], d, "approve-supplement", {})
        actions.perform(people["giang"], d, "sign-supplement", {"note": ""})
    r = rows(org)
    assert (r["cuong"]["supplements"], r["dung"]["supplements"], r["giang"]["supplements"]) == (1, 0, 0)


def test_a_substantiated_complaint_withholds_good(walked, org, people):  # noqa: F811
    item = make(org["sxd"], t(2026, 8, 10), Status.PUBLISHED, topic=Topic.CONDUCT, dossier=walked["X"],
                approved_at=t(2026, 8, 12), published_at=t(2026, 8, 12))
    item.officers.add(people["cuong"])
    assert rows(org)["cuong"]["complaints"] == 0  # not decided yet
    feedback.decide_finding(item, people["giang"], finding=Finding.SUBSTANTIATED, note="Đã xác minh.")
    r = rows(org)
    assert r["cuong"]["complaints"] == 1 and r["cuong"]["suggested"] == StaffLevel.COMPLETED
    assert r["dung"]["complaints"] == 0  # the complaint names Cường only


def test_satisfaction_about_the_officer_and_the_minimum_group(walked, org, people):  # noqa: F811
    rate(people["cuong"], 5, 5)
    rate(people["dung"], 5, 4)
    r = rows(org)
    assert r["cuong"]["satisfaction"]["index"] == 1.0 and r["cuong"]["satisfaction"]["responses"] == 5
    # Four answers, under the minimum of five: neither the index nor the number.
    assert r["dung"]["satisfaction"] == {"index": None, "responses": None, "too_few": True, "minimum": 5}
    assert r["cuong"]["suggested"] == StaffLevel.GOOD


def test_low_satisfaction_about_the_officer_is_not_good(walked, org, people):  # noqa: F811
    rate(people["cuong"], 1, 5)
    cuong = rows(org)["cuong"]
    assert cuong["satisfaction"]["index"] == 0.0 and cuong["suggested"] == StaffLevel.COMPLETED


# --- the mapping -------------------------------------------------------------------------------------------


def row(**kw):  # type: ignore[no-untyped-def]
    base = {"score": 8.0, "band_code": "full", "late": 0, "complaints": 0,
            "satisfaction": {"index": None, "responses": None, "too_few": False}}
    return {**base, **kw}


def test_the_default_mapping():
    assert selectors.suggest(row(score=None, band_code="")) == ""
    assert selectors.suggest(row(score=3.0, band_code="under_70")) == StaffLevel.NOT_COMPLETED
    assert selectors.suggest(row(complaints=1)) == StaffLevel.COMPLETED  # a complaint withholds "good"
    assert selectors.suggest(row(score=4.0, band_code="70_to_100")) == StaffLevel.COMPLETED
    assert selectors.suggest(row()) == StaffLevel.GOOD
    assert selectors.suggest(row(satisfaction={"index": 0.9})) == StaffLevel.GOOD
    assert selectors.suggest(row(satisfaction={"index": 0.89})) == StaffLevel.COMPLETED
    assert selectors.suggest(row(late=1)) == StaffLevel.COMPLETED
    # Never "excellent" from the data alone.
    assert StaffLevel.EXCELLENT not in {r["level"] for r in selectors.mapping()}


def test_the_bands_are_those_of_the_evaluation():
    assert [selectors.band_code(s) for s in (5.0, 4.9, 3.5, 3.4, 0.0, None)] == [
        "full", "70_to_100", "70_to_100", "under_70", "under_70", ""]


def test_the_mapping_is_a_setting(settings):
    settings.MOTCUA_SCORECARD_STAFF_MAPPING = [{"if": {"band": ["full"], "late_max": 2}, "level": "excellent"},
                                               {"if": {}, "level": "completed"}]
    assert selectors.suggest(row(late=2)) == StaffLevel.EXCELLENT
    assert selectors.suggest(row(late=3)) == StaffLevel.COMPLETED
    # A province that weighs complaints more says so.
    settings.MOTCUA_SCORECARD_STAFF_MAPPING = [{"if": {"complaints_min": 2}, "level": "not_completed"},
                                               {"if": {"complaints_max": 1}, "level": "completed"}]
    assert selectors.suggest(row(complaints=2)) == StaffLevel.NOT_COMPLETED
    assert selectors.suggest(row(complaints=1)) == StaffLevel.COMPLETED
    settings.MOTCUA_SCORECARD_STAFF_MAPPING = []
    assert selectors.suggest(row()) == ""
    settings.MOTCUA_SCORECARD_STAFF_MAPPING = [{"if": {"bands": ["full"]}, "level": "good"}]
    with pytest.raises(ImproperlyConfigured):
        selectors.suggest(row())
    settings.MOTCUA_SCORECARD_STAFF_MAPPING = [{"if": {}, "level": "outstanding"}]
    with pytest.raises(ImproperlyConfigured):
        selectors.suggest(row())


# --- the decision ------------------------------------------------------------------------------------------


def test_the_leader_decides_with_a_note_when_differing(walked, org, people):  # noqa: F811
    giang, cuong = people["giang"], people["cuong"]
    d = staff_services.decide(cuong, org["sxd"], 2026, StaffLevel.GOOD, "", giang)
    assert (d.suggested, d.decided, d.note, d.decided_by) == ("good", "good", "", giang)
    with pytest.raises(DomainError) as exc:
        staff_services.decide(cuong, org["sxd"], 2026, StaffLevel.EXCELLENT, "  ", giang)
    assert exc.value.code == "note_required"
    d = staff_services.decide(cuong, org["sxd"], 2026, StaffLevel.EXCELLENT, "Sáng kiến cải cách được công nhận.",
                              giang)
    # One decision per officer and year, updated; its versions kept by auditlog.
    assert StaffDecision.objects.filter(officer=cuong, year=2026).count() == 1
    assert (d.suggested, d.decided) == ("good", "excellent")
    assert LogEntry.objects.get_for_object(d).count() == 2
    # No suggestion (no dossier that year): a note is needed whatever the level.
    with pytest.raises(DomainError):
        staff_services.decide(cuong, org["sxd"], 2025, StaffLevel.COMPLETED, "", giang)
    assert staff_services.decide(cuong, org["sxd"], 2025, StaffLevel.COMPLETED, "Theo nhận xét của phòng.",
                                 giang).suggested == ""


def test_who_may_decide(walked, org, council):  # noqa: F811
    people = council
    cuong = people["cuong"]
    for who in ("dung", "cuong", "thanh", "ha", "long", "an"):
        with pytest.raises(PermissionDenied):
            staff_services.decide(cuong, org["sxd"], 2026, StaffLevel.GOOD, "x", people[who])
    with pytest.raises(DomainError) as exc:
        staff_services.decide(people["giang"], org["sxd"], 2026, StaffLevel.GOOD, "x", people["giang"])
    assert exc.value.code == "own_classification"
    with pytest.raises(DomainError) as exc:
        staff_services.decide(people["khanh"], org["sxd"], 2026, StaffLevel.GOOD, "x", people["giang"])
    assert exc.value.code == "not_an_officer"
    with pytest.raises(DomainError) as exc:
        staff_services.decide(cuong, org["sxd"], 2026, "outstanding", "x", people["giang"])
    assert exc.value.code == "invalid_input"
    assert not StaffDecision.objects.exists()


# --- the pages ---------------------------------------------------------------------------------------------


def officer_url(people, name: str) -> str:  # type: ignore[no-untyped-def]
    return reverse("scorecards:staff_officer", args=[people[name].pk])


def test_pages_anonymous_and_citizen(walked, client, client_for, people):  # noqa: F811
    for url in (STAFF, officer_url(people, "cuong"), XLSX):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        assert client_for("an").get(url).status_code == 403
    assert client.post(officer_url(people, "cuong"), {"level": "good"}).status_code == 302
    assert client_for("an").post(officer_url(people, "cuong"), {"level": "good"}).status_code == 403
    assert not StaffDecision.objects.exists()


def test_an_officer_sees_only_their_own(walked, client_for, people):  # noqa: F811
    c = client_for("cuong")
    html = c.get(STAFF + "?year=2026").content.decode()
    assert "Lê Văn Cường" in html and "Phạm Thị Dung" not in html and "Trần Thị Bình" not in html
    assert c.get(officer_url(people, "dung") + "?year=2026").status_code == 403
    own = c.get(officer_url(people, "cuong") + "?year=2026")
    assert own.status_code == 200 and b'name="level"' not in own.content
    assert c.post(officer_url(people, "cuong") + "?year=2026", {"level": "excellent", "note": "x"}).status_code == 403
    assert c.get(STAFF + "?agency=T.SNN").status_code == 403
    xlsx = openpyxl.load_workbook(io.BytesIO(c.get(XLSX + "?year=2026").content))
    assert [r[0] for r in xlsx.worksheets[0].iter_rows(min_row=4, values_only=True)] == ["Lê Văn Cường"]


def test_the_leader_sees_the_table_and_decides(walked, client_for, people):  # noqa: F811
    c = client_for("giang")
    html = c.get(STAFF + "?year=2026").content.decode()
    for name in ("Lê Văn Cường", "Phạm Thị Dung", "Trần Thị Bình", "Hoàng Văn Giang"):
        assert name in html
    assert vi("good") in html  # Cường's suggestion, in Vietnamese
    page = c.get(officer_url(people, "dung") + "?year=2026")
    assert page.status_code == 200 and walked["Y"].code in page.content.decode()
    assert b'name="level"' in page.content
    # Differing from the suggestion ("completed") without a note: refused, the page says why.
    refused = c.post(officer_url(people, "dung") + "?year=2026", {"level": "good", "note": ""})
    assert refused.status_code == 400 and not StaffDecision.objects.exists()
    done = c.post(officer_url(people, "dung") + "?year=2026", {"level": "good", "note": "Hồ sơ trễ do chờ ý kiến."})
    assert done.status_code == 302
    d = StaffDecision.objects.get(officer=people["dung"], year=2026)
    assert (d.suggested, d.decided, d.decided_by) == ("completed", "good", people["giang"])
    assert vi("good") in c.get(done["Location"]).content.decode()
    # Not about himself.
    assert b'name="level"' not in c.get(officer_url(people, "giang") + "?year=2026").content


def test_a_division_head_sees_the_agency_but_does_not_decide(walked, client_for, people):  # noqa: F811
    c = client_for("dung")
    html = c.get(STAFF + "?year=2026&quarter=3").content.decode()
    assert "Lê Văn Cường" in html and "Trần Thị Bình" in html
    page = c.get(officer_url(people, "cuong") + "?year=2026")
    assert page.status_code == 200 and b'name="level"' not in page.content
    assert c.post(officer_url(people, "cuong") + "?year=2026", {"level": "good"}).status_code == 403


def test_inspector_chooses_any_agency_and_the_other_leader_only_theirs(walked, client_for, council):  # noqa: F811
    people = council
    inspector = client_for("thanh")
    assert "Lê Văn Cường" not in inspector.get(STAFF).content.decode()  # no agency chosen yet
    html = inspector.get(STAFF + "?agency=T.SXD&year=2026").content.decode()
    assert "Lê Văn Cường" in html and "Phạm Thị Dung" in html
    page = inspector.get(officer_url(people, "cuong") + "?agency=T.SXD&year=2026")
    assert page.status_code == 200 and b'name="level"' not in page.content
    assert inspector.get(STAFF + "?agency=NOPE").status_code == 404
    assert inspector.get(XLSX).status_code == 400
    long_ = client_for("long")
    assert "Lê Văn Cường" not in long_.get(STAFF + "?year=2026").content.decode()
    assert long_.get(STAFF + "?agency=T.SXD").status_code == 403
    assert long_.get(officer_url(people, "cuong") + "?year=2026").status_code == 404
    assert long_.post(officer_url(people, "cuong") + "?year=2026", {"level": "good"}).status_code == 404
    assert long_.get(XLSX + "?agency=T.SXD").status_code == 403


def test_the_export(walked, client_for, people, org):  # noqa: F811
    staff_services.decide(people["dung"], org["sxd"], 2026, StaffLevel.GOOD, "Chờ ý kiến liên ngành.",
                          people["giang"])
    response = client_for("giang").get(XLSX + "?year=2026")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="can-bo-T.SXD-2026.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, late = book.worksheets
    lines = {r[1]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert set(lines) == {"binh", "cuong", "dung", "giang"}
    assert lines["cuong"][2:5] == (2, 8.0, 8) and lines["cuong"][11] == vi("good")
    assert lines["dung"][6] == 1 and lines["dung"][12:] == (vi("good"), "Chờ ý kiến liên ngành.")
    assert walked["Y"].code in [r[1] for r in late.iter_rows(min_row=2, values_only=True)]
