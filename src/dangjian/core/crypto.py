"""Field encryption (SM4-GCM) and keyed blind indexes (HMAC-SHA256) for sensitive values.

Ciphertext format (text column): ``sm4gcm:1:`` + base64(nonce[12] || ciphertext || tag[16]); for
binary values (uploaded files, :func:`encrypt_bytes`) the same construction without base64:
``b"sm4gcm:1:"`` + nonce[12] || ciphertext || tag[16].
The blind index lets us search and enforce uniqueness on exact values without decrypting.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["blind_index", "decrypt", "decrypt_bytes", "encrypt", "encrypt_bytes"]

_PREFIX = "sm4gcm:1:"
_BYTES_PREFIX = _PREFIX.encode("ascii")


@lru_cache(maxsize=4)
def _key(hex_value: str, name: str) -> bytes:
    try:
        key = bytes.fromhex(hex_value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be hex")
    if len(key) < 16:
        raise ImproperlyConfigured(f"{name} must be at least 16 bytes (32 hex digits)")
    return key


def _field_key() -> bytes:
    return _key(settings.FIELD_ENCRYPTION_KEY, "DANGJIAN_FIELD_KEY")[:16]


def _seal(plaintext: bytes) -> bytes:
    nonce = os.urandom(12)
    enc = Cipher(algorithms.SM4(_field_key()), modes.GCM(nonce)).encryptor()
    body = enc.update(plaintext) + enc.finalize()
    return nonce + body + enc.tag


def _open(raw: bytes) -> bytes:
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    dec = Cipher(algorithms.SM4(_field_key()), modes.GCM(nonce, tag)).decryptor()
    return dec.update(body) + dec.finalize()


def encrypt(plaintext: str) -> str:
    return _PREFIX + base64.b64encode(_seal(plaintext.encode("utf-8"))).decode("ascii")


def decrypt(token: str) -> str:
    if not token.startswith(_PREFIX):
        raise ValueError("not an sm4gcm token")
    return _open(base64.b64decode(token[len(_PREFIX):])).decode("utf-8")


def encrypt_bytes(plaintext: bytes) -> bytes:
    """Binary SM4-GCM with the field key (an uploaded file kept between its preview and its commit)."""
    return _BYTES_PREFIX + _seal(bytes(plaintext))


def decrypt_bytes(token: bytes) -> bytes:
    token = bytes(token)
    if not token.startswith(_BYTES_PREFIX):
        raise ValueError("not an sm4gcm blob")
    return _open(token[len(_BYTES_PREFIX):])


def blind_index(kind: str, value: str) -> str:
    """Deterministic keyed digest of a normalised value, namespaced by *kind*."""
    key = _key(settings.BLIND_INDEX_KEY, "DANGJIAN_BLIND_INDEX_KEY")
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:40]
