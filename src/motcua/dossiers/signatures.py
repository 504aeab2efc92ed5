"""Electronic signatures of the papers this app issues (results, certified copies, forms), by the signer a
higher app registers in its ``AppConfig.ready()`` (``motcua.documents.signing``): this app decides *what* is
signed and when, never imports the signer. With no signer registered, or none configured for the agency,
``sign`` answers None and the paper is kept unsigned, as before electronic signatures (a paper signed by hand
and scanned is still a result, Decree 30/2020 Art. 8)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from motcua.accounts.models import OrgUnit, User


@dataclass(frozen=True)
class SignRequest:
    """What to sign: a PDF, in the name of ``agency`` (whose certificate and seal are used), by ``signer``
    (printed with ``signer_title``), of the kind ``kind`` ("result", "certified-copy", "receipt", "apology"…)
    and the record it belongs to (``subject``, e.g. "result:12"), with the number printed on it."""

    pdf: bytes
    agency: OrgUnit
    signer: User
    kind: str
    subject: str
    reference: str = ""
    title: str = ""
    signer_title: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Signed:
    """The signed PDF and the public address where anyone can check it (printed as a QR code on it)."""

    pdf: bytes
    verify_url: str
    sha256: str


class Signer(Protocol):
    def sign(self, request: SignRequest) -> Signed | None: ...

    def can_sign(self, agency: OrgUnit, kind: str) -> bool: ...


_signer: list[Signer] = []


def register(signer: Signer) -> None:
    _signer[:] = [signer]


def can_sign(agency: OrgUnit, kind: str) -> bool:
    """Whether ``agency`` signs papers of ``kind`` electronically (a certificate is configured and, for a
    form, the agency chose to sign it)."""
    return bool(_signer) and _signer[0].can_sign(agency, kind)


def sign(request: SignRequest) -> Signed | None:
    """The signed paper, or None when no signer is registered or the agency has no certificate."""
    if not _signer or not _signer[0].can_sign(request.agency, request.kind):
        return None
    return _signer[0].sign(request)
