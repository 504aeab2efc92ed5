"""Open311 GeoReport v2 at /open311/v2/: every endpoint in JSON and XML, the specification's errors, what the
public may and may not read, API keys and the POST rate limit (Django's test client); then a real HTTP server
driven by the ``georeport`` client library from PyPI (test_live_*)."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
import requests
import xmltodict
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from georeport import GeoReport

from motcua.core.errors import PermissionDenied
from motcua.feedback import selectors, services
from motcua.feedback.models import ApiClient, FeedbackItem

from .conftest import answer_it, regulation

BASE = "/open311/v2"
PLANTED = ("Nguyễn Văn An", "0912345678", "an@example.com", "001085012345", "Trần Phú")


@pytest.fixture(autouse=True)
def _clean_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def key(org, people):  # type: ignore[no-untyped-def]
    return services.issue_api_key(people["ha"], name="Ứng dụng Đà Lạt", agency=org["sxd"])[1]


def xml_of(response):  # type: ignore[no-untyped-def]
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own server's answer


def post(client: Client, fmt: str = "json", **data: str):  # type: ignore[no-untyped-def]
    return client.post(f"{BASE}/requests.{fmt}", data)


GOOD = {"service_code": "regulation-feedback", "first_name": "Văn An", "last_name": "Nguyễn",
        "email": "an@example.com", "phone": "0912345678",
        "description": "Quy định nộp bản vẽ hai lần khi xin giấy phép xây dựng là không cần thiết."}


# --- discovery and services --------------------------------------------------------------------------------------

def test_discovery_in_json_and_xml_names_the_endpoint_and_says_post_is_synchronous(db, client):
    data = client.get(f"{BASE}/discovery.json").json()
    assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert data["endpoints"][0]["url"].endswith("/open311/v2/")
    assert set(data["endpoints"][0]["formats"]) == {"text/xml", "application/json"}
    assert "service_request_id" in data["key_service"]
    root = xml_of(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_services_are_the_pakn_kinds_in_vietnamese(db, client):
    data = client.get(f"{BASE}/services.json").json()
    assert [s["service_code"] for s in data] == ["regulation-feedback", "regulation-petition", "conduct"]
    assert {s["service_code"]: s["metadata"] for s in data} == {
        "regulation-feedback": False, "regulation-petition": True, "conduct": True}
    assert data[1]["service_name"] == "Kiến nghị về quy định hành chính"
    assert all(s["type"] == "realtime" and s["group"] and s["keywords"] for s in data)
    root = xml_of(client.get(f"{BASE}/services.xml"))
    assert [s.findtext("service_code") for s in root.findall("service")] == [s["service_code"] for s in data]
    assert root.find("service/metadata").text == "false"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definitions_carry_their_attributes(db, client, fmt):
    response = client.get(f"{BASE}/services/regulation-petition.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        attr = response.json()["attributes"][0]
        assert (attr["code"], attr["datatype"], attr["required"], attr["variable"]) == ("proposal", "text", True,
                                                                                          True)
    else:
        root = xml_of(response)
        assert root.tag == "service_definition"
        assert root.findtext("attributes/attribute/code") == "proposal"
        assert root.findtext("attributes/attribute/required") == "true"
    conduct = client.get(f"{BASE}/services/conduct.json").json()
    assert conduct["attributes"][0]["code"] == "dossier_code" and conduct["attributes"][0]["required"] is False


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_is_a_404_in_the_specifications_error_format(db, client, fmt):
    response = client.get(f"{BASE}/services/potholes.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert response.json()[0]["code"] == 404 and response.json()[0]["description"]
    else:
        root = xml_of(response)
        assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_wrong_method_unknown_resource_and_tokens(db, client):
    response = client.post(f"{BASE}/services.json")
    assert response.status_code == 405 and response.json()[0]["code"] == 405
    assert "GET" in response["Allow"]
    assert client.get(f"{BASE}/nothing.json").json()[0]["code"] == 404
    assert xml_of(client.get(f"{BASE}/services")).findtext("error/code") == "404"  # no extension: no format
    token = client.get(f"{BASE}/tokens/abc.json")
    assert token.status_code == 404 and "service_request_id" in token.json()[0]["description"]


# --- POST -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_with_a_valid_key_answers_the_code_at_once(client, key, org, fmt):
    response = post(client, fmt, api_key=key, **GOOD, address_string="Phường 1, Đà Lạt", lat="11.94",
                    long="108.44")
    assert response.status_code == 201
    if fmt == "json":
        code = response.json()[0]["service_request_id"]
        assert "Sở Xây dựng" in response.json()[0]["service_notice"]
    else:
        code = xml_of(response).findtext("request/service_request_id")
    item = FeedbackItem.objects.get(code=code)
    assert (item.channel, item.agency, item.topic, item.kind) == ("open311", org["sxd"], "regulation", "feedback")
    assert item.api_client.name == "Ứng dụng Đà Lạt"
    assert (item.sender_name, item.sender_email, item.sender_phone) == ("Văn An Nguyễn", "an@example.com",
                                                                         "0912345678")
    assert item.title.startswith("Quy định nộp bản vẽ") and item.address_string == "Phường 1, Đà Lạt"
    assert float(item.lat) == pytest.approx(11.94)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("bad", ["", "deadbeef.nope"])
def test_post_without_a_valid_key_is_403_and_creates_nothing(client, key, fmt, bad):
    response = post(client, fmt, api_key=bad, **GOOD)
    assert response.status_code == 403
    if fmt == "xml":
        assert xml_of(response).findtext("error/code") == "403"
    assert not FeedbackItem.objects.exists()


def test_errors_speak_vietnamese_first_and_english_on_request(client, key):
    assert post(client, api_key="x", **GOOD).json()[0]["description"] == "Thiếu api_key hoặc api_key không hợp lệ."
    english = client.post(f"{BASE}/requests.json", {"api_key": "x", **GOOD}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()[0]["description"] == "The api_key is missing or not valid."


def test_a_revoked_key_is_refused(client, key, people):
    services.revoke_api_key(people["ha"], selectors.client_for_key(key))  # type: ignore[arg-type]
    assert post(client, api_key=key, **GOOD).status_code == 403


@pytest.mark.parametrize(("change", "status", "word"), [
    ({"description": ""}, 400, "description"),
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "potholes"}, 404, "service_code"),
    ({"service_code": "regulation-petition"}, 400, "attribute[proposal]"),
    ({"media_url": "ftp://x/y.jpg"}, 400, "media_url"),
    ({"lat": "abc", "long": "108"}, 400, "lat"),
    ({"lat": "11.9"}, 400, ""),  # a latitude without its longitude (the service's own check)
    ({"email": "not-an-address"}, 400, ""),
    ({"description": "ngắn"}, 400, ""),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_posts_are_refused_with_the_reason(client, key, change, status, word, fmt):
    response = post(client, fmt, api_key=key, **{**GOOD, **change})
    assert response.status_code == status
    description = (response.json()[0]["description"] if fmt == "json"
                   else xml_of(response).findtext("error/description"))
    assert description and word in description
    assert not FeedbackItem.objects.exists()


def test_a_petition_carries_its_proposal_and_media_url_is_kept_not_fetched(client, key):
    response = post(client, api_key=key, **{**GOOD, "service_code": "regulation-petition"},
                    **{"attribute[proposal]": "Chỉ nộp bản vẽ một lần.", "media_url": "https://anh.example/1.jpg"})
    assert response.status_code == 201
    item = FeedbackItem.objects.get()
    assert (item.kind, item.proposal) == ("petition", "Chỉ nộp bản vẽ một lần.")
    assert item.content.endswith("Ảnh: https://anh.example/1.jpg")
    assert not item.attachments.exists()


def test_conduct_needs_a_name_and_a_contact(client, key):
    bare = {"service_code": "conduct", "description": "Cán bộ một cửa yêu cầu nộp thêm giấy tờ không có trong "
            "danh mục."}
    refused = post(client, api_key=key, **bare)
    assert refused.status_code == 400 and "(name)" in refused.json()[0]["description"]
    assert post(client, api_key=key, **bare, first_name="An").status_code == 400
    ok = post(client, api_key=key, **bare, first_name="An", last_name="Nguyễn", phone="0912345678")
    assert ok.status_code == 201
    assert FeedbackItem.objects.get().topic == "conduct"


def test_conduct_about_a_dossier_links_the_dossier_and_its_officers(client, key, org, people, run):
    from motcua.dossiers import services as dossiers

    from ..dossiers.conftest import intake, make_procedure, upload

    make_procedure(org)
    dossier = run(dossiers.receive_at_desk, people["binh"], intake(), [upload()])
    response = post(client, api_key=key, service_code="conduct", first_name="An", last_name="Nguyễn",
                    phone="0912345678", description="Hồ sơ bị yêu cầu bổ sung giấy tờ ngoài danh mục.",
                    **{"attribute[dossier_code]": dossier.code})
    assert response.status_code == 201, response.content
    item = FeedbackItem.objects.get()
    assert (item.topic, item.dossier, item.agency) == ("conduct", dossier, org["sxd"])
    assert people["binh"] in item.officers.all()
    unknown = post(client, api_key=key, service_code="conduct", first_name="An", phone="0912345678",
                   description="Hồ sơ bị yêu cầu bổ sung giấy tờ ngoài danh mục.",
                   **{"attribute[dossier_code]": "KHONG-CO"})
    assert unknown.status_code == 400 and "dossier_code" in unknown.json()[0]["description"]
    assert client.get(f"{BASE}/requests/{item.code}.json").json()[0]["description"] is None


def test_post_is_rate_limited_per_key_and_per_address(client, key, org, people, settings):
    settings.MOTCUA_OPEN311_RATE_LIMIT_KEY = 2
    settings.MOTCUA_OPEN311_RATE_LIMIT_ADDRESS = 100
    assert [post(client, api_key=key, **GOOD).status_code for _ in range(3)] == [201, 201, 429]
    refused = post(client, "xml", api_key=key, **GOOD)
    assert refused.status_code == 429 and refused["Retry-After"]
    other_key = services.issue_api_key(people["ha"], name="Khác", agency=org["sxd"])[1]
    assert post(client, api_key=other_key, **GOOD).status_code == 201  # another key: its own allowance
    settings.MOTCUA_OPEN311_RATE_LIMIT_KEY = 100
    settings.MOTCUA_OPEN311_RATE_LIMIT_ADDRESS = 3  # 3 accepted from this address (those the key refused
    # never reached the address count)
    assert post(client, api_key=other_key, **GOOD).status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert post(elsewhere, api_key=other_key, **GOOD).status_code == 201
    assert FeedbackItem.objects.count() == 4


# --- GET requests -----------------------------------------------------------------------------------------------

@pytest.fixture
def items(org, people, run):  # type: ignore[no-untyped-def]
    """A published answer, an open item, a rejected one, a conduct item and a hidden (spam) one, all with the
    sender's planted personal data."""
    published = answer_it(services.submit(regulation(agency=org["sxd"], address_string="số 12 Trần Phú",
                                                     lat=11.940123, long=108.444567), channel="web"), people)
    published = services.publish(published, people["giang"])
    waiting = services.submit(regulation(agency=org["sxd"], title="Bí mật chưa công bố"), channel="web")
    rejected = services.submit(regulation(agency=org["sxd"]), channel="web")
    rejected = services.reject(rejected, people["binh"], reason="Nội dung là khiếu nại của ông Nguyễn Văn An "
                               "(0912345678), không phải phản ánh.")
    conduct = services.submit(regulation(agency=org["sxd"], topic="conduct",
                                         content="Cán bộ Cường gây khó khăn khi nhận hồ sơ."), channel="web")
    spam = services.submit(regulation(agency=org["sxd"], title="Quảng cáo"), channel="web")
    services.mark_spam(spam, people["binh"])
    return {"published": published, "waiting": waiting, "rejected": rejected, "conduct": conduct, "spam": spam}


