"""Encryption at rest for a repository: AES-256-GCM under a random master key, wrapped by a key
derived from the passphrase with scrypt (memory-hard). Unencrypted repositories use `Plain`."""

from __future__ import annotations

import base64
import os

import blake3
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

NONCE = 12
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # 32 MiB of memory per guess


class WrongPassphrase(Exception):
    """The passphrase does not open this repository."""


class DamagedData(Exception):
    """Stored bytes failed their authentication or hash check."""


class Plain:
    encrypted = False

    def seal(self, data: bytes, aad: bytes = b"") -> bytes:
        return data

    def seal_parts(self, data: bytes, aad: bytes = b"") -> list[bytes]:
        """`seal`, as pieces to write one after another: a large value is not copied to join them."""
        return [data]

    def open(self, data: bytes, aad: bytes = b"") -> bytes:
        return data

    def blob_id(self, data: bytes | memoryview) -> bytes:
        return blake3.blake3(data).digest()


class Sealed(Plain):
    encrypted = True

    def __init__(self, master: bytes) -> None:
        self.aead = AESGCM(master[:32])
        self.id_key = master[32:64]

    def seal(self, data: bytes, aad: bytes = b"") -> bytes:
        return b"".join(self.seal_parts(data, aad))

    def seal_parts(self, data: bytes, aad: bytes = b"") -> list[bytes]:
        nonce = os.urandom(NONCE)
        return [nonce, self.aead.encrypt(nonce, data, aad)]

    def open(self, data: bytes, aad: bytes = b"") -> bytes:
        try:
            return self.aead.decrypt(data[:NONCE], data[NONCE:], aad)
        except InvalidTag:
            raise DamagedData("authentication failed: the data was changed or the key is wrong") from None

    def blob_id(self, data: bytes | memoryview) -> bytes:
        # Keyed, so that chunk ids reveal nothing about contents to someone holding only the medium.
        return blake3.blake3(data, key=self.id_key).digest()


def _kdf(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def new_key_params(passphrase: str) -> tuple[dict[str, object], Sealed]:
    master = os.urandom(64)  # what secrets.token_bytes is, without importing hmac
    salt = os.urandom(16)
    wrapper = AESGCM(_kdf(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))
    nonce = os.urandom(NONCE)
    params = {
        "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
        "salt": base64.b64encode(salt).decode(),
        "nonce": base64.b64encode(nonce).decode(),
        "wrapped": base64.b64encode(wrapper.encrypt(nonce, master, b"jagaweb-master-key")).decode(),
    }
    return params, Sealed(master)


def open_key(params: dict[str, object], passphrase: str) -> Sealed:
    salt = base64.b64decode(str(params["salt"]))
    key = _kdf(passphrase, salt, int(str(params["n"])), int(str(params["r"])), int(str(params["p"])))
    try:
        master = AESGCM(key).decrypt(
            base64.b64decode(str(params["nonce"])), base64.b64decode(str(params["wrapped"])), b"jagaweb-master-key"
        )
    except InvalidTag:
        raise WrongPassphrase("the passphrase does not open this repository") from None
    return Sealed(master)
