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


def test_the_cluster_proxy_passes_the_client_address_and_the_app_trusts_only_it(tmp_path):
    # issue 21, finding 6: behind nginx every client was 127.0.0.1 to the login lockout and the rate limits.
    from deploy import cluster

    conf = cluster.nginx_conf([8001, 8002], tmp_path / "static", tmp_path / "cert.pem", tmp_path / "key.pem")
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Real-IP $remote_addr;" in conf
    env = cluster.app_environment({"secret_key": "x" * 60})
    assert env["MOTCUA_TRUSTED_PROXIES"] == "127.0.0.1"
