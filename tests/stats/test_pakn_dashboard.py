"""The feedback section of the statistics pages and API: each count links to the staff queue filtered to the
items behind it, and the queue's filters give back the same items."""

from __future__ import annotations

import datetime as dt
import re

from motcua.accounts.models import OrgUnit
from motcua.feedback.choices import Channel
from motcua.feedback.models import FeedbackItem
from tests.stats.test_pakn_indicators import q1, t  # noqa: F401  (the hand-made first quarter of 2026)

Q1 = "period=custom&from=2026-01-01&to=2026-03-31"


def _queue(user, url: str) -> set[str]:  # type: ignore[no-untyped-def]
    """What the staff queue page lists for a link of the dashboard (one page of 25 holds the test's items)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return set(re.findall(r'href="/phan-anh/can-bo/([^/"?]+)/"', response.content.decode())) - {"nhap"}


def test_the_api_gives_the_feedback_figures(q1, client_for, client):  # noqa: F811
    r = client_for("giang").get("/api/v1/stats/feedback?unit=T.SXD&from=2026-01-01&to=2026-03-31")
    assert r.status_code == 200, r.content
    body = r.json()
    # Received in Q1 by the department: A B C D E F G H M (9; K came in 2025; spam and merged left out).
    assert body["received"] == 9 and body["handled"] == 10 and body["on_time"] == 6
    assert body["on_time_rate"] == 0.6
    assert {c["key"]: c["count"] for c in body["by_channel"]} == {"web": 9}
    # Answers approved in Q1: A, B, E, F and K (M on 20/04): 5. F: received Mon 05/01 09:00, approved Tue
    # 20/01 09:00: 11 working days (06-09/01, 12-16/01, 19-20/01) to the hour.
    assert body["approved"] == 5
    assert min(r["avg_working_days"] or 99 for r in body["by_field"]) > 0
    assert client_for("an").get("/api/v1/stats/feedback?unit=T.SXD").status_code == 403
    assert client.get("/api/v1/stats/feedback?unit=T.SXD").status_code in (401, 403)


def test_the_dashboard_links_each_count_to_its_items(q1, client_for, people):  # noqa: F811
    html = client_for("giang").get(f"/thong-ke/don-vi/T.SXD/?{Q1}").content.decode()
    assert 'id="feedback-h"' in html and "Phản ánh, kiến nghị" in html
    sxd = OrgUnit.objects.get(code="T.SXD")
    from motcua.stats.forms import Period
    from motcua.stats.views import feedback_url

    period = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31), "")
    received = feedback_url(sxd, period)
    assert received.replace("&", "&amp;") in html
    giang = people["giang"]
    assert _queue(giang, received) == {q1[k].code for k in "ABCDEFGHM"}
    assert _queue(giang, feedback_url(sxd, period, handled=True)) == {q1[k].code for k in "ABCDEFGHKM"}
    assert _queue(giang, feedback_url(sxd, period, channel=Channel.PHONE)) == set()
    FeedbackItem.objects.filter(pk=q1["A"].pk).update(channel=Channel.PHONE)
    assert _queue(giang, feedback_url(sxd, period, channel=Channel.PHONE)) == {q1["A"].code}


def test_working_days_to_answer_skip_the_days_off(q1):  # noqa: F811
    from motcua.calendars import selectors as calendars
    from motcua.stats import pakn

    # F: Mon 05/01/2026 09:00 → Tue 20/01 09:00. Weekdays 06-09/01, 12-16/01, 19/01 and the two part days
    # make 11, and Saturday 10/01 is worked in exchange for Friday 02/01 (the New Year bridge of 2026): 12.
    cal = calendars.get_calendar("T.SXD")
    assert cal.is_working_day(dt.date(2026, 1, 10)) and not cal.is_working_day(dt.date(2026, 1, 2))
    f = q1["F"]
    assert pakn.working_days(f, f.approved_at) == 12.0
    # A: Thu 12/02 09:00 → Thu 12/03 16:00, Tết (16-20/02) skipped: 9:00 → 9:00 spans the working days 12/02,
    # 13/02, 23-27/02, 02-06/03, 09-11/03: 15; then 9:00 → 16:00 on 12/03 is 6 working hours of 8 (the lunch
    # break left out): 15.75.
    a = q1["A"]
    assert pakn.working_days(a, a.approved_at) == 15.75
