"""Acceptance (issue 14): every kind of paper issued on the demo's data — the papers an officer issues from the
dossier pages, and the report the director signs — has a register number, the real signer and unit, and the
parts of an administrative document of Decree 30/2020 Art. 8(2), checked on the text pypdf extracts."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from motcua.accounts.models import User
from motcua.dossiers import issuing
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.models import Dossier, IssuedForm
from motcua.stats.models import IssuedReport

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"  # spaced hyphens, as Decree 30/2020 Annex I writes it
PLACE_AND_DATE = re.compile(r"Lâm Đồng, ngày \d{2} tháng (?:0[12]|[3-9]|1[0-2]) năm \d{4}")
NUMBER = re.compile(r"Số: (\d{2,})/([A-ZĐ-]+)\b")
# The papers that have recipients ("Nơi nhận") in their layout: letters and notices sent out.
WITH_RECIPIENTS = {"apology", "stop-notice"}
PER_KIND = 2


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _statuses(d: Dossier) -> list[int | None]:
    return list(d.events.filter(kind__in=(EventKind.CREATED, EventKind.STATUS_CHANGED)).values_list(
        "status_after", flat=True))


def _issuer_and_signer(d: Dossier, role: str, desk: User) -> tuple[User, str]:
    """Who issues the paper from the pages, and the name that must be printed as its signer."""
    if role == "apology":
        return d.apology.issued_by, d.apology.issued_by.get_full_name()
    if role == "supplement-request":
        event = d.events.filter(kind=EventKind.STATUS_CHANGED, status_after=Status.SUPPLEMENT_REQUESTED).latest("seq")
        return event.actor, event.actor.get_full_name()
    if role == "refusal":
        # Refused at intake: the dossier is created refused, or refused when the desk checks an online one.
        event = d.events.filter(kind__in=(EventKind.CREATED, EventKind.STATUS_CHANGED),
                                status_after=Status.NOT_RECEIVED).latest("seq")
        return desk, event.actor.get_full_name()
    if role == "stop-notice":
        return desk, d.events.filter(kind=EventKind.STATUS_CHANGED, status_after=Status.STOPPED).latest(
            "seq").actor.get_full_name()
    if role == "refusal-answer":
        result = d.results.filter(kind="refusal").latest("recorded_at")
        return result.signer, result.signer.get_full_name()
    if role == "receipt":
        event = d.events.filter(kind=EventKind.CODE_ASSIGNED).order_by("-seq").first() or d.events.get(
            kind=EventKind.CREATED)
        return desk, event.actor.get_full_name()
    return desk, ""  # the control sheet: a table of hand-overs, not a signed letter


def _check_decree_30_parts(text: str, issuing_body: str, reference: str, signer: str) -> None:
    assert NATIONAL_TITLE in text
    assert MOTTO in text
    assert issuing_body.upper() in text, issuing_body
    found = NUMBER.search(text)
    assert found is not None and f"{found[1]}/{found[2]}" == reference, (reference, text[:300])
    assert PLACE_AND_DATE.search(text)
    if signer:
        assert signer in text


@pytest.mark.django_db
def test_every_paper_issued_on_the_demo_data_has_its_number_signer_unit_and_decree_30_parts(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_DEMO_CREDENTIALS_FILE = tmp_path / "creds.txt"
    call_command("demo", stdout=io.StringIO())
    desk = User.objects.get(username="binh")
    issued: dict[str, int] = {}
    for d in Dossier.objects.select_related("receiving_unit", "processing_unit").order_by("id"):
        apology = getattr(d, "apology", None)
        roles = issuing.applicable_forms(d, _statuses(d), has_refusal_result=d.results.filter(kind="refusal").exists(),
                                         has_apology=apology is not None and apology.issued)
        for role in roles:
            if issued.get(role, 0) >= PER_KIND:
                continue
            user, signer = _issuer_and_signer(d, role, desk)
            form = issuing.issue(user, d, role)
            text = text_of(issuing.read(form))
            _check_decree_30_parts(text, issuing.issuing_unit(d, role).name, form.reference, signer)
            # The agency's own notices carry its abbreviation after the type's symbol ("01/TB-SXD", Decree 30/2020
            # Annex III); the one-stop forms their form's symbol ("01/YCBS").
            assert form.reference.split("/")[1].split("-")[0] == issuing.paper_symbol(role)
            assert f"{d.reference[:6]}/" not in text  # never the dossier's hex reference
            if role in WITH_RECIPIENTS:
                assert "Nơi nhận:" in text and "Lưu: VT" in text
            if role == "apology":
                # Signed by the leader who signed it, with his position, in the agency's name.
                assert re.search(r"GIÁM ĐỐC \(Ký, ghi rõ họ tên, đóng dấu\) " + re.escape(signer), text)
                assert "THỦ TRƯỞNG CƠ QUAN" not in text and ".." not in text
            if role == "supplement-request":
                officer = User.objects.get(full_name=signer)
                assert f"xin liên hệ {signer}, {officer.unit.name}" in text
            issued[role] = issued.get(role, 0) + 1
    assert set(issued) >= {"receipt", "supplement-request", "refusal", "refusal-answer", "apology", "stop-notice",
                           "control-sheet"}
    # Within a kind, the agency's register numbers the papers 01, 02, ... (the demo issues none by itself).
    for role in issued:
        # The receipt carries the dossier's number in the register of dossiers; the agency's notices take theirs
        # at the signature, in the demo's history, so the two issued here are not the register's first two.
        if role not in ("receipt", "refusal-answer"):
            numbers = sorted(IssuedForm.objects.filter(role=role).values_list("reference", flat=True))
            assert [int(n.split("/")[0]) for n in numbers] == list(range(1, len(numbers) + 1)), role

    # The periodic report, signed and issued by the director.
    director = Client()
    director.force_login(User.objects.get(username="giang"))
    r = director.post("/thong-ke/bao-cao/phat-hanh?unit=000.00.22.H68")
    assert r.status_code == 302
    report = IssuedReport.objects.get()
    text = text_of(director.get(r["Location"]).content)
    _check_decree_30_parts(text, "Sở Xây dựng", report.reference, "Hoàng Văn Giang")
    assert report.reference == "01/BC-SXD"
    assert "BÁO CÁO" in text and "Nơi nhận:" in text and "GIÁM ĐỐC" in text
