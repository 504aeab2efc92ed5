"""A software authenticator for the tests: what a security key does, in the open. It makes an EC P-256 key pair
(COSE algorithm -7, ES256), answers ``navigator.credentials.create()`` options with a "none" attestation (CBOR,
authenticator data with the attested credential) and ``navigator.credentials.get()`` options with an ECDSA
signature over authenticatorData || SHA-256(clientDataJSON), as WebAuthn Level 2 §6.1, §6.5 and §7.2 say.
Nothing of the server's code is used to build the answers: they are the browser's JSON, made independently."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_UP = 0x01  # user present
FLAG_UV = 0x04  # user verified
FLAG_AT = 0x40  # attested credential data included


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftKey:
    def __init__(self, origin: str = "http://testserver", *, counter: int = 0, step: int = 1) -> None:
        self.origin = origin
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = counter
        self.step = step  # 0: an authenticator that keeps no signature counter (passkeys synced between devices)

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def cose_public_key(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def create(self, options: dict[str, Any], *, origin: str | None = None) -> dict[str, Any]:
        """The answer to ``navigator.credentials.create({publicKey: options})`` (options as the server sent them)."""
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        rp_hash = hashlib.sha256(options["rp"]["id"].encode()).digest()
        auth_data = (rp_hash + bytes([FLAG_UP | FLAG_UV | FLAG_AT]) + self.sign_count.to_bytes(4, "big")
                     + bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id
                     + self.cose_public_key())
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": self.id, "rawId": self.id, "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data), "attestationObject": b64url(attestation),
                             "transports": ["usb", "nfc"]}}

    def get(self, options: dict[str, Any], *, origin: str | None = None, rp_id: str | None = None,
            counter: int | None = None, signer: ec.EllipticCurvePrivateKey | None = None) -> dict[str, Any]:
        """The answer to ``navigator.credentials.get({publicKey: options})``: ``counter`` forces the signature
        counter (a clone's), ``signer`` signs with another private key (a forgery)."""
        if counter is None:
            self.sign_count += self.step
            counter = self.sign_count
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        rp_hash = hashlib.sha256((rp_id or options["rpId"]).encode()).digest()
        auth_data = rp_hash + bytes([FLAG_UP | FLAG_UV]) + counter.to_bytes(4, "big")
        signature = (signer or self.private).sign(auth_data + hashlib.sha256(client_data).digest(),
                                                  ec.ECDSA(hashes.SHA256()))
        return {"id": self.id, "rawId": self.id, "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature), "userHandle": None}}