def test_requests_never_show_the_sender_nor_a_hidden_item_nor_unpublished_text(client, items):
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}/requests.{fmt}").content.decode()
        for planted in PLANTED:
            assert planted not in body, (fmt, planted)
        assert items["spam"].code not in body and "Quảng cáo" not in body
        assert "Bí mật chưa công bố" not in body and "Cường" not in body
    rows = {r["service_request_id"]: r for r in client.get(f"{BASE}/requests.json").json()}
    assert set(rows) == {items[k].code for k in ("published", "waiting", "rejected", "conduct")}
    pub = rows[items["published"].code]
    assert pub["status"] == "closed" and pub["description"] == items["published"].public_title
    assert pub["status_notes"] == items["published"].public_answer and "Sở Xây dựng đã xem xét" in pub["status_notes"]
    # The place's text never: the approver's redaction step does not cover it; coordinates to about 100 m.
    assert pub["address"] is None and (pub["lat"], pub["long"]) == (11.94, 108.445)
    assert pub["agency_responsible"] == "Sở Xây dựng"
    waiting = rows[items["waiting"].code]
    assert (waiting["status"], waiting["description"], waiting["lat"]) == ("open", None, None)
    assert waiting["service_code"] == "regulation-feedback"
    assert waiting["expected_datetime"] == timezone.localtime(items["waiting"].answer_due).replace(
        microsecond=0).isoformat()
    assert waiting["requested_datetime"].endswith("+07:00")
    rejected = rows[items["rejected"].code]
    assert rejected["status"] == "closed" and "không phải phản ánh" in rejected["status_notes"]
    conduct = rows[items["conduct"].code]
    assert conduct["service_code"] == "conduct" and conduct["description"] is None
    assert conduct["status_notes"] == waiting["status_notes"]  # the status's label only, as any open item's


