"""Issue 21, finding 7: production without MOTCUA_PUBLIC_BASE_URL printed http://localhost:8000 links in notices
and QR codes while ``check --deploy`` said nothing. Now a system check refuses it in production."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from motcua.core.checks import public_base_url_check

ROOT = Path(__file__).resolve().parents[2]


def _check(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MOTCUA_ENV": "production", "MOTCUA_SECRET_KEY": secrets.token_urlsafe(60),
           "MOTCUA_AUDIT_KEY": secrets.token_urlsafe(48),
           "MOTCUA_ALLOWED_HOSTS": "motcua.example.gov.vn", "MOTCUA_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "motcua.settings", "PYTHONPATH": str(ROOT / "src"), **extra}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if "MOTCUA_PUBLIC_BASE_URL" not in extra:
        env.pop("MOTCUA_PUBLIC_BASE_URL", None)
    return subprocess.run([sys.executable, "-m", "motcua", "check"], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_production_without_its_public_address_fails_the_checks(tmp_path):
    result = _check(tmp_path)
    assert result.returncode != 0
    assert "motcua.E001" in result.stderr and "MOTCUA_PUBLIC_BASE_URL" in result.stderr


def test_production_with_a_localhost_address_fails_the_checks(tmp_path):
    result = _check(tmp_path, MOTCUA_PUBLIC_BASE_URL="http://localhost:8000")
    assert result.returncode != 0 and "motcua.E001" in result.stderr


def test_production_with_its_public_address_passes(tmp_path):
    result = _check(tmp_path, MOTCUA_PUBLIC_BASE_URL="https://dichvucong.lamdong.gov.vn")
    assert result.returncode == 0, result.stdout + result.stderr


def test_outside_production_the_address_may_be_missing(settings):
    settings.ENV = "development"
    settings.MOTCUA_PUBLIC_BASE_URL = ""
    assert public_base_url_check(None) == []
    settings.ENV = "production"
    assert [e.id for e in public_base_url_check(None)] == ["motcua.E001"]


def test_production_without_its_own_audit_key_fails_the_checks(tmp_path):
    """Issue 21, finding 3: the event chain's HMAC key must be the installation's own (docs/security.md §3)."""
    result = _check(tmp_path, MOTCUA_PUBLIC_BASE_URL="https://dichvucong.lamdong.gov.vn", MOTCUA_AUDIT_KEY="")
    assert result.returncode != 0 and "motcua.E002" in result.stderr and "MOTCUA_AUDIT_KEY" in result.stderr
