"""SNMPv3 User-based Security Model (RFC 3414, RFC 3826, RFC 7860) for the fast engine.

Keys: password-to-key and localisation (RFC 3414 A.2) with the auth protocol's hash, for
MD5, SHA-1 and SHA-224/256/384/512 (RFC 7860). Auth: HMAC truncated to 12/12/16/24/32/48
bytes. Privacy: DES-CBC (RFC 3414 8), AES-128-CFB (RFC 3826) and AES-192/256-CFB with the
key extension of draft-blumenthal-aes-usm-04 3.1.2.1 — the one net-snmp 5.9's ``AES-192`` /
``AES-256`` use (verified against snmpd in tests/snmp_engine). Cisco's "Reeder" extension is
available as ``KeyExtension.REEDER`` for agents that need it.

Digests come from hashlib/hmac (C), ciphers from ``cryptography``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass, field
from enum import Enum
from time import monotonic

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

try:  # cryptography >= 43 keeps DES and CFB among the "decrepit" (still supported) ciphers
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES  # type: ignore[no-redef]
    from cryptography.hazmat.primitives.ciphers.modes import CFB  # type: ignore[no-redef]

from .engine import ErrorClass, Oid, SnmpError

# auth protocol name (netmon.config AuthProto) -> (hashlib name, length of the truncated MAC)
AUTH: dict[str, tuple[str, int]] = {
    "md5": ("md5", 12),  # RFC 3414 HMAC-MD5-96
    "sha": ("sha1", 12),  # RFC 3414 HMAC-SHA-96
    "sha224": ("sha224", 16),  # RFC 7860 usmHMAC128SHA224AuthProtocol
    "sha256": ("sha256", 24),  # RFC 7860 usmHMAC192SHA256AuthProtocol
    "sha384": ("sha384", 32),  # RFC 7860 usmHMAC256SHA384AuthProtocol
    "sha512": ("sha512", 48),  # RFC 7860 usmHMAC384SHA512AuthProtocol
}
# priv protocol name (netmon.config PrivProto) -> key length in bytes ("aes" is AES-128)
PRIV_KEY_LEN: dict[str, int] = {"des": 16, "aes": 16, "aes128": 16, "aes192": 24, "aes256": 32}

# RFC 3414 / RFC 3412 report counters -> what went wrong
REPORTS: dict[Oid, ErrorClass] = {
    (1, 3, 6, 1, 6, 3, 15, 1, 1, 1, 0): ErrorClass.UNSUPPORTED_SEC_LEVEL,
    (1, 3, 6, 1, 6, 3, 15, 1, 1, 2, 0): ErrorClass.NOT_IN_TIME_WINDOW,
    (1, 3, 6, 1, 6, 3, 15, 1, 1, 3, 0): ErrorClass.UNKNOWN_USER,
    (1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0): ErrorClass.UNKNOWN_ENGINE_ID,
    (1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0): ErrorClass.AUTH_FAILURE,
    (1, 3, 6, 1, 6, 3, 15, 1, 1, 6, 0): ErrorClass.DECRYPTION_ERROR,
}
# Other reports (snmpUnknownSecurityModels, snmpInvalidMsgs, snmpUnknownContexts, ...) are
# AGENT_ERROR: the agent could not handle the request at all.

_MAX_INT32 = 0x7FFFFFFF  # snmpEngineBoots/Time are 0..2^31-1 (RFC 3414 2.2.1)
TIME_WINDOW = 150  # seconds, RFC 3414 3.2.7
_PASSWORD_EXPANSION = 1_048_576  # RFC 3414 A.2: hash 1 MiB of the repeated password


class KeyExtension(str, Enum):
    BLUMENTHAL = "blumenthal"  # Kul || H(Kul) || ...: net-snmp, pysnmp usmAesBlumenthalCfb*
    REEDER = "reeder"  # Kul || localize(P2K(Kul)) ...: Cisco, pysnmp usmAesCfb*


@functools.lru_cache(maxsize=256)
def password_to_key(password: bytes, hash_name: str) -> bytes:
    """Ku: the hash of the password repeated to 1 MiB (cached: it costs milliseconds)."""
    if not password:
        raise ValueError("empty SNMPv3 pass phrase")
    reps = -(-_PASSWORD_EXPANSION // len(password))
    return hashlib.new(hash_name, (password * reps)[:_PASSWORD_EXPANSION]).digest()


def localize(ku: bytes, engine_id: bytes, hash_name: str) -> bytes:
    """Kul = H(Ku || engineID || Ku)."""
    return hashlib.new(hash_name, ku + engine_id + ku).digest()


def localized_key(password: bytes, engine_id: bytes, hash_name: str) -> bytes:
    return localize(password_to_key(password, hash_name), engine_id, hash_name)


def extend_key(kul: bytes, size: int, engine_id: bytes, hash_name: str, how: KeyExtension) -> bytes:
    """Lengthen a localized privacy key to ``size`` bytes (AES-192/256 with a short hash)."""
    while len(kul) < size:
        if how is KeyExtension.BLUMENTHAL:
            kul += hashlib.new(hash_name, kul).digest()
        else:
            kul += localized_key(kul, engine_id, hash_name)
    return kul[:size]


@dataclass(frozen=True, slots=True)
class UsmParams:
    """What a credential says about security; secrets stay bytes in memory only."""

    user: bytes
    auth: str  # "none" or a key of AUTH
    auth_password: bytes
    priv: str  # "none" or a key of PRIV_KEY_LEN
    priv_password: bytes
    context: bytes = b""
    extension: KeyExtension = KeyExtension.BLUMENTHAL

    def __repr__(self) -> str:  # never show pass phrases
        return f"UsmParams(user={self.user!r}, auth={self.auth}, priv={self.priv})"

    @property
    def flags(self) -> int:
        return (1 if self.auth != "none" else 0) | (2 if self.priv != "none" else 0)


class UsmKeys:
    """The localized keys of one user at one authoritative engine, with the crypto ops."""

    __slots__ = ("_des_pre_iv", "_salt", "auth_key", "auth_len", "hash_name", "priv", "priv_key")

    def __init__(self, params: UsmParams, engine_id: bytes) -> None:
        self.priv = params.priv
        self.hash_name = ""
        self.auth_key = b""
        self.auth_len = 0
        self.priv_key = b""
        self._des_pre_iv = b""
        # RFC 3826 3.1.2.1: a 64-bit counter started at a random value.
        self._salt = int.from_bytes(os.urandom(8), "big")
        if params.auth == "none":
            return
        self.hash_name, self.auth_len = AUTH[params.auth]
        self.auth_key = localized_key(params.auth_password, engine_id, self.hash_name)
        if params.priv == "none":
            return
        size = PRIV_KEY_LEN[params.priv]
        kul = localized_key(params.priv_password, engine_id, self.hash_name)
        if params.priv == "des":
            self.priv_key = kul[:8] * 3  # single DES as three equal 3DES keys
            self._des_pre_iv = kul[8:16]
        else:
            self.priv_key = extend_key(kul, size, engine_id, self.hash_name, params.extension)

    def __repr__(self) -> str:
        return f"UsmKeys(auth={self.hash_name or 'none'}, priv={self.priv})"

    # --- authentication ----------------------------------------------------------------

    def sign(self, msg: bytearray, offset: int) -> None:
        """Write the truncated HMAC over ``msg`` (auth bytes still zero) at ``offset``."""
        msg[offset : offset + self.auth_len] = hmac.digest(self.auth_key, msg, self.hash_name)[: self.auth_len]

    def verify(self, buf: bytes, offset: int, mac: bytes) -> bool:
        if len(mac) != self.auth_len:
            return False
        zeroed = buf[:offset] + bytes(self.auth_len) + buf[offset + self.auth_len :]
        return hmac.compare_digest(hmac.digest(self.auth_key, zeroed, self.hash_name)[: self.auth_len], mac)

    # --- privacy -----------------------------------------------------------------------

    def _next_salt(self) -> int:
        self._salt = (self._salt + 1) & 0xFFFFFFFFFFFFFFFF
        return self._salt

    def encrypt(self, plaintext: bytes, boots: int, etime: int) -> tuple[bytes, bytes]:
        """(ciphertext, msgPrivacyParameters) for a ScopedPDU."""
        if self.priv == "des":
            salt = struct.pack(">II", boots & 0xFFFFFFFF, self._next_salt() & 0xFFFFFFFF)
            iv = bytes(a ^ b for a, b in zip(self._des_pre_iv, salt, strict=True))
            pad = -len(plaintext) % 8
            enc = Cipher(TripleDES(self.priv_key), modes.CBC(iv)).encryptor()
            return enc.update(plaintext + bytes(pad)) + enc.finalize(), salt
        salt = struct.pack(">Q", self._next_salt())
        iv = struct.pack(">II", boots, etime) + salt
        enc = Cipher(algorithms.AES(self.priv_key), CFB(iv)).encryptor()
        return enc.update(plaintext) + enc.finalize(), salt

    def decrypt(self, ciphertext: bytes, priv_params: bytes, boots: int, etime: int) -> bytes:
        if len(priv_params) != 8:
            raise SnmpError(ErrorClass.DECRYPTION_ERROR, f"msgPrivacyParameters of {len(priv_params)} bytes")
        if self.priv == "des":
            if len(ciphertext) % 8:
                raise SnmpError(ErrorClass.DECRYPTION_ERROR, "DES ciphertext is not a multiple of 8 bytes")
            iv = bytes(a ^ b for a, b in zip(self._des_pre_iv, priv_params, strict=True))
            dec = Cipher(TripleDES(self.priv_key), modes.CBC(iv)).decryptor()
        else:
            iv = struct.pack(">II", boots & 0xFFFFFFFF, etime & 0xFFFFFFFF) + priv_params
            dec = Cipher(algorithms.AES(self.priv_key), CFB(iv)).decryptor()
        return dec.update(ciphertext) + dec.finalize()


@functools.lru_cache(maxsize=4096)
def keys_for(params: UsmParams, engine_id: bytes) -> UsmKeys:
    """Localized keys per (user, engine): shared by every target polling that engine."""
    return UsmKeys(params, engine_id)


@dataclass(slots=True)
class EngineState:
    """What discovery learned about an authoritative engine, and when."""

    engine_id: bytes
    boots: int
    time: int
    learned_at: float = field(default_factory=monotonic)

    def now(self) -> tuple[int, int]:
        """(boots, time) as the agent should see them now."""
        etime = self.time + int(monotonic() - self.learned_at)
        return min(max(self.boots, 0), _MAX_INT32), min(max(etime, 0), _MAX_INT32)

    def update(self, boots: int, etime: int) -> None:
        """Re-sync from an authenticated message or a notInTimeWindow report (RFC 3414 3.2.7)."""
        self.boots, self.time, self.learned_at = boots, etime, monotonic()


def classify_report(oid: Oid) -> ErrorClass:
    """The error class of a Report PDU's first varbind (a usmStats or snmp* counter)."""
    return REPORTS.get(oid, ErrorClass.AGENT_ERROR)
