"""An agency's key on a hardware security module, through PKCS#11 (issue 18): SoftHSM2, a real PKCS#11 token,
initialised in tmp_path with ``softhsm2-util``, the key imported and its certificate added beside it. Skipped
only when SoftHSM2 is not installed (``.ci/run`` installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from motcua.core.errors import DomainError
from motcua.documents import signing
from motcua.documents.models import SignedDocument, SigningKey

from .test_signing import pki, sign  # noqa: F401 (fixture)

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN_ENV = "MOTCUA_TEST_HSM_PIN"
PIN = "123456"

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not (shutil.which("softhsm2-util") and Path(MODULE).exists()),
                                 reason="SoftHSM2 is not installed (apt-get install softhsm2)")]


@pytest.fixture
def token(tmp_path, monkeypatch, pki):  # type: ignore[no-untyped-def]  # noqa: F811
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "motcua-sxd", "--pin", PIN,
                    "--so-pin", "654321"], check=True, env=env, capture_output=True)
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(pki["cert"].key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    subprocess.run(["softhsm2-util", "--import", str(key_file), "--token", "motcua-sxd", "--label", "sxd", "--id",
                    "01", "--pin", PIN], check=True, env=env, capture_output=True)
    key_file.unlink()
    # The certificate beside its key, with the same label and id, as a provider delivers a token.
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    lib = pkcs11.lib(MODULE)
    lib.reinitialize()
    cert = pki["cert"].certificate
    with lib.get_token(token_label="motcua-sxd").open(rw=True, user_pin=PIN) as session:
        session.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE,
                               Attribute.CERTIFICATE_TYPE: CertificateType.X_509, Attribute.TOKEN: True,
                               Attribute.LABEL: "sxd", Attribute.ID: b"\x01",
                               Attribute.VALUE: pki["cert"].der(), Attribute.SUBJECT: cert.subject.public_bytes(),
                               Attribute.ISSUER: cert.issuer.public_bytes()})
    monkeypatch.setenv(PIN_ENV, PIN)
    SigningKey.objects.filter(pk=pki["key"].pk).update(backend="pkcs11", pkcs11_module=MODULE, pkcs12_path="",
                                                       token_label="motcua-sxd", key_label="sxd", secret_env=PIN_ENV)
    return conf


def test_signing_with_a_key_on_the_hsm(people, org, token):  # type: ignore[no-untyped-def]
    signed = sign(people, org)
    assert signed is not None and signing.verify_bytes(signed.pdf).ok
    assert "Sở Xây dựng" in SignedDocument.objects.get().cert_subject


def test_a_wrong_label_pin_or_module_is_a_clear_error(people, org, token, monkeypatch):  # type: ignore[no-untyped-def]
    SigningKey.objects.update(key_label="khong-co")
    with pytest.raises(DomainError) as caught:
        sign(people, org)
    assert caught.value.code == "signing_key_missing"
    SigningKey.objects.update(key_label="sxd")
    monkeypatch.setenv(PIN_ENV, "000000")
    with pytest.raises(DomainError) as caught:
        sign(people, org)
    assert caught.value.code == "signing_key_unusable"
    SigningKey.objects.update(pkcs11_module="/khong/co/thu-vien.so")
    with pytest.raises(DomainError) as caught:
        sign(people, org)
    assert caught.value.code == "signing_key_unusable"
    assert not SignedDocument.objects.exists()