def test_one_request_in_json_and_xml_and_hidden_or_unknown_is_404(client, items):
    code = items["published"].code
    row = client.get(f"{BASE}/requests/{code}.json").json()
    assert len(row) == 1 and row[0]["service_request_id"] == code
    root = xml_of(client.get(f"{BASE}/requests/{code}.xml"))
    assert root.tag == "service_requests" and root.findtext("request/service_request_id") == code
    assert root.findtext("request/address_id") == ""
    for missing in (items["spam"].code, "T.SXD-PA26-99999"):
        response = client.get(f"{BASE}/requests/{missing}.xml")
        assert response.status_code == 404 and xml_of(response).findtext("error/code") == "404"


def test_request_filters(client, items):
    def codes(**params: str) -> list[str]:
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return sorted(r["service_request_id"] for r in response.json())

    every = sorted(items[k].code for k in ("published", "waiting", "rejected", "conduct"))
    assert codes() == every
    wanted = f"{items['waiting'].code},{items['spam'].code},nope"
    assert codes(service_request_id=wanted) == [items["waiting"].code]
    assert codes(service_code="conduct") == [items["conduct"].code]
    assert codes(service_code="regulation-feedback,conduct") == every
    assert codes(service_code="regulation-petition") == []
    assert codes(status="open") == sorted([items["waiting"].code, items["conduct"].code])
    assert codes(status="closed") == sorted([items["published"].code, items["rejected"].code])
    assert codes(status="open,closed") == every
    now = timezone.now()
    assert codes(start_date=(now - dt.timedelta(days=1)).isoformat()) == every
    assert codes(end_date=(now - dt.timedelta(days=1)).isoformat()) == []
    assert codes(start_date="2026-01-01T00:00:00Z", end_date="2026-01-31T00:00:00+07:00") == []
    day_before = timezone.localtime(now - dt.timedelta(days=1)).replace(microsecond=0).isoformat()
    unencoded = client.get(f"{BASE}/requests.json?start_date={day_before}")  # its "+" arrives as a space
    assert sorted(r["service_request_id"] for r in unencoded.json()) == every


