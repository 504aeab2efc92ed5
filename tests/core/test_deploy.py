import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_in_production(tmp_path):
    env = {
        **os.environ,
        "MOTCUA_ENV": "production",
        "MOTCUA_SECRET_KEY": secrets.token_urlsafe(60),
        "MOTCUA_AUDIT_KEY": secrets.token_urlsafe(48),
        "MOTCUA_ALLOWED_HOSTS": "motcua.example.gov.vn",
        "MOTCUA_PUBLIC_BASE_URL": "https://motcua.example.gov.vn",
        "MOTCUA_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "motcua", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "MOTCUA_ENV": "production", "MOTCUA_VAR_DIR": str(tmp_path),
           "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "motcua.settings"}
    env.pop("MOTCUA_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-m", "motcua", "check"], env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode != 0
    assert "MOTCUA_SECRET_KEY" in result.stderr
