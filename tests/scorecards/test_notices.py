"""Notices of the cycle: the council hears of a submitted self-assessment; the agency's leaders hear of the
appraisal and the end of their appeal window. The notices are read exactly by those who may see the
assessment."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from motcua.notifications import defaults
from motcua.notifications import services as notify_services
from motcua.notifications.models import Message
from motcua.notifications.selectors import can_view_subject
from motcua.scorecards import services

from .conftest import score

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _submitted(a, people):  # type: ignore[no-untyped-def]
    services.self_score(score(a, "1.1"), "3", "", people["giang"])
    services.self_score(score(a, "1.2"), "1.5", "", people["giang"])
    services.submit(a, people["giang"])


def test_the_council_hears_of_a_submission_and_the_leader_of_the_appraisal(assessments, council):  # type: ignore[no-untyped-def]
    notify_services.seed_default_templates()
    council["nga"].email, council["giang"].email = "nga@snv.example.gov.vn", "giang@sxd.example.gov.vn"
    council["nga"].save()
    council["giang"].save()
    a = assessments["sxd"]
    with time_machine.travel(dt.datetime(2026, 12, 3, 9, tzinfo=VN), tick=False):
        _submitted(a, council)
        sent = Message.objects.get(key=defaults.REFORM_SUBMITTED)
        assert (sent.recipient_name, sent.subject_ref) == ("Đinh Thị Nga", f"reform-assessment:{a.pk}")
        assert "Sở Xây dựng đã gửi kết quả tự đánh giá" in sent.subject and "4,50" in sent.body
        services.send_appraisal(a, council["nga"])
    told = Message.objects.filter(key=defaults.REFORM_APPRAISED)
    # Only the leader of Sở Xây dựng: not the specialist, not the other agency's leader.
    assert [m.recipient_name for m in told] == ["Hoàng Văn Giang"]
    # Sent Thursday 3/12: the window ends at the end of Thursday 10/12 (5 working days).
    assert "kiến nghị đến 17:00 10/12/2026" in told[0].body
    assert f"/cai-cach/danh-gia/{a.pk}/" in told[0].body


def test_the_notices_are_read_by_those_who_see_the_assessment(assessments, council):  # type: ignore[no-untyped-def]
    ref = services.subject_ref(assessments["sxd"])
    seen = {who: can_view_subject(council[who], ref) for who in ("giang", "cuong", "nga", "thanh", "khanh", "an")}
    assert seen == {"giang": True, "cuong": True, "nga": True, "thanh": True, "khanh": False, "an": False}
    assert not can_view_subject(council["giang"], "reform-assessment:abc")
    assert not can_view_subject(council["giang"], "reform-assessment:999999")


def test_each_notice_has_its_texts_in_both_languages_for_every_channel():  # type: ignore[no-untyped-def]
    assert {(k, lang, ch) for k, lang, ch, _s, _b in defaults.TEMPLATES if k.startswith("reform.")} == {
        (k, lang, ch) for k in ("reform.submitted", "reform.appraised") for lang in ("vi", "en")
        for ch in ("any", "sms")}
