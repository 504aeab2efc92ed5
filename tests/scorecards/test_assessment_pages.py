"""The pages of the yearly cycle: who sees and does what, a whole cycle through the forms, refused input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from motcua.accounts.models import User
from motcua.scorecards import services
from motcua.scorecards.choices import AssessmentStatus, Stage, TreeStatus
from motcua.scorecards.models import Assessment, Evidence, Owner, ScoreChange, Tree

from .conftest import score


def vi(msgid: str, **values: object) -> str:
    """The message as the page shows it (Vietnamese, the default language, escaped as HTML)."""
    with translation.override("vi"):
        text = gettext(msgid)
    return escape(text % values if values else text)


def page(a: Assessment) -> str:
    return reverse("scorecards:assessment", args=[a.pk])


def leaf_html(html: str, score_pk: int) -> str:
    """The table row of one leaf (its scores and method cell)."""
    start = html.index(f'id="leaf-{score_pk}"')
    return html[start:html.index("</tr>", start)]


def changes(a: Assessment) -> int:
    return ScoreChange.objects.filter(assessment=a).count()


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- who sees what --------------------------------------------------------------------------------------


def test_index_asks_anonymous_to_sign_in_and_refuses_citizens_and_people_without_a_reform_role(
        assessments, client_for, org):  # type: ignore[no-untyped-def]
    url = reverse("scorecards:index")
    response = Client().get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client_for("an").get(url).status_code == 403
    nobody = User.objects.create_user(username="nobody", password="mat-khau-dai-1", full_name="Không Vai Trò",
                                      unit=org["sxd"])
    client = Client()
    client.force_login(nobody)
    assert client.get(url).status_code == 403


def test_index_shows_an_officer_only_the_own_agency(assessments, client_for):  # type: ignore[no-untyped-def]
    html = client_for("cuong").get(reverse("scorecards:index")).content.decode()
    assert page(assessments["sxd"]) in html
    assert page(assessments["other"]) not in html
    html = client_for("khanh").get(reverse("scorecards:index")).content.decode()
    assert page(assessments["other"]) in html and page(assessments["sxd"]) not in html


def test_index_shows_the_council_every_assessment_by_tree_with_the_publish_button(
        assessments, client_for, tree):  # type: ignore[no-untyped-def]
    html = client_for("nga").get(reverse("scorecards:index")).content.decode()
    assert page(assessments["sxd"]) in html and page(assessments["other"]) in html
    assert tree.name in html
    assert reverse("scorecards:tree_publish", args=[tree.pk]) in html
    # The inspector reads every assessment but is offered no button.
    html = client_for("thanh").get(reverse("scorecards:index")).content.decode()
    assert page(assessments["sxd"]) in html and page(assessments["other"]) in html
    assert reverse("scorecards:tree_publish", args=[tree.pk]) not in html


def test_navigation_offers_the_scorecard_to_reform_roles_only(assessments, client_for):  # type: ignore[no-untyped-def]
    link = f'href="{reverse("scorecards:index")}"'
    for who in ("giang", "cuong", "nga", "thanh"):
        assert link in client_for(who).get(reverse("scorecards:index")).content.decode(), who
    assert link not in client_for("an").get("/").content.decode()
    assert link not in Client().get("/").content.decode()


def test_assessment_page_is_for_the_agency_and_those_who_see_all(assessments, client_for):  # type: ignore[no-untyped-def]
    sxd = page(assessments["sxd"])
    assert Client().get(sxd).status_code == 302
    assert client_for("an").get(sxd).status_code == 403
    assert client_for("khanh").get(sxd).status_code == 404
    assert client_for("khanh").get(page(assessments["other"])).status_code == 200
    for who in ("giang", "cuong", "dung", "binh", "nga", "thanh"):
        assert client_for(who).get(sxd).status_code == 200, who
    assert client_for("giang").get(reverse("scorecards:assessment", args=[999999])).status_code == 404


def test_the_leader_is_offered_the_agency_s_officers_as_owners_and_no_one_else(
        assessments, client_for, council):  # type: ignore[no-untyped-def]
    url = reverse("scorecards:owner_add", args=[assessments["sxd"].pk])
    body = client_for("giang").get(page(assessments["sxd"])).content.decode()
    assert url in body
    # The department's officers are offered; Khánh (another agency) and Nga (the council) are not.
    for name in ("Lê Văn Cường", "Phạm Thị Dung", "Trần Thị Bình"):
        assert f">{name}</option>" in body, name
    assert "Đỗ Văn Khánh" not in body and "Đinh Thị Nga</option>" not in body
    for who in ("cuong", "nga", "thanh"):
        assert url not in client_for(who).get(page(assessments["sxd"])).content.decode(), who


# --- the agency's owners --------------------------------------------------------------------------------


def test_owner_scores_the_own_criterion_and_not_the_others(assessments, client_for, council):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    s11, s12 = score(a, "1.1"), score(a, "1.2")
    # Cường has no criterion yet: no form, and a post is refused.
    html = client_for("cuong").get(page(a)).content.decode()
    assert reverse("scorecards:self_score", args=[a.pk, s11.pk]) not in html
    response = client_for("cuong").post(reverse("scorecards:self_score", args=[a.pk, s11.pk]),
                                        {f"self-{s11.pk}-points": "2"})
    assert response.status_code == 403
    # Giang (the leader) makes him owner of 1.1; Khánh (another agency) cannot be chosen.
    response = client_for("giang").post(reverse("scorecards:owner_add", args=[a.pk]),
                                        {"owner-node": s11.node_id, "owner-user": council["khanh"].pk})
    assert response.status_code == 400 and not Owner.objects.exists()
    response = client_for("giang").post(reverse("scorecards:owner_add", args=[a.pk]),
                                        {"owner-node": s11.node_id, "owner-user": council["cuong"].pk})
    assert response.status_code == 302
    assert Owner.objects.filter(assessment=a, node=s11.node, user=council["cuong"]).exists()
    # Only the leader assigns owners.
    response = client_for("cuong").post(reverse("scorecards:owner_add", args=[a.pk]),
                                        {"owner-node": s12.node_id, "owner-user": council["cuong"].pk})
    assert response.status_code == 403
    assert not Owner.objects.filter(node=s12.node).exists()

    html = client_for("cuong").get(page(a)).content.decode()
    assert reverse("scorecards:self_score", args=[a.pk, s11.pk]) in html
    assert reverse("scorecards:self_score", args=[a.pk, s12.pk]) not in html
    response = client_for("cuong").post(reverse("scorecards:self_score", args=[a.pk, s11.pk]),
                                        {f"self-{s11.pk}-points": "2,5", f"self-{s11.pk}-comment": "Đã ban hành"})
    assert response.status_code == 302
    s11.refresh_from_db()
    assert s11.self_points == Decimal("2.50") and s11.self_comment == "Đã ban hành"
    response = client_for("cuong").post(reverse("scorecards:self_score", args=[a.pk, s12.pk]),
                                        {f"self-{s12.pk}-points": "2"})
    assert response.status_code == 403
    assert vi("You may not do this on this scorecard.") in response.content.decode()
    s12.refresh_from_db()
    assert s12.self_points is None
    # An officer of another agency does not even find it; nor does he see the owner's file.
    response = client_for("khanh").post(reverse("scorecards:self_score", args=[a.pk, s11.pk]),
                                        {f"self-{s11.pk}-points": "0"})
    assert response.status_code == 404
    # The leader removes the owner; Cường then can no longer score.
    owner = Owner.objects.get(assessment=a, user=council["cuong"])
    assert client_for("cuong").post(reverse("scorecards:owner_remove", args=[a.pk, owner.pk])).status_code == 403
    assert client_for("giang").post(reverse("scorecards:owner_remove", args=[a.pk, owner.pk])).status_code == 302
    assert not Owner.objects.exists()
    assert client_for("cuong").post(reverse("scorecards:self_score", args=[a.pk, s11.pk]),
                                    {f"self-{s11.pk}-points": "1"}).status_code == 403


def test_every_post_sends_anonymous_to_sign_in_and_changes_nothing(assessments, tree, media):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    s = score(a, "1.1")
    before = changes(a)
    urls = [reverse("scorecards:self_score", args=[a.pk, s.pk]), reverse("scorecards:evidence_add", args=[a.pk, s.pk]),
            reverse("scorecards:owner_add", args=[a.pk]), reverse("scorecards:submit", args=[a.pk]),
            reverse("scorecards:appraise", args=[a.pk, s.pk]), reverse("scorecards:send_appraisal", args=[a.pk]),
            reverse("scorecards:appeal", args=[a.pk]), reverse("scorecards:decide", args=[a.pk, s.pk]),
            reverse("scorecards:lock", args=[a.pk]), reverse("scorecards:tree_publish", args=[tree.pk])]
    for url in urls:
        response = Client().post(url, {f"self-{s.pk}-points": "1"})
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], url
    assert changes(a) == before


def test_the_inspector_reads_but_cannot_post(assessments, client_for, tree):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    s = score(a, "1.1")
    assert client_for("thanh").get(page(a)).status_code == 200
    before = changes(a)
    posts = [(reverse("scorecards:self_score", args=[a.pk, s.pk]), {f"self-{s.pk}-points": "1"}),
             (reverse("scorecards:evidence_add", args=[a.pk, s.pk]), {f"evidence-{s.pk}-note": "x"}),
             (reverse("scorecards:submit", args=[a.pk]), {}),
             (reverse("scorecards:appraise", args=[a.pk, s.pk]), {f"appraise-{s.pk}-points": "1"}),
             (reverse("scorecards:send_appraisal", args=[a.pk]), {}),
             (reverse("scorecards:lock", args=[a.pk]), {}),
             (reverse("scorecards:tree_publish", args=[tree.pk]), {})]
    for url, data in posts:
        assert client_for("thanh").post(url, data).status_code == 403, url
    assert changes(a) == before


def test_the_wrong_people_are_refused_at_each_step(assessments, client_for, council):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    s11, s12 = score(a, "1.1"), score(a, "1.2")
    # The council does not self-score; a specialist does not submit.
    assert client_for("nga").post(reverse("scorecards:self_score", args=[a.pk, s11.pk]),
                                  {f"self-{s11.pk}-points": "1"}).status_code == 403
    services.self_score(s11, "3", "", council["giang"])
    services.self_score(s12, "2", "", council["giang"])
    assert client_for("cuong").post(reverse("scorecards:submit", args=[a.pk])).status_code == 403
    # The leader does not appraise; the council does not appraise before submission (409, wrong stage).
    assert client_for("giang").post(reverse("scorecards:appraise", args=[a.pk, s11.pk]),
                                    {f"appraise-{s11.pk}-points": "1"}).status_code == 403
    response = client_for("nga").post(reverse("scorecards:appraise", args=[a.pk, s11.pk]),
                                      {f"appraise-{s11.pk}-points": "1", f"appraise-{s11.pk}-reason": "x"})
    assert response.status_code == 409
    services.submit(a, council["giang"])
    assert client_for("giang").post(reverse("scorecards:send_appraisal", args=[a.pk])).status_code == 403
    # Long leads the other agency: he cannot even find this one.
    assert client_for("long").post(reverse("scorecards:submit", args=[a.pk])).status_code == 404
    services.send_appraisal(a, council["nga"])
    # The council does not appeal; the agency's specialist does not either; the leader does not decide or lock.
    data = {f"points_{s11.pk}": "2", f"reason_{s11.pk}": "x"}
    assert client_for("nga").post(reverse("scorecards:appeal", args=[a.pk]), data).status_code == 403
    assert client_for("cuong").post(reverse("scorecards:appeal", args=[a.pk]), data).status_code == 403
    assert client_for("giang").post(reverse("scorecards:lock", args=[a.pk])).status_code == 403
    # Locking while the window is open: 409 with the council's message.
    response = client_for("nga").post(reverse("scorecards:lock", args=[a.pk]))
    assert response.status_code == 409
    a.refresh_from_db()
    assert a.status == AssessmentStatus.APPRAISED
    assert vi("The agency may still appeal until %(at)s.", at="")[:20] in response.content.decode()


# --- refused input --------------------------------------------------------------------------------------


def test_points_above_the_maximum_or_not_a_number_are_refused_and_nothing_changes(
        assessments, client_for):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    s = score(a, "1.1")
    url = reverse("scorecards:self_score", args=[a.pk, s.pk])
    before = changes(a)
    response = client_for("giang").post(url, {f"self-{s.pk}-points": "5", f"self-{s.pk}-comment": "quá"})
    assert response.status_code == 400
    html = response.content.decode()
    assert vi("The points must be between 0 and %(max)s for criterion %(code)s.", max=s.node.max_points,
              code="1.1") in html
    assert 'value="5"' in html  # the form keeps what was typed
    response = client_for("giang").post(url, {f"self-{s.pk}-points": "ba điểm"})
    assert response.status_code == 400
    assert vi("Enter the points as a number, e.g. 1.5.") in response.content.decode()
    response = client_for("giang").post(url, {f"self-{s.pk}-points": "1.255"})
    assert response.status_code == 400
    s.refresh_from_db()
    assert s.self_points is None and s.self_comment == ""
    assert changes(a) == before


def test_an_appraisal_that_changes_the_score_needs_a_reason(assessments, client_for, council):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    s11, s12 = score(a, "1.1"), score(a, "1.2")
    services.self_score(s11, "3", "", council["giang"])
    services.self_score(s12, "2", "", council["giang"])
    services.submit(a, council["giang"])
    response = client_for("nga").post(reverse("scorecards:appraise", args=[a.pk, s11.pk]),
                                      {f"appraise-{s11.pk}-points": "2"})
    assert response.status_code == 400
    assert vi("Give the reason for changing the agency's score.") in response.content.decode()
    s11.refresh_from_db()
    assert s11.appraised_points is None
    # A form with no points at all is refused by the form.
    response = client_for("nga").post(reverse("scorecards:appraise", args=[a.pk, s11.pk]), {})
    assert response.status_code == 400


def test_an_empty_evidence_form_and_an_empty_appeal_are_refused(assessments, client_for, council, media):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    s11, s12 = score(a, "1.1"), score(a, "1.2")
    response = client_for("giang").post(reverse("scorecards:evidence_add", args=[a.pk, s11.pk]), {})
    assert response.status_code == 400
    assert vi("Give the file, the link, the dossier code or the note.") in response.content.decode()
    response = client_for("giang").post(reverse("scorecards:evidence_add", args=[a.pk, s11.pk]),
                                        {f"evidence-{s11.pk}-url": "không phải liên kết"})
    assert response.status_code == 400
    assert not Evidence.objects.exists()
    services.self_score(s11, "3", "", council["giang"])
    services.self_score(s12, "2", "", council["giang"])
    services.submit(a, council["giang"])
    services.send_appraisal(a, council["nga"])
    response = client_for("giang").post(reverse("scorecards:appeal", args=[a.pk]),
                                        {f"points_{s11.pk}": "", f"reason_{s11.pk}": ""})
    assert response.status_code == 400
    assert vi("Choose at least one criterion to appeal.") in response.content.decode()
    response = client_for("giang").post(reverse("scorecards:appeal", args=[a.pk]),
                                        {f"points_{s11.pk}": "2.5", f"reason_{s11.pk}": ""})
    assert response.status_code == 400
    assert vi("Give the grounds of the appeal for criterion %(code)s.", code="1.1") in response.content.decode()
    a.refresh_from_db()
    s11.refresh_from_db()
    assert a.status == AssessmentStatus.APPRAISED and s11.appeal_points is None


# --- automatic leaves -----------------------------------------------------------------------------------


def test_an_automatic_leaf_without_data_says_so_and_not_zero(assessments, client_for):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    s = score(a, "2.1")
    assert s.auto_points is None  # no dossier in the period
    html = client_for("giang").get(page(a)).content.decode()
    row = leaf_html(html, s.pk)
    assert vi("No data") in row and vi("No data") == "Không có dữ liệu"
    assert vi("Automatic") in row
    assert "0,00" not in row and "0.00" not in row
    # A manual leaf has no automatic badge.
    assert vi("Automatic") not in leaf_html(html, score(a, "1.1").pk)


def test_an_automatic_leaf_with_data_shows_the_figures_behind_it(assessments, client_for):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    s = score(a, "2.1")
    s.auto_points, s.auto_detail = Decimal("3.20"), {"value": 0.72, "numerator": 18, "denominator": 25,
                                                      "note": "", "link": "/thong-ke/ho-so/?unit=T.SXD"}
    s.final_points = s.compute_final()
    s.save()
    row = leaf_html(client_for("giang").get(page(a)).content.decode(), s.pk)
    assert "3,20" in row and "18 / 25" in row and "72" in row and "/thong-ke/ho-so/?unit=T.SXD" in row


# --- a whole cycle through the pages --------------------------------------------------------------------


def test_a_whole_cycle_through_the_pages(tree, org, council, client_for, media):  # type: ignore[no-untyped-def]
    services.open_assessments(tree, [org["sxd"]], by=council["nga"])
    a = Assessment.objects.get(tree=tree, agency=org["sxd"])
    s11, s12 = score(a, "1.1"), score(a, "1.2")
    giang, nga = client_for("giang"), client_for("nga")

    # Self-assessment by the leader, with evidence.
    r = giang.post(reverse("scorecards:self_score", args=[a.pk, s11.pk]),
                   {f"self-{s11.pk}-points": "3", f"self-{s11.pk}-comment": "Kế hoạch ban hành tháng 1"})
    assert r.status_code == 302 and r["Location"].startswith(page(a))
    assert giang.post(reverse("scorecards:self_score", args=[a.pk, s12.pk]),
                      {f"self-{s12.pk}-points": "1.5"}).status_code == 302
    upload = SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4 ke hoach", content_type="application/pdf")
    r = giang.post(reverse("scorecards:evidence_add", args=[a.pk, s11.pk]),
                   {f"evidence-{s11.pk}-file": upload, f"evidence-{s11.pk}-note": "Quyết định số 12"})
    assert r.status_code == 302
    assert giang.post(reverse("scorecards:evidence_add", args=[a.pk, s11.pk]),
                      {f"evidence-{s11.pk}-url": "https://vanban.example.vn/12"}).status_code == 302
    link = Evidence.objects.get(url="https://vanban.example.vn/12")
    remove = reverse("scorecards:evidence_remove", args=[a.pk, link.pk])
    assert Client().post(remove).status_code == 302
    assert client_for("cuong").post(remove).status_code == 403  # not an owner of 1.1
    assert client_for("khanh").post(remove).status_code == 404
    assert client_for("nga").post(remove).status_code == 403
    link.refresh_from_db()
    assert link.removed_at is None
    assert giang.post(reverse("scorecards:evidence_remove", args=[a.pk, link.pk])).status_code == 302
    link.refresh_from_db()
    assert link.removed_at is not None
    html = giang.get(page(a)).content.decode()
    table = html[:html.index('id="history"')]
    assert "ke-hoach.pdf" in table and "https://vanban.example.vn/12" not in table  # removed: in the history only
    # The file is given to those who may see the assessment, as an attachment.
    f = Evidence.objects.get(kind="file")
    file_url = reverse("scorecards:evidence_file", args=[f.pk])
    r = nga.get(file_url)
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    assert b"".join(r.streaming_content) == b"%PDF-1.4 ke hoach"  # type: ignore[attr-defined]
    assert client_for("khanh").get(file_url).status_code == 404
    assert client_for("an").get(file_url).status_code == 403
    assert Client().get(file_url).status_code == 302

    # Submission.
    assert giang.post(reverse("scorecards:submit", args=[a.pk])).status_code == 302
    a.refresh_from_db()
    assert a.status == AssessmentStatus.SUBMITTED and a.self_total is not None
    assert a.self_total == Decimal("4.50") + (score(a, "2.1").auto_points or 0) + (score(a, "2.2").auto_points or 0)

    # Appraisal: 1.1 lowered with a reason, sent.
    r = nga.post(reverse("scorecards:appraise", args=[a.pk, s11.pk]),
                 {f"appraise-{s11.pk}-points": "2", f"appraise-{s11.pk}-reason": "Kế hoạch ban hành muộn"})
    assert r.status_code == 302
    assert nga.post(reverse("scorecards:send_appraisal", args=[a.pk])).status_code == 302
    a.refresh_from_db()
    assert a.status == AssessmentStatus.APPRAISED and a.appeal_until is not None
    html = giang.get(reverse("scorecards:index")).content.decode()
    assert a.appeal_until.astimezone().strftime("%Y") in html

    # Appeal on 1.1 (the other rows left empty).
    data = {f"points_{s11.pk}": "3", f"reason_{s11.pk}": "Ban hành đúng hạn theo văn bản số 5",
            f"points_{s12.pk}": "", f"reason_{s12.pk}": ""}
    assert giang.post(reverse("scorecards:appeal", args=[a.pk]), data).status_code == 302
    a.refresh_from_db()
    s11.refresh_from_db()
    s12.refresh_from_db()
    assert a.status == AssessmentStatus.APPEALED and s11.appeal_points == Decimal("3.00")
    assert s12.appeal_points is None

    # Decision: the form is offered on the appealed leaf only.
    html = nga.get(page(a)).content.decode()
    assert reverse("scorecards:decide", args=[a.pk, s11.pk]) in html
    assert reverse("scorecards:decide", args=[a.pk, s12.pk]) not in html
    r = nga.post(reverse("scorecards:decide", args=[a.pk, s11.pk]),
                 {f"decide-{s11.pk}-points": "2.5", f"decide-{s11.pk}-reason": "Chấp nhận một phần"})
    assert r.status_code == 302
    assert nga.post(reverse("scorecards:lock", args=[a.pk])).status_code == 302
    a.refresh_from_db()
    s11.refresh_from_db()
    assert a.status == AssessmentStatus.LOCKED and s11.final_points == Decimal("2.50")

    # Publication of the tree.
    assert giang.post(reverse("scorecards:tree_publish", args=[tree.pk])).status_code == 403
    r = nga.post(reverse("scorecards:tree_publish", args=[tree.pk]))
    assert r.status_code == 302
    assert Tree.objects.get(pk=tree.pk).status == TreeStatus.PUBLISHED

    # The history: every step with who, newest first, on the page.
    stages = list(ScoreChange.objects.filter(assessment=a).order_by("at", "pk").values_list("stage", "by__username"))
    assert (Stage.SELF, "giang") in stages and (Stage.EVIDENCE, "giang") in stages
    assert (Stage.APPRAISAL, "nga") in stages and (Stage.APPEAL, "giang") in stages
    assert (Stage.DECISION, "nga") in stages
    # Opened, submitted, appraised, appealed, locked, published.
    assert [s for s, _by in stages].count(Stage.STATUS) == 6
    html = giang.get(page(a)).content.decode()
    history = html[html.index('id="history"'):]
    assert "Đinh Thị Nga" in history and "Hoàng Văn Giang" in history
    assert "Kế hoạch ban hành muộn" in history and "Chấp nhận một phần" in history
    assert history.index("Chấp nhận một phần") < history.index("Kế hoạch ban hành muộn")  # newest first
    # Once locked, no form is offered any more.
    assert reverse("scorecards:self_score", args=[a.pk, s11.pk]) not in html
    assert reverse("scorecards:lock", args=[a.pk]) not in html


def test_publishing_waits_for_every_assessment_to_lock(assessments, client_for, tree):  # type: ignore[no-untyped-def]
    response = client_for("nga").post(reverse("scorecards:tree_publish", args=[tree.pk]))
    assert response.status_code == 409
    assert "Sở Xây dựng" in response.content.decode()
    assert Tree.objects.get(pk=tree.pk).status == TreeStatus.OPEN


def test_after_the_appeal_window_the_leader_cannot_appeal_and_the_council_locks(
        assessments, client_for, council):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    s11, s12 = score(a, "1.1"), score(a, "1.2")
    services.self_score(s11, "3", "", council["giang"])
    services.self_score(s12, "2", "", council["giang"])
    services.submit(a, council["giang"])
    services.send_appraisal(a, council["nga"])
    a.refresh_from_db()
    assert a.appeal_until is not None
    # While the window is open the council is told to wait and is offered no lock button.
    html = client_for("nga").get(page(a)).content.decode()
    assert reverse("scorecards:lock", args=[a.pk]) not in html
    assert reverse("scorecards:appeal", args=[a.pk]) in client_for("giang").get(page(a)).content.decode()
    with time_machine.travel(a.appeal_until + dt.timedelta(minutes=1)):
        html = client_for("giang").get(page(a)).content.decode()
        assert reverse("scorecards:appeal", args=[a.pk]) not in html
        response = client_for("giang").post(reverse("scorecards:appeal", args=[a.pk]),
                                            {f"points_{s11.pk}": "2", f"reason_{s11.pk}": "Muộn"})
        assert response.status_code == 409
        s11.refresh_from_db()
        assert s11.appeal_points is None
        assert reverse("scorecards:lock", args=[a.pk]) in client_for("nga").get(page(a)).content.decode()
        assert client_for("nga").post(reverse("scorecards:lock", args=[a.pk])).status_code == 302
    a.refresh_from_db()
    assert a.status == AssessmentStatus.LOCKED and a.total == a.self_total


def test_evidence_naming_a_dossier_links_to_it_and_odd_codes_do_not_break_the_page(
        assessments, client_for):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    s = score(a, "1.2")
    for code in ("000.00.17.H68-260101-0001", "SỐ 12/BC"):
        response = client_for("giang").post(reverse("scorecards:evidence_add", args=[a.pk, s.pk]),
                                            {f"evidence-{s.pk}-dossier_code": code})
        assert response.status_code == 302
    response = client_for("giang").get(page(a))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("dossiers:detail", args=["000.00.17.H68-260101-0001"]) in html
    assert "SỐ 12/BC" in html


def test_the_page_reads_in_english_too(assessments, client_for, settings):  # type: ignore[no-untyped-def]
    a = assessments["sxd"]
    client = client_for("giang")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch's choice
    body = client.get(page(a)).content.decode()
    row = leaf_html(body, score(a, "2.1").pk)
    assert "Automatic" in row and "No data" in row
    # The tree's English name where the decision gives one; Vietnamese names where it does not.
    assert "Departments&#x27; PAR index 2026" in body and "Chỉ số CCHC các sở năm 2026" not in body
    assert "Kế hoạch CCHC năm" in body
    vietnamese = client_for("giang").get(page(a)).content.decode()
    assert "Chỉ số CCHC các sở năm 2026" in vietnamese and "PAR index" not in vietnamese
