"""The catalogue's administration: only catalogue administrators; publish, clone and diff."""

from __future__ import annotations

import datetime as dt

from motcua.catalogue.models import ProcedureVersion

ADMIN = "/quan-tri/catalogue"


def test_admin_pages_need_the_right(client, client_for, catalogue, permit):
    pk = permit["new"].pk
    for url in (f"{ADMIN}/procedure/", f"{ADMIN}/procedureversion/{pk}/change/",
                f"{ADMIN}/procedureversion/{pk}/diff/", f"{ADMIN}/procedureversion/{pk}/clone/"):
        assert client.get(url).status_code == 302  # anonymous → login
        giang = client_for("giang")
        assert giang.get(url).status_code in (302, 403)
        assert client_for("ha").get(url).status_code == 200, url


def test_staff_without_the_capability_cannot_see_the_catalogue(client_for, catalogue, people):
    people["thanh"].is_staff = True
    people["thanh"].save()
    response = client_for("thanh").get(f"{ADMIN}/procedure/")
    assert response.status_code == 403


def test_publish_action_names_what_is_missing(client_for, catalogue):
    draft = ProcedureVersion.objects.get(procedure__code="1.099999")
    draft.documents.all().delete()
    response = client_for("ha").post(f"{ADMIN}/procedureversion/", {
        "action": "publish", "_selected_action": [draft.pk]}, follow=True)
    html = response.content.decode()
    assert "khoản 2 điểm d" in html
    draft.refresh_from_db()
    assert not draft.is_published


def test_publish_and_unpublish_buttons(client_for, catalogue):
    draft = ProcedureVersion.objects.get(procedure__code="1.099999")
    ha = client_for("ha")
    ha.post(f"{ADMIN}/procedureversion/{draft.pk}/publish/", {"action": "publish"})
    draft.refresh_from_db()
    assert draft.is_published
    ha.post(f"{ADMIN}/procedureversion/{draft.pk}/publish/", {"action": "unpublish"})
    draft.refresh_from_db()
    assert not draft.is_published


def test_clone_view_creates_the_next_draft(client_for, permit):
    ha = client_for("ha")
    response = ha.post(f"{ADMIN}/procedureversion/{permit['new'].pk}/clone/",
                       {"valid_from": "2027-01-01", "label": "2027"})
    assert response.status_code == 302
    clone = ProcedureVersion.objects.get(procedure=permit["procedure"], valid_from=dt.date(2027, 1, 1))
    assert clone.label == "2027" and not clone.is_published
    bad = ha.post(f"{ADMIN}/procedureversion/{permit['new'].pk}/clone/", {"valid_from": "2020-01-01"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()


def test_diff_view_lists_the_changes(client_for, permit):
    response = client_for("ha").get(f"{ADMIN}/procedureversion/{permit['new'].pk}/diff/",
                                    {"other": permit["old"].pk})
    html = response.content.decode()
    assert "Kết quả thẩm định PCCC" in html


def test_a_published_version_is_read_only_in_the_admin(client_for, permit):
    html = client_for("ha").get(f"{ADMIN}/procedureversion/{permit['new'].pk}/change/").content.decode()
    assert 'name="legal_time_amount"' not in html
    assert "Unpublish" in html or "Hủy công bố" in html or "unpublish" in html


def test_overlapping_dates_are_a_form_error(client_for, permit):
    response = client_for("ha").post(f"{ADMIN}/procedureversion/add/", {
        "procedure": permit["procedure"].pk, "valid_from": "2026-01-01", "valid_to": "", "label": "x",
        "deadline_policy": "working_hours", "fee_status": "",
        **{f"{prefix}-TOTAL_FORMS": "0" for prefix in ("time_variants", "legal_bases", "documents", "fees", "steps",
                                                         "participants")},
        **{f"{prefix}-INITIAL_FORMS": "0" for prefix in ("time_variants", "legal_bases", "documents", "fees", "steps",
                                                         "participants")},
    })
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert ProcedureVersion.objects.filter(procedure=permit["procedure"]).count() == 2


def test_export_action(client_for, catalogue):
    from motcua.catalogue.models import Procedure

    ids = list(Procedure.objects.values_list("pk", flat=True))
    response = client_for("ha").post(f"{ADMIN}/procedure/", {"action": "export_json", "_selected_action": ids})
    assert response.status_code == 200 and b"motcua.catalogue/1" in response.content
