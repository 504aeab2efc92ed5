"""The synchronisation with DVCQG in a browser, on a phone and a desktop, without JavaScript, axe-clean: a record
DVCQG refused (a mapping that drops a required field) shows on the dossier page and on the administrator's
page; once the mapping is fixed, Hà sends it again and the dossier is synchronised; she reconciles the day."""

from __future__ import annotations

import json

import pytest

from motcua.integrations.dvcqg import worker
from motcua.integrations.dvcqg.double import DvcqgDouble
from motcua.integrations.dvcqg.mapping import DEFAULT
from motcua.integrations.models import SyncRecord, SyncState
from tests.dossiers.workflow_helpers import construction_permit, received, t

from .conftest import DESKTOP, axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_refused_record_is_seen_replayed_and_the_day_reconciled(page_factory, org, people, settings, tmp_path,
                                                                   viewport, label):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    construction_permit(org)
    bad = json.loads(DEFAULT.read_text())
    bad["drop"] = ["MaTTHC"]
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with DvcqgDouble() as double:
        settings.MOTCUA_DVCQG_URL, settings.MOTCUA_DVCQG_SYNC = double.url, True
        settings.MOTCUA_DVCQG_CLIENT_ID, settings.MOTCUA_DVCQG_CLIENT_SECRET = "motcua", "bi-mat"
        settings.MOTCUA_DVCQG_MAPPING = str(tmp_path / "bad.json")
        dossier = received(people, t(2026, 12, 3, 9, 0))
        worker.drain()
        assert SyncRecord.objects.filter(dossier=dossier, state=SyncState.DEAD).exists()

        desk = page_factory(viewport, javascript=False)
        sign_in(desk, "binh")  # the desk officer sees it on the dossier page
        desk.goto(f"/ho-so/{dossier.code}/")
        panel = desk.locator("section[aria-labelledby=sec-dvcqg]").inner_text()
        assert "Cổng Dịch vụ công quốc gia" in panel and "MaTTHC" in panel
        screenshot(desk, f"dvcqg-dossier-panel-{label}")
        page = page_factory(viewport, javascript=False)
        sign_in(page, "ha")  # the administrator on hers
        page.goto("/ket-noi/dong-bo/")
        main = page.inner_text("main")
        assert "Bản ghi bị gác lại" in main and dossier.code in main and "MaTTHC" in main
        screenshot(page, f"dvcqg-sync-dead-{label}")
        settings.MOTCUA_DVCQG_MAPPING = ""  # the province fixes its mapping
        page.get_by_role("button", name="Gửi lại tất cả").click()
        page.wait_for_load_state("load")
        assert "sẽ được gửi lại" in page.inner_text("main")
        assert not SyncRecord.objects.exclude(state=SyncState.ACKED).exists()  # pushed at the commit
        assert double.dossiers[dossier.code]["MaTTHC"] == "1.013236"
        page.locator("#rec-first").fill("2026-12-01")
        page.locator("#rec-last").fill("2026-12-05")
        page.get_by_role("button", name="Đối soát ngay").click()
        page.wait_for_load_state("load")
        main = page.inner_text("main")
        assert "Đã đối soát xong" in main and "Cổng DVCQG có đủ mọi hồ sơ" in main
        screenshot(page, f"dvcqg-sync-reconciled-{label}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


def test_the_pages_are_axe_clean(page_factory, org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    construction_permit(org)
    with DvcqgDouble() as double:
        settings.MOTCUA_DVCQG_URL, settings.MOTCUA_DVCQG_SYNC = double.url, True
        settings.MOTCUA_DVCQG_CLIENT_ID, settings.MOTCUA_DVCQG_CLIENT_SECRET = "motcua", "bi-mat"
        dossier = received(people, t(2026, 12, 3, 9, 0))
        page = page_factory(DESKTOP)
        sign_in(page, "binh")
        page.goto(f"/ho-so/{dossier.code}/")
        assert "Đã đồng bộ" in page.locator("section[aria-labelledby=sec-dvcqg]").inner_text()
        assert axe_violations(page) == []
        admin = page_factory(DESKTOP)
        sign_in(admin, "ha")
        admin.goto("/ket-noi/dong-bo/")
        page = admin
        assert axe_violations(page) == []


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_pages_in_english(page_factory, org, people, settings, tmp_path, viewport, label):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    construction_permit(org)
    with DvcqgDouble() as double:
        settings.MOTCUA_DVCQG_URL, settings.MOTCUA_DVCQG_SYNC = double.url, True
        settings.MOTCUA_DVCQG_CLIENT_ID, settings.MOTCUA_DVCQG_CLIENT_SECRET = "motcua", "bi-mat"
        dossier = received(people, t(2026, 12, 3, 9, 0))
        page = page_factory(viewport, javascript=False)
        sign_in(page, "binh")
        page.get_by_role("button", name="English").click()
        page.goto(f"/ho-so/{dossier.code}/")
        panel = page.locator("section[aria-labelledby=sec-dvcqg]").inner_text()
        assert "National Public Service Portal" in panel and "Synchronised" in panel
        screenshot(page, f"dvcqg-dossier-panel-en-{label}")
        admin = page_factory(viewport, javascript=False)
        sign_in(admin, "ha")
        admin.get_by_role("button", name="English").click()
        admin.goto("/ket-noi/dong-bo/")
        main = admin.inner_text("main")
        assert "Synchronisation with DVCQG" in main and "Reconcile now" in main
        assert admin.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
        screenshot(admin, f"dvcqg-sync-en-{label}")
