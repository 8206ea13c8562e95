"""The fitted part of matching: rank the candidates, then answer / clarify / hand off by probability.

Per mode (hybrid: both stages; lexical: the semantic stage off or not needed; semantic: for comparison only)
three logistic models: ``candidate`` (is this item the one asked about?), ``answer`` (is the best candidate
right?) and ``clarify`` (is the right item among the first five?), and two thresholds chosen for a
wrong-answer rate when fitting (``bot/matching/fit.py``). The shipped models are
``bot/matching/data/matcher-model.json``.
"""

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.matching import words
from bot.matching.features import CANDIDATE_FEATURES, Candidate, base_name, decision_values
from bot.matching.model import LogisticModel

SHIPPED = Path(__file__).resolve().parent / "data" / "matcher-model.json"
#: At most this many items are offered in a clarification, at least two.
MAX_CHOICES = 5
#: A candidate is offered in a clarification when its probability is at least this share of the best's.
CHOICE_SHARE = 0.15


@dataclass(frozen=True)
class Verdict:
    """What the ranker decided for one question."""

    action: str  # answer | clarify | handoff
    ordered: tuple[Candidate, ...]
    probabilities: tuple[float, ...]
    answer_p: float
    clarify_p: float
    values: dict[str, float]

    def choices(self, names: Sequence[str] = ()) -> tuple[Candidate, ...]:
        """The candidates a clarification offers, best first: the best one's family (items sharing its name
        before the brackets: 住房公积金提取（租赁住房）…) first, then the others close to the best."""
        if not self.ordered:
            return ()
        best = self.probabilities[0]
        close = [c for c, p in zip(self.ordered, self.probabilities, strict=True) if p >= CHOICE_SHARE * best]
        if names:
            head = names[self.ordered[0].position]
            family = [c for c in self.ordered if same_family(head, names[c.position])]
            if len(family) >= 2:
                close = family + [c for c in close if c not in family]
        if len(close) >= 2:
            return tuple(close[:MAX_CHOICES])
        # One credible item: the second option at least does what the message asks (注销营业执照 →
        # 公司注销登记 beside 个体工商户注销登记, not 个体工商户设立登记).
        rest = self.ordered[1:MAX_CHOICES]
        second = next((c for c in rest if not c.values.get("missing_op")), rest[0] if rest else None)
        return (self.ordered[0],) if second is None else (self.ordered[0], second)


#: Names that begin alike this long and end alike this long differ only by the case between (住房公积金
#: 租房提取, 住房公积金购房提取): one service's cases, offered together.
FAMILY_HEAD = 4
FAMILY_TAIL = 2


def same_family(name: str, other: str) -> bool:
    """Whether two item names are cases of one service: the same name before brackets (住房公积金提取（租赁
    住房）), or the same beginning and ending around different middles (住房公积金租房提取 / …购房提取; not
    居民身份证首次申领 / …补领, which end in different operations)."""
    if base_name(name) == base_name(other):
        return True
    head = len(os.path.commonprefix([name, other]))
    tail = len(os.path.commonprefix([name[::-1], other[::-1]]))
    if head < FAMILY_HEAD or tail < FAMILY_TAIL or head + tail >= min(len(name), len(other)):
        return False
    # 个体工商户设立登记 / 个体工商户注销登记: a middle that is an operation makes another service on the
    # same subject, not another case of one service.
    operations = words.actions()[0]
    return name[head:-tail] not in operations and other[head:-tail] not in operations


@dataclass(frozen=True)
class Ranker:
    """One mode's candidate, answer and clarify models with their thresholds."""

    mode: str
    candidate: LogisticModel
    answer: LogisticModel
    clarify: LogisticModel
    answer_at: float
    clarify_at: float

    def order(self, found: Sequence[Candidate]) -> tuple[tuple[Candidate, ...], tuple[float, ...]]:
        """Candidates by the candidate model's probability, best first (ties: the earlier one)."""
        if not found:
            return (), ()
        rows = np.array([self.candidate.vector(c.values) for c in found])
        probabilities = self.candidate.predict_proba(rows)
        order = sorted(range(len(found)), key=lambda i: (-probabilities[i], i))
        return tuple(found[i] for i in order), tuple(float(probabilities[i]) for i in order)

    def judge(self, found: Sequence[Candidate], names: Sequence[str], content: str) -> Verdict:
        """Rank ``found`` and decide; no candidate at all is a handoff."""
        ordered, probabilities = self.order(found)
        if not ordered:
            return Verdict("handoff", (), (), 0.0, 0.0, {})
        values = decision_values(ordered, probabilities, names, content)
        answer_p = self.answer.probability(values)
        clarify_p = self.clarify.probability(values)
        if answer_p >= self.answer_at:
            action = "answer"
        elif clarify_p >= self.clarify_at:
            action = "clarify"
        else:
            action = "handoff"
        return Verdict(action, ordered, probabilities, answer_p, clarify_p, values)

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "candidate": self.candidate.as_json(),
            "answer": self.answer.as_json(),
            "clarify": self.clarify.as_json(),
            "answer_at": round(self.answer_at, 4),
            "clarify_at": round(self.clarify_at, 4),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Ranker":
        ranker = cls(
            mode=data["mode"],
            candidate=LogisticModel.from_json(data["candidate"]),
            answer=LogisticModel.from_json(data["answer"]),
            clarify=LogisticModel.from_json(data["clarify"]),
            answer_at=float(data["answer_at"]),
            clarify_at=float(data["clarify_at"]),
        )
        if ranker.candidate.features != CANDIDATE_FEATURES[ranker.mode]:
            raise ValueError(f"{ranker.mode} candidate model has features {ranker.candidate.features}")
        return ranker


@dataclass(frozen=True)
class Models:
    """The rankers of every mode, the fast-path threshold and what they were fitted on."""

    rankers: dict[str, Ranker]
    #: The lexical ranker's answer probability from which the semantic stage is not consulted.
    fast_at: float
    meta: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": "guidebot-matcher-model/1",
            "fast_at": round(self.fast_at, 4),
            "rankers": {mode: ranker.as_json() for mode, ranker in self.rankers.items()},
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Models":
        if data.get("format") != "guidebot-matcher-model/1":
            raise ValueError("not a guidebot matcher model")
        rankers = {mode: Ranker.from_json(r) for mode, r in data["rankers"].items()}
        return cls(rankers=rankers, fast_at=float(data["fast_at"]), meta=dict(data.get("meta") or {}))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


_SHIPPED: list[Models] = []


def shipped() -> Models:
    """The models shipped with guidebot (read once per process)."""
    if not _SHIPPED:
        _SHIPPED.append(Models.from_json(json.loads(SHIPPED.read_text(encoding="utf-8"))))
    return _SHIPPED[0]
