"""Amazon Cognito's variant of SRP-6a (the ``USER_SRP_AUTH`` flow), both ends, as amazon-cognito-identity-js's
``AuthenticationHelper`` computes it: the 3072-bit group of RFC 3526 with g = 2, SHA-256, k = H(N | g),
u = H(A | B), x = H(salt | H(poolName | userId | ":" | password)), and the session key taken from S with the
"Caldera Derived Key" HKDF. Every number is hashed as its hex with a leading zero byte when its top bit is set
(``pad_hex``), which is where implementations differ from textbook SRP.

The server end is what the Cognito stand-in (``standins.moto_cognito``) checks a sign-in with; the client end lets a
Python test sign in as the extension does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G = 2
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def pad_hex(value: int) -> str:
    """The number's hex, of whole bytes, with a zero byte first when the top bit is set (it is never negative)."""
    text = f"{value:x}"
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def _hash_hex(hex_text: str) -> int:
    return int(hashlib.sha256(bytes.fromhex(hex_text)).hexdigest(), 16)


K = _hash_hex(pad_hex(N) + pad_hex(G))


def pool_name(user_pool_id: str) -> str:
    """The part of a user pool id after the region: what the password is salted with."""
    return user_pool_id.split("_", 1)[1]


def private_key(user_pool_id: str, user_id: str, password: str, salt: int) -> int:
    """x: the password's hash under the salt."""
    inner = hashlib.sha256(f"{pool_name(user_pool_id)}{user_id}:{password}".encode()).hexdigest()
    return _hash_hex(pad_hex(salt) + inner)


def scrambler(big_a: int, big_b: int) -> int:
    return _hash_hex(pad_hex(big_a) + pad_hex(big_b))


def session_key(shared: int, u: int) -> bytes:
    """The "Caldera Derived Key": HKDF-SHA256 of S with u as its salt, 16 bytes."""
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(shared)), hashlib.sha256).digest()
    return hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]


def timestamp(now: datetime | None = None) -> str:
    """Cognito's TIMESTAMP: ``Sun Dec 6 03:41:46 UTC 2026`` (the day not padded)."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{_WEEKDAYS[at.weekday()]} {_MONTHS[at.month - 1]} {at.day} {at:%H:%M:%S} UTC {at.year}"


def claim_signature(key: bytes, user_pool_id: str, user_id: str, secret_block: str, stamp: str) -> str:
    message = pool_name(user_pool_id).encode() + user_id.encode() + base64.b64decode(secret_block) + stamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


@dataclass
class ServerChallenge:
    """Cognito's end of one sign-in: B, the salt and the secret block it hands out for the client's A."""

    user_pool_id: str
    user_id: str
    password: str
    big_a: int
    # The salt's first byte is kept below 0x80 and above 0x0f, so reading SALT as a number or as its text (clients
    # differ) hashes the same bytes.
    salt: int = field(default_factory=lambda: int(f"{secrets.randbelow(0x70) + 0x10:02x}{secrets.token_hex(15)}", 16))
    secret_block: str = field(default_factory=lambda: base64.b64encode(secrets.token_bytes(64)).decode())
    _b: int = field(default_factory=lambda: secrets.randbits(1024) % N)

    @cached_property
    def verifier(self) -> int:
        return pow(G, private_key(self.user_pool_id, self.user_id, self.password, self.salt), N)

    @cached_property
    def big_b(self) -> int:
        return (K * self.verifier + pow(G, self._b, N)) % N

    def expected_signature(self, stamp: str) -> str | None:
        """The PASSWORD_CLAIM_SIGNATURE a client that knows the password sends; None for an A Cognito refuses."""
        if self.big_a % N == 0:
            return None
        u = scrambler(self.big_a, self.big_b)
        shared = pow(self.big_a * pow(self.verifier, u, N), self._b, N)
        return claim_signature(session_key(shared, u), self.user_pool_id, self.user_id, self.secret_block, stamp)


@dataclass
class ClientSrp:
    """The client's end, as the extension computes it (``extension/lib/srp.js``)."""

    user_pool_id: str
    _a: int = field(default_factory=lambda: secrets.randbits(1024) % N)

    @cached_property
    def big_a(self) -> int:
        return pow(G, self._a, N)

    def answer(self, parameters: dict[str, str], password: str, stamp: str | None = None) -> dict[str, str]:
        """The PASSWORD_VERIFIER answer to Cognito's challenge parameters."""
        stamp = stamp or timestamp()
        user_id = parameters["USER_ID_FOR_SRP"]
        big_b, salt = int(parameters["SRP_B"], 16), int(parameters["SALT"], 16)
        u = scrambler(self.big_a, big_b)
        x = private_key(self.user_pool_id, user_id, password, salt)
        shared = pow((big_b - K * pow(G, x, N)) % N, self._a + u * x, N)
        signature = claim_signature(
            session_key(shared, u), self.user_pool_id, user_id, parameters["SECRET_BLOCK"], stamp
        )
        return {
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": parameters["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": signature,
            "TIMESTAMP": stamp,
        }
