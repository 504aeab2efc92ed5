"""The model's artefact: pickled, stored in the database with an HMAC-SHA-256 over its bytes, and never
unpickled unless the HMAC checks (unpickling runs code: bytes that someone who can write the database but
does not hold the key changed must be refused, not loaded).

The key is ``MOTCUA_INSIGHT_KEY`` when set (kept outside the database, like the audit key), else one derived
from ``SECRET_KEY`` for this purpose only.
"""

from __future__ import annotations

import hashlib
import hmac
import pickle

from django.conf import settings

from .model import Trained


class TamperedArtefact(ValueError):
    """The artefact's bytes do not match their HMAC: refused, not unpickled."""


def _key() -> bytes:
    key = getattr(settings, "MOTCUA_INSIGHT_KEY", "") or ""
    if key:
        return key.encode()
    return hashlib.sha256(b"motcua.insight.artefact:" + settings.SECRET_KEY.encode()).digest()


def sign(data: bytes) -> str:
    return hmac.new(_key(), data, hashlib.sha256).hexdigest()


def dump(trained: Trained) -> tuple[bytes, str]:
    """The artefact's bytes and their HMAC (hex)."""
    data = pickle.dumps(trained, protocol=pickle.HIGHEST_PROTOCOL)
    return data, sign(data)


def load(data: bytes | memoryview, mac: str) -> Trained:
    """The model, once the bytes are shown to be ours (``TamperedArtefact`` otherwise: nothing is unpickled)."""
    raw = bytes(data)  # a BinaryField reads as memoryview on PostgreSQL
    if not mac or not hmac.compare_digest(sign(raw), mac):
        raise TamperedArtefact("the model artefact does not match its HMAC: refused")
    trained = pickle.loads(raw)  # noqa: S301 - the bytes are verified above (HMAC under our key)
    if not isinstance(trained, Trained):
        raise TamperedArtefact("the artefact is not a lateness model")
    return trained
