"""The demo's signing key: a sample certificate authority and the Department of Construction's certificate, made at
run time under ``var/signing/`` (never committed), with a sample seal image marked "MẪU" (a red ring drawn here,
not a real seal), so that the demo's results and receipts are signed and can be checked at ``/xac-minh/``. The
passphrase is a random one kept in a file only the server reads (``SigningKey.secret_file``)."""

from __future__ import annotations

import io
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile

from motcua.accounts.models import OrgUnit

from . import ca
from .models import SigningKey

AGENCY = "000.00.22.H68"


def seal_png(name: str) -> bytes:
    """A sample seal: a red ring with the agency's name and "MẪU" (sample) across it, transparent background, 40 mm
    at 300 dpi (a state body's round seal is about that size)."""
    from PIL import Image, ImageDraw, ImageFont

    size = 472
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    red = (200, 16, 46, 235)
    draw.ellipse((8, 8, size - 8, size - 8), outline=red, width=14)
    draw.ellipse((60, 60, size - 60, size - 60), outline=red, width=6)
    font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    big = ImageFont.truetype(font_path, 64) if Path(font_path).exists() else ImageFont.load_default()
    small = ImageFont.truetype(font_path, 30) if Path(font_path).exists() else ImageFont.load_default()
    draw.text((size / 2, size / 2 - 40), name.upper(), fill=red, font=small, anchor="mm")
    draw.text((size / 2, size / 2 + 30), "MẪU", fill=red, font=big, anchor="mm")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def seed(stdout: Any) -> None:
    agency = OrgUnit.objects.filter(code=AGENCY).first()
    if agency is None or SigningKey.objects.filter(agency=agency).exists():
        return
    folder = Path(settings.VAR_DIR) / "signing"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    root = ca.root("motcua demo CA (không dùng thật)")
    cert = ca.issue(root, agency.name, str(getattr(settings, "MOTCUA_SITE", {}).get("province_name", "")) or "motcua")
    passphrase = secrets.token_urlsafe(16)
    (folder / "sxd.p12").write_bytes(ca.p12(cert, root, passphrase.encode()))
    (folder / "sxd.pass").write_text(passphrase, encoding="utf-8")
    (folder / "root.pem").write_bytes(root.pem())
    (folder / "root.crl").write_bytes(ca.crl(root, [], days=3650))  # the demo's CRL: nothing revoked
    for name in ("sxd.p12", "sxd.pass"):
        os.chmod(folder / name, 0o600)
    key = SigningKey(agency=agency, pkcs12_path=str(folder / "sxd.p12"), secret_file=str(folder / "sxd.pass"),
                     signs_forms=["receipt", "apology"])
    key.seal_image.save("con-dau-mau-sxd.png", ContentFile(seal_png("Sở Xây dựng")), save=False)
    key.save()
    stdout.write(f"Signing: a sample CA and the key of {agency.name} in {folder} (trust root root.pem; set "
                 f"MOTCUA_SIGNING_TRUST_ROOTS to it).\n")
