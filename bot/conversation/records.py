"""What the conversation records for the administrators' review: questions and ratings, personal data masked.

``Recorder`` is the interface the conversation writes to; ``MemoryRecorder`` keeps records in lists (the CLI,
tests). ``bot.serving.recording.DatabaseRecorder`` writes them to the database.
"""

import functools
import hashlib
import hmac
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from bot.matching.decision import Decision
from bot.matching.pii import mask_personal_data


@functools.lru_cache(maxsize=8192)
def hash_openid(openid: str, key: str) -> str:
    """A keyed hash of an openid: stable for one installation, useless elsewhere.

    Cached: a citizen's messages come in runs, and every one of them is recorded.
    """
    return hmac.new(key.encode("utf-8"), openid.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


#: Masked texts by text: a burst repeats the same few questions (this process's memory only).
_masked = functools.lru_cache(maxsize=4096)(mask_personal_data)


@dataclass(frozen=True)
class Question:
    """One citizen question and what the bot did with it."""

    openid: str
    text: str
    decision: Decision
    msg_id: str | None = None

    @property
    def masked(self) -> str:
        return _masked(self.text)


class Recorder(Protocol):
    """Where ``bot.conversation.engine`` writes what administrators review."""

    def question(self, question: Question) -> None:
        """Record a question (every answer, clarification and handoff)."""

    def rating(self, *, item_code: str, score: int, openid: str) -> None:
        """Record a 1–5 rating of the answer about ``item_code``."""

    def most_asked(self, limit: int) -> list[str]:
        """Codes of the items answered most often, most first."""


@dataclass
class MemoryRecorder:
    """Keeps records in lists (CLI with a JSON file, tests)."""

    hash_key: str = "guidebot"
    questions: list[dict[str, object]] = field(default_factory=list)
    ratings: list[dict[str, object]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def question(self, question: Question) -> None:
        decision = question.decision
        with self._lock:
            self.questions.append(
                {
                    "msg_id": question.msg_id,
                    "openid_hash": hash_openid(question.openid, self.hash_key),
                    "text": question.masked,
                    "action": decision.action,
                    "reason": decision.reason,
                    "item_code": decision.item,
                    "field": decision.field,
                    "score": decision.score,
                    "candidates": [list(pair) for pair in decision.scores],
                }
            )

    def rating(self, *, item_code: str, score: int, openid: str) -> None:
        with self._lock:
            self.ratings.append(
                {"item_code": item_code, "score": score, "openid_hash": hash_openid(openid, self.hash_key)}
            )

    def most_asked(self, limit: int) -> list[str]:
        with self._lock:
            counts = Counter(
                str(q["item_code"]) for q in self.questions if q["action"] == "answer" and q["item_code"]
            )
        return [code for code, _ in counts.most_common(limit)]
