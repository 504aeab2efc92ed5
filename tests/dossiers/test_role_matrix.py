"""Issue 21: the role matrix, generated — every API operation (from the OpenAPI document) and every page (from
the URL map), not a hand list, asked by everyone outside one dossier's scope: an officer of another agency, another
citizen and an anonymous visitor. Reads are asked with the dossier's identifiers in every path parameter and every
string query parameter (finding 1 was a query parameter: ``/api/v1/notifications?subject=dossier:<code>``);
writes are sent with an empty body. None may answer with the applicant's personal data, a file of the dossier, or
a 5xx, and the dossier must not change. The same requests by the desk officer who received it show the data, so
the markers are seen when they are there. Runs on SQLite and on PostgreSQL (the two suites)."""

from __future__ import annotations

import contextlib
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import openpyxl
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from pypdf import PdfReader
from pypdf.errors import PyPdfError as PdfError

from motcua.accounts import services as accounts_services
from motcua.accounts.choices import Role
from motcua.api import api
from motcua.dossiers import actions, issuing, services
from motcua.dossiers.models import Attachment, Dossier
from motcua.notifications.models import Message
from tests.conftest import _person

from .conftest import intake, upload

pytestmark = pytest.mark.django_db

# The applicant's personal data, each a string no other fixture contains.
ID_NUMBER, PHONE, EMAIL = "068190007777", "0987001122", "baomat.riengtu@example.vn"
NAME, ADDRESS = "Trịnh Bảo Mật", "77 ngõ Kín Đáo, phường Lâm Viên - Đà Lạt"
MARKERS = (ID_NUMBER, PHONE, EMAIL, NAME, "Kín Đáo")
# PDFs and workbooks are read as text; any other file reaching an outsider is a finding in itself, except where
# the content is public by design (the catalogue's blank forms and exports).
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/problem+json", "image/svg")
PUBLIC_BINARY = (re.compile(r"^/thu-tuc/[^/]+/mau/\d+/$"), re.compile(r"^/api/v1/procedures/export"),
                 re.compile(r"^/static/"))
# The development-only error pages (urls.py, DEBUG) answer 500 on purpose.
SKIP = re.compile(r"^/(admin|static|media|healthz|__errors__)\b|^/tai-khoan/dang-xuat/|^/ket-noi/vneid/")


@pytest.fixture
def world(people, procedure, settings, django_capture_on_commit_callbacks) -> dict[str, Any]:
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"
    applicant = services.Applicant(name=NAME, id_number=ID_NUMBER, address=ADDRESS, phone=PHONE, email=EMAIL)
    with django_capture_on_commit_callbacks(execute=True):  # the notices of the receipt are sent on commit
        d = services.submit_online(people["an"], intake(applicant=applicant), [upload()])
        d = services.accept(people["binh"], d)
        issuing.issue(people["binh"], d, "receipt")
    assert Message.objects.filter(subject_ref=f"dossier:{d.code}").exists()
    lan = _person("lan", "Mai Thị Lan", None, Role.CITIZEN)
    attachment = Attachment.objects.filter(dossier=d).first()
    assert attachment is not None
    return {"dossier": d, "attachment": attachment, "lan": lan}


def _values(d: Dossier, attachment: Attachment) -> dict[str, list[str]]:
    """What to put in a path parameter, by its name; a name not here gets the dossier's code and a number."""
    ids = [d.code, d.reference]
    return {
        "code": [*ids, d.procedure.code], "procedure_code": [d.procedure.code], "form": ["receipt", "01"],
        "file_id": [str(attachment.pk)], "attachment_id": [str(attachment.pk)], "order": ["1"],
        "dossier_id": [str(d.pk)], "pk": [str(d.pk), "1"], "key": [str(uuid.uuid4())],
        "job_id": [str(uuid.uuid4())], "token": ["x" * 20], "slug": sorted(s.slug for s in actions.REGISTRY.values()),
        "fmt": ["json"], "year": ["2026"], "channel": ["sms"],
    }


def _fill(path: str, values: dict[str, list[str]]) -> Iterator[str]:
    """Every URL a path template gives with the values of its parameters (one value of each at a time)."""
    names = re.findall(r"{(\w+)}", path)
    if not names:
        yield path
        return
    first = names[0]
    for value in values.get(first, values["code"] + ["1"]):
        yield from _fill(path.replace("{" + first + "}", value, 1), values)


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    """The URL map as path templates with ``{name}`` parameters (route converters and regex groups alike)."""
    for pattern in patterns:
        text = str(pattern.pattern)
        text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)  # route converters
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text).replace("^", "").replace("$", "").replace("\\", "")
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + text)
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + text


def _pages() -> list[str]:
    return sorted({r for r in _routes(get_resolver().url_patterns)
                   if not r.startswith("/api/") and not SKIP.search(r) and ".*" not in r})


def _operations() -> list[tuple[str, str, list[str]]]:
    schema = api.get_openapi_schema()
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            strings = [p["name"] for p in operation.get("parameters", [])
                       if p["in"] == "query" and p.get("schema", {}).get("type", "string") == "string"
                       and "format" not in p.get("schema", {})]
            found.append((method.upper(), path, strings))
    return found


