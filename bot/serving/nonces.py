"""Replay guard: one signed query string (timestamp, nonce, signature) serves one push body only.

WeChat's plaintext signature covers the token, the timestamp and the nonce, not the body, so a
signed query string seen once could carry any other body for the whole timestamp window. Each
verified request claims its (timestamp, nonce) in the shared state store, the one that dedups
pushes for every worker, and leaves a fingerprint of its body there. The same pair again with the
same body is WeChat retrying (dedup answers it with the remembered reply); with another body it is
a replay and is refused.

The claim is one round trip; the fingerprint goes out with the store's other deferred writes. A
retry arriving before the fingerprint is written (the write-behind interval, 20 ms; WeChat
retries after 5 s) is let through to dedup: a sender that fast is on the wire already and could
rewrite the original body anyway.
"""

import hashlib
import hmac

from bot.conversation.state import StateStore

PREFIX = "nonce:"


def nonce_key(timestamp: str, nonce: str) -> str:
    """The store key of a signed (timestamp, nonce) pair: hashed, so its length is fixed."""
    digest = hashlib.sha1(f"{timestamp}\n{nonce}".encode("utf-8", "replace")).hexdigest()
    return PREFIX + digest


def fingerprint(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()[:32]


def first_use(store: StateStore, *, timestamp: str, nonce: str, payload: bytes) -> bool:
    """False when this (timestamp, nonce) was seen within the dedup TTL with a different payload."""
    key, mark = nonce_key(timestamp, nonce), fingerprint(payload)
    if store.claim(key):
        store.remember_reply(key, mark)
        return True
    seen = store.reply_for(key)
    return seen is None or hmac.compare_digest(seen.encode(), mark.encode())
