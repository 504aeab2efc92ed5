"""The admin of questionnaires and campaigns: a questionnaire that answers name is read-only and says so, "Make
a new version" copies it; a campaign is created through the service and read-only afterwards, with its strata
and response rates; officers do not reach it."""

from __future__ import annotations

import pytest

from motcua.surveys import services
from motcua.surveys.models import Campaign, Questionnaire
from motcua.surveys.services import Answers, Where

from . import campaign_helpers as helpers
from .campaign_helpers import YEAR, finished, values

_channels, sipas, procedures = helpers._channels, helpers.sipas, helpers.procedures

pytestmark = pytest.mark.django_db
ADMIN = "/quan-tri/surveys"


def _freeze(form: Questionnaire, unit) -> None:  # type: ignore[no-untyped-def]
    services.record(form, Answers(values(form, 5)), Where(unit=unit, month=YEAR[0]), "paper")


def test_a_questionnaire_without_answers_is_editable(client_for, sipas):
    page = client_for("ha").get(f"{ADMIN}/questionnaire/{sipas.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="title"' in body and 'name="factors-0-name"' in body
    assert "make a new version" not in body.lower()


def test_a_frozen_questionnaire_is_read_only_with_a_message(client_for, sipas, org):
    _freeze(sipas, org["sxd"])
    ha = client_for("ha")
    page = ha.get(f"{ADMIN}/questionnaire/{sipas.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="title"' not in body and 'name="factors-0-name"' not in body
    assert 'name="active"' in body  # whether the version is offered may still change
    assert "đã có câu trả lời nên không thể sửa; hãy tạo phiên bản mới" in body  # the reason, in Vietnamese
    factor = sipas.factors.first()
    factor_page = ha.get(f"{ADMIN}/factor/{factor.pk}/change/").content.decode()
    assert 'name="name"' not in factor_page and 'name="criteria-0-text"' not in factor_page
    assert ha.get(f"{ADMIN}/questionnaire/{sipas.pk}/delete/").status_code == 403


def test_make_a_new_version(client_for, sipas, org):
    _freeze(sipas, org["sxd"])
    response = client_for("ha").post(f"{ADMIN}/questionnaire/", {"action": "make_new_version",
                                                                 "_selected_action": [sipas.pk]})
    assert response.status_code == 302
    copy = Questionnaire.objects.get(code="sipas", version=2)
    assert copy.criteria.count() == 19 and not copy.frozen
    assert client_for("ha").get(f"{ADMIN}/questionnaire/{copy.pk}/change/").content.decode().count('name="title"') == 1


def test_a_campaign_is_created_sent_and_read_in_the_admin(client_for, sipas, org, procedures, people,
                                                          django_capture_on_commit_callbacks):
    finished(procedures["p1"], org["sxd"], "online", 12)
    ha = client_for("ha")
    assert ha.get(f"{ADMIN}/campaign/add/").status_code == 200
    form = {"questionnaire": sipas.pk, "name": "Khảo sát 2025", "unit": org["sxd"].pk, "period_from": "2025-01-01",
            "period_to": "2025-12-31", "margin": "0.2", "expected_share": "0.5", "expected_response_rate": "1"}
    refused = ha.post(f"{ADMIN}/campaign/add/", form | {"margin": "0.9"})
    assert refused.status_code == 200 and not Campaign.objects.exists()
    assert ha.post(f"{ADMIN}/campaign/add/", form).status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.created_by == people["ha"] and campaign.status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        ha.post(f"{ADMIN}/campaign/", {"action": "send", "_selected_action": [campaign.pk]})
    campaign.refresh_from_db()
    assert campaign.status == "sent" and campaign.sample_size == 9  # ⌈24.01 / (1 + 23.01 / 12)⌉ = ⌈8.23⌉
    page = ha.get(f"{ADMIN}/campaign/{campaign.pk}/change/").content.decode()
    assert "1.013236|online" in page and "0 / 9" in page
    assert 'name="name"' not in page  # read-only once created
    ha.post(f"{ADMIN}/campaign/{campaign.pk}/change/", {"name": "Đổi tên"})
    assert Campaign.objects.get(pk=campaign.pk).name == "Khảo sát 2025"
    assert ha.get(f"{ADMIN}/campaign/{campaign.pk}/delete/").status_code == 403


def test_officers_do_not_reach_the_survey_admin(client_for, sipas):
    for path in ("questionnaire/", "campaign/"):
        assert client_for("binh").get(f"{ADMIN}/{path}").status_code in (302, 403)