def _binary_text(kind: str, body: bytes) -> str | None:
    """The text of a PDF or a workbook, to search like a page; None for a file that cannot be read as text."""
    if kind.startswith("application/pdf"):
        try:
            return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
        except PdfError:  # a scanned attachment need not be a well-formed PDF: it is then a file like any other
            return None
    if kind.startswith("application/zip"):
        # The citizen's copy of their data (portal, "Download my data"): every member read like a response of its
        # own; a member that cannot be read as text makes the whole archive unreadable, hence a finding.
        parts = []
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                data = archive.read(name)
                if name.endswith((".json", ".txt", ".csv")):
                    parts.append(json.dumps(json.loads(data), ensure_ascii=False) if name.endswith(".json")
                                 else data.decode("utf-8", "replace"))
                    continue
                text = _binary_text("application/pdf" if name.endswith(".pdf") else "", data)
                if text is None:
                    return None
                parts.append(text)
        return " ".join(parts)
    if kind.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                        for cell in row if cell is not None)
    return None


def _leaks(response: Any, url: str) -> list[str]:
    if response.status_code >= 500:
        return [f"{url}: {response.status_code}"]
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code == 200 and not kind.startswith(TEXT_TYPES) and body:
        text = _binary_text(kind, body)
        if text is None:
            return [] if any(p.search(url.split("?")[0]) for p in PUBLIC_BINARY) else [f"{url}: a {kind} file"]
    else:
        text = body.decode("utf-8", "replace")
    if kind.startswith("application/json"):
        with contextlib.suppress(ValueError):  # JSON may escape the Vietnamese letters: compare the decoded text
            text = json.dumps(json.loads(text), ensure_ascii=False)
    # What the request itself carried comes back in links and forms (the sign-in page's next=): not a leak.
    asked = unquote(url)
    return [f"{url}: shows {m!r}" for m in MARKERS if m in text and m not in asked]


def _ask(client: Client, method: str, url: str, auth: str | None) -> Any:
    cache.clear()  # the rate limits count per address: every request here comes from 127.0.0.1
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    if method == "GET":
        return client.get(url, **headers)
    if url.startswith("/api/"):
        return client.generic(method, url, "{}", content_type="application/json", **headers)
    return client.post(url, {}, **headers)


def _requests(d: Dossier, values: dict[str, list[str]]) -> Iterator[tuple[str, str]]:
    candidates = [d.code, d.reference, f"dossier:{d.code}", f"dossier:{d.pk}", ID_NUMBER, PHONE, NAME]
    for method, path, strings in _operations():
        for url in _fill(path, values):
            yield method, url
            if method == "GET":
                for name in strings:
                    for value in candidates:
                        yield method, f"{url}?{name}={value}"
    for path in _pages():
        for url in _fill(path, values):
            yield "GET", url
            yield "GET", f"{url}?q={ID_NUMBER}"
            yield "POST", url


def test_nobody_outside_the_dossier_sees_its_personal_data(world, people, token_for):
    d, attachment = world["dossier"], world["attachment"]
    values = _values(d, attachment)
    before = (d.status, d.event_count, d.last_event_hash, Attachment.objects.count())
    outsiders: list[tuple[str, Client, str | None]] = [("anonymous", Client(), None)]
    for username, user in (("khanh", people["khanh"]), ("lan", world["lan"])):
        client = Client()
        client.force_login(user)  # pages by session, the API by a token of the same person
        outsiders.append((username, client, "Bearer " + accounts_services.create_token(user, "matrix")[1]))
    requests = list(dict.fromkeys(_requests(d, values)))
    assert len(requests) > 500  # the matrix is generated: every operation and page is in it
    findings = []
    for who, client, auth in outsiders:
        for method, url in requests:
            for problem in _leaks(_ask(client, method, url, auth), url):
                findings.append(f"{who} {method} {problem}")
    assert not findings, "\n".join(findings[:40]) + f"\n({len(findings)} in all)"
    d.refresh_from_db()
    assert (d.status, d.event_count, d.last_event_hash, Attachment.objects.count()) == before


def test_the_markers_are_seen_where_they_belong(world, people, token_for, client_for):
    """The matrix can fail: the desk officer's API, the owner's page and the dossier's file show what it looks for."""
    d, attachment = world["dossier"], world["attachment"]
    binh = Client()
    api_answer = _ask(binh, "GET", f"/api/v1/dossiers/{d.code}", token_for("binh"))
    assert api_answer.status_code == 200 and _leaks(api_answer, "x"), api_answer.content
    page = client_for("binh").get(f"/ho-so/{d.code}/")
    assert page.status_code == 200 and _leaks(page, "x")
    notices = _ask(binh, "GET", f"/api/v1/notifications?subject=dossier:{d.code}", token_for("binh"))
    assert notices.status_code == 200 and notices.json()["count"] >= 1
    assert _leaks(notices, "x")  # the notice names the applicant (finding 1 was this answer to khanh)
    file = _ask(binh, "GET", f"/api/v1/dossiers/{d.code}/files/{attachment.pk}", token_for("binh"))
    assert file.status_code == 200 and _leaks(file, f"/api/v1/dossiers/{d.code}/files/{attachment.pk}")
