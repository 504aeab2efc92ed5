"""A small certificate authority for the demo and the tests: a root, agency certificates for the signature of
the body, their PKCS#12 files and a certificate revocation list. An installation in service uses the
certificates a licensed provider issues (in Việt Nam, the Government Cipher Committee's CA for state bodies);
nothing here is used outside ``motcua demo`` and the test suite."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


@dataclass
class Issued:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def root(common: str = "motcua demo CA", *, now: dt.datetime | None = None) -> Issued:
    now = now or dt.datetime.now(dt.UTC)
    key = _key()
    name = _name(common, "motcua")
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Issued(cert, key)


CRL_URL = "http://ca.motcua.invalid/root.crl"


def issue(ca: Issued, common: str, organisation: str, *, now: dt.datetime | None = None,
          days: int = 730) -> Issued:
    """A certificate for the signature of a body: digital signature and non-repudiation. It names where its CRL
    is published (``CRL_URL``, never fetched: the CRL is given to the validator), so that a validator checks
    revocation at all."""
    now = now or dt.datetime.now(dt.UTC)
    key = _key()
    cert = (x509.CertificateBuilder().subject_name(_name(common, organisation)).issuer_name(ca.certificate.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(CRL_URL)], relative_name=None, reasons=None,
                crl_issuer=None)]), critical=False)
            .sign(ca.key, hashes.SHA256()))
    return Issued(cert, key)


def p12(issued: Issued, ca: Issued, passphrase: bytes) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"motcua", issued.key, issued.certificate, [ca.certificate],
        serialization.BestAvailableEncryption(passphrase))


def crl(ca: Issued, revoked: list[x509.Certificate], *, now: dt.datetime | None = None, days: int = 7) -> bytes:
    """A CRL of ``ca`` listing ``revoked``, valid for ``days``, DER-encoded."""
    now = now or dt.datetime.now(dt.UTC)
    builder = (x509.CertificateRevocationListBuilder().issuer_name(ca.certificate.subject)
               .last_update(now - dt.timedelta(minutes=5)).next_update(now + dt.timedelta(days=days))
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                              critical=False)
               .add_extension(x509.CRLNumber(1), critical=False))
    for cert in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(cert.serial_number)
            .revocation_date(now - dt.timedelta(minutes=1)).build())
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
