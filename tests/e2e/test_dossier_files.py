"""Opening a dossier's files in a real browser (issue 14, item 1): Bình opens the drawings of an online dossier
from the staff dossier page and downloads the application form; An opens her own file on the portal. The
pages with their file links on a phone and a desktop, axe-clean; screenshots for people to look at."""

from __future__ import annotations

import pytest

from motcua.dossiers import services
from motcua.dossiers.choices import EventKind
from motcua.dossiers.models import Attachment
from tests.dossiers.conftest import PDF, intake, make_procedure, upload

from .conftest import DESKTOP, PHONE, axe_violations, screenshot
from .test_desk_intake import _signed_in

pytestmark = pytest.mark.django_db(transaction=True)

# A real 1×1 PNG, so that the browser draws it.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201e5d5b1a90000000049454e44ae426082")


@pytest.fixture
def online(org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"
    make_procedure(org)
    return services.submit_online(people["an"], intake(), [upload(PDF, "don-de-nghi.pdf", 1),
                                                           upload(PNG, "ban-ve.png", 2)])


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_binh_opens_the_drawings_from_the_dossier_page_and_downloads_the_form(page_factory, live_server, online,
                                                                            people, viewport, label):
    page = page_factory(viewport)
    _signed_in(page, live_server, people["binh"])
    page.goto(f"/ho-so/{online.public_id}/")
    assert page.get_by_role("link", name="ban-ve.png", exact=True).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"dossier-files-{label}")
    assert axe_violations(page) == []

    # The PDF downloads under its own name.
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải về don-de-nghi.pdf").click()
    assert info.value.suggested_filename == "don-de-nghi.pdf"
    with open(info.value.path(), "rb") as saved:
        assert saved.read() == PDF

    # The drawing opens in the page, sandboxed and not cached; the opening is in the dossier's history.
    png = Attachment.objects.get(dossier=online, original_name="ban-ve.png")
    with page.expect_response(lambda r: f"/tep/{png.pk}/" in r.url) as answer:
        page.get_by_role("link", name="ban-ve.png", exact=True).click()
    headers = answer.value.headers
    assert answer.value.status == 200 and headers["content-type"] == "image/png"
    assert headers["content-disposition"].startswith("inline;") and headers["cache-control"] == "no-store, private"
    assert headers["content-security-policy"] == "sandbox"
    assert page.evaluate("document.images.length === 1 && document.images[0].naturalWidth === 1")
    screenshot(page, f"dossier-file-open-{label}")
    viewed = online.events.filter(kind=EventKind.PERSONAL_DATA_VIEWED)
    assert [e.data["file"]["name"] for e in viewed if e.data.get("what") == "file"] == ["don-de-nghi.pdf", "ban-ve.png"]
    assert viewed.first().data.get("what") == "page"  # opening the page is logged too, once that day

    # The PDF itself is served inline for the browser's viewer.
    pdf = Attachment.objects.get(dossier=online, original_name="don-de-nghi.pdf")
    inline = page.request.get(f"/ho-so/{online.public_id}/tep/{pdf.pk}/")
    assert inline.status == 200 and inline.headers["content-type"] == "application/pdf"
    assert inline.headers["content-disposition"].startswith("inline;")
    # Not sandboxed (the viewer would not start); under the site's policy, which Chromium's viewer runs with.
    assert "sandbox" not in inline.headers["content-security-policy"]


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_an_opens_her_own_file_on_the_portal(page_factory, live_server, online, people, viewport, label):
    page = page_factory(viewport)
    _signed_in(page, live_server, people["an"])
    page.goto(f"/cong-dan/ho-so/{online.public_id}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"portal-dossier-files-{label}")
    assert axe_violations(page) == []
    page.get_by_role("link", name="ban-ve.png", exact=True).click()
    page.wait_for_load_state("load")  # the image itself, not only the navigation (flaky on a loaded machine)
    assert page.evaluate("document.images.length === 1 && document.images[0].naturalWidth === 1")
    with page.expect_download() as info:
        page.goto(f"/cong-dan/ho-so/{online.public_id}/")
        page.get_by_role("link", name="Tải về don-de-nghi.pdf").click()
    assert info.value.suggested_filename == "don-de-nghi.pdf"
