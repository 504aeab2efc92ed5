"""The public transparency page and its open data (CSV, JSON): no sign-in, no personal data, and the same
figures as the summary API for each agency and procedure over the last 12 whole months."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine

from motcua.accounts.models import OrgUnit
from motcua.surveys import services as surveys

APRIL = dt.datetime(2025, 4, 15, 10, tzinfo=dt.UTC)


@pytest.fixture
def rated(march):  # type: ignore[no-untyped-def]
    # Six answers: the public page shows a satisfaction share from the minimum group of five.
    for overall in (5, 4, 2, 5, 4, 2):
        surveys.record(surveys.per_dossier_form(dt.date(2025, 3, 1)),
                       surveys.Answers({"time": 4, "visits": 4, "attitude": 4, "overall": overall}),
                       surveys.Where(OrgUnit.objects.get(code="T.SXD"), dt.date(2025, 3, 1),
                                     procedure_code="1.013236"), "link")
    return march


def test_public_page_for_anyone(client, rated):
    with time_machine.travel(APRIL):
        r = client.get("/thong-ke/cong-khai/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Sở Xây dựng" in html and "Cấp giấy phép xây dựng mới" in html
    assert "01/04/2024" in html and "31/03/2025" in html
    assert "71,4 %" in html  # on time 5 / 7
    assert "66,7 %" in html  # 4 of 6 ratings are 4 or 5
    assert "Nguyễn Văn An" not in html and "068090001234" not in html  # no personal data


def test_open_data_equals_the_api(client, rated, token_for):
    with time_machine.travel(APRIL):
        as_json = client.get("/thong-ke/cong-khai.json").json()
        as_csv = list(csv.DictReader(io.StringIO(client.get("/thong-ke/cong-khai.csv").content.decode("utf-8-sig"))))
        api = client.get("/api/v1/stats/summary?unit=T.SXD&procedure=1.013236&from=2024-04-01&to=2025-03-31",
                         HTTP_AUTHORIZATION=token_for("thanh")).json()
    assert (as_json["from"], as_json["to"]) == ("2024-04-01", "2025-03-31")
    [row] = as_json["rows"]
    assert (row["agency_code"], row["procedure_code"]) == ("T.SXD", "1.013236")
    for key in ("processed", "early", "early_rate", "on_time_rate"):
        assert row[key] == api[key], key
    # The public figures group indicator 2.1's way: an open dossier on time while within time, late once overdue.
    assert (row["on_time"], row["late"]) == (api["on_time"] + api["within_time"], api["late"] + api["overdue"])
    assert (row["ratings"], row["satisfaction"]) == (6, pytest.approx(0.6667))
    [line] = as_csv
    assert float(line["on_time_rate"]) == api["on_time_rate"] and int(line["processed"]) == api["processed"]
    assert "applicant" not in " ".join(as_json["fields"])


def test_no_ratings_is_said_so(client, march):
    with time_machine.travel(APRIL):
        html = client.get("/thong-ke/cong-khai/").content.decode()
        row = client.get("/thong-ke/cong-khai.json").json()["rows"][0]
    assert row["satisfaction"] is None and row["ratings"] == 0
    assert "chưa có dữ liệu" in html.lower() or "no data" in html.lower()


def test_fewer_ratings_than_the_minimum_group_are_not_published(client, march):
    # Four answers: under the surveys' minimum group of five, neither their count nor their share is shown.
    for overall in (5, 4, 2, 1):
        surveys.record(surveys.per_dossier_form(dt.date(2025, 3, 1)),
                       surveys.Answers({"time": 4, "visits": 4, "attitude": 4, "overall": overall}),
                       surveys.Where(OrgUnit.objects.get(code="T.SXD"), dt.date(2025, 3, 1),
                                     procedure_code="1.013236"), "link")
    with time_machine.travel(APRIL):
        row = client.get("/thong-ke/cong-khai.json").json()["rows"][0]
    assert row["satisfaction"] is None and row["ratings"] == 0


def _rate(overall: int) -> None:
    surveys.record(surveys.per_dossier_form(dt.date(2025, 3, 1)),
                   surveys.Answers({"time": 4, "visits": 4, "attitude": 4, "overall": overall}),
                   surveys.Where(OrgUnit.objects.get(code="T.SXD"), dt.date(2025, 3, 1), procedure_code="1.013236"),
                   "link")


def test_the_pages_show_the_last_publication_until_the_job_computes_it_again(client, rated):
    from django.core.management import call_command

    from motcua.stats.models import PublishedResults

    with time_machine.travel(APRIL):
        first = client.get("/thong-ke/cong-khai.json").json()
        assert first["rows"][0]["ratings"] == 6 and first["computed_at"]
        assert PublishedResults.objects.count() == 1
        client.get("/thong-ke/cong-khai/")  # kept in the page cache under the publication's token
        for overall in (5, 5, 5, 5):
            _rate(overall)
        # Not yet computed again: the three answers of the publication, and the page as it was.
        assert client.get("/thong-ke/cong-khai.json").json()["rows"][0]["ratings"] == 6
        assert "66,7 %" in client.get("/thong-ke/cong-khai/").content.decode()
    with time_machine.travel(APRIL + dt.timedelta(minutes=20)):
        call_command("stats", "publish", stdout=io.StringIO())
        again = client.get("/thong-ke/cong-khai.json").json()
        html = client.get("/thong-ke/cong-khai/").content.decode()
    assert again["rows"][0]["ratings"] == 10 and again["computed_at"] > first["computed_at"]
    assert "80,0 %" in html and "66,7 %" not in html  # 8 of 10: the page cache followed the new publication
    assert PublishedResults.objects.count() == 1  # the period's row replaced, not duplicated


def test_a_cached_visit_reads_no_statistics(client, rated, django_assert_max_num_queries):
    with time_machine.travel(APRIL):
        client.get("/thong-ke/cong-khai/")
        with django_assert_max_num_queries(2):  # the publication's token (and the session), not the rollups
            r = client.get("/thong-ke/cong-khai/")
    assert r.status_code == 200 and "71,4 %" in r.content.decode()


def test_a_new_month_is_published_on_its_first_visit(client, rated):
    from motcua.stats.models import PublishedResults

    with time_machine.travel(APRIL):
        client.get("/thong-ke/cong-khai.json")
    with time_machine.travel(APRIL + dt.timedelta(days=30)):
        body = client.get("/thong-ke/cong-khai.json").json()
    assert (body["from"], body["to"]) == ("2024-05-01", "2025-04-30")
    assert sorted(PublishedResults.objects.values_list("last", flat=True)) == [dt.date(2025, 3, 31),
                                                                                dt.date(2025, 4, 30)]