@pytest.mark.parametrize("params", [
    {"status": "pending"}, {"start_date": "yesterday"}, {"start_date": "2026-08-01T00:00:00"},
    {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
    {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
])
def test_bad_request_filters_are_400(client, items, params):
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests.{fmt}", params)
        assert response.status_code == 400
    assert client.get(f"{BASE}/requests.json", {"service_code": "potholes"}).status_code == 404


# --- keys: service, command, admin -------------------------------------------------------------------------------

def test_only_an_administrator_issues_keys_and_the_key_is_stored_hashed(org, people):
    with pytest.raises(PermissionDenied):
        services.issue_api_key(people["giang"], name="X", agency=org["sxd"])
    client, key = services.issue_api_key(people["ha"], name="X", agency=org["sxd"])
    assert key not in (client.digest, client.prefix) and selectors.client_for_key(key) == client
    assert selectors.client_for_key(key + "x") is None


def test_issue_key_and_revoke_key_commands(org):
    out = io.StringIO()
    call_command("feedback", "issue-key", "--name", "Cổng tỉnh", "--agency", "T.SXD", stdout=out)
    key = out.getvalue().strip()
    client = selectors.client_for_key(key)
    assert client is not None and client.agency == org["sxd"] and client.name == "Cổng tỉnh"
    with pytest.raises(CommandError):
        call_command("feedback", "issue-key", "--name", "X", "--agency", "NOPE")
    with pytest.raises(CommandError):
        call_command("feedback", "issue-key", "--name", "", "--agency", "T.SXD")
    out = io.StringIO()
    call_command("feedback", "revoke-key", key.split(".")[0], stdout=out)
    assert "revoked" in out.getvalue() and selectors.client_for_key(key) is None
    with pytest.raises(CommandError):
        call_command("feedback", "revoke-key", "nothing")


def test_admin_add_issues_a_key_shown_once_and_revokes(client_for, org):
    admin = client_for("ha")
    response = admin.post("/quan-tri/feedback/apiclient/add/", {"name": "Ứng dụng", "agency": org["sxd"].pk},
                          follow=True)
    assert response.status_code == 200
    client = ApiClient.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    key = next(word for m in shown for word in m.split() if word.startswith(client.prefix + "."))
    assert selectors.client_for_key(key) == client and client.created_by.username == "ha"
    page = admin.get(f"/quan-tri/feedback/apiclient/{client.pk}/change/").content.decode()
    assert key not in page and client.digest in page
    admin.post("/quan-tri/feedback/apiclient/", {"action": "revoke", "_selected_action": [client.pk]})
    assert selectors.client_for_key(key) is None
    assert client_for("giang").get("/quan-tri/feedback/apiclient/add/").status_code in (302, 403)


# --- a real HTTP server and a GeoReport v2 client from PyPI ----------------------------------------------------

@pytest.fixture
def live(live_server, org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MOTCUA_PUBLIC_BASE_URL = live_server.url
    key = services.issue_api_key(people["ha"], name="Ứng dụng thử", agency=org["sxd"])[1]
    return live_server.url + BASE, key


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_live_georeport_client_reads_services_and_definitions(live, fmt):
    root, _ = live
    geo = GeoReport(root, output_format=fmt)
    listed = geo.get_service_list()
    assert [s["service_code"] for s in listed] == ["regulation-feedback", "regulation-petition", "conduct"]
    definition = geo.get_service_definition("regulation-petition")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    first = attributes[0] if isinstance(attributes, list) else attributes
    assert first["code"] == "proposal" and str(first["required"]).lower() == "true"
    with pytest.raises(requests.HTTPError) as caught:
        geo.get_service_definition("potholes")
    assert caught.value.response.status_code == 404


def _live_post(root: str, fmt: str, **data: str) -> requests.Response:
    # georeport reads only (it says so: no creation of requests), so the POST goes through requests, its own
    # HTTP library, and the answer is parsed as the library parses XML (xmltodict).
    return requests.post(f"{root}/requests.{fmt}", data=data, timeout=30)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_live_post_then_read_it_back_with_the_client(live, fmt):
    root, key = live
    created = _live_post(root, fmt, api_key=key, **GOOD)
    assert created.status_code == 201
    if fmt == "json":
        code = created.json()[0]["service_request_id"]
    else:
        code = xmltodict.parse(created.content)["service_requests"]["request"]["service_request_id"]
    geo = GeoReport(root, output_format=fmt)
    one = geo.get_service_request(code)
    assert one["service_request_id"] == code and one["status"] == "open"
    assert one["service_code"] == "regulation-feedback" and one["agency_responsible"] == "Sở Xây dựng"
    assert not one.get("description")  # not published: no text
    listed = geo.get_service_requests(service_request_id=code, status="open")
    row = listed if isinstance(listed, dict) else listed[0]
    assert row["service_request_id"] == code
    text = requests.get(f"{root}/requests.{fmt}", timeout=30).text
    for planted in PLANTED:
        assert planted not in text
    with pytest.raises(requests.HTTPError) as caught:
        geo.get_service_request("T.SXD-PA26-99999")
    assert caught.value.response.status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_live_bad_key_is_403_and_missing_field_is_400(live, fmt):
    root, key = live
    refused = _live_post(root, fmt, api_key="00000000.wrong", **GOOD)
    assert refused.status_code == 403
    missing = _live_post(root, fmt, api_key=key, service_code="regulation-feedback")
    assert missing.status_code == 400
    for response, status in ((refused, 403), (missing, 400)):
        if fmt == "json":
            assert response.json()[0]["code"] == status
        else:
            assert int(xmltodict.parse(response.content)["errors"]["error"]["code"]) == status
    assert not FeedbackItem.objects.exists()
    if fmt == "json":
        assert GeoReport(root, output_format=fmt).get_service_requests() == []
    else:  # georeport cannot read an empty XML list (xmltodict gives None for <service_requests/>)
        empty = requests.get(f"{root}/requests.xml", timeout=30)
        assert xmltodict.parse(empty.content) == {"service_requests": None}
