"""What the fitted models see: candidate items of a question from both stages, and their features.

Candidates are the lexical stage's best items and the semantic stage's best items together; each is
described by features that mean the same in any hall (ranks, gaps to the best, a z-score of the semantic
similarity within the question's own candidates) rather than raw scores tied to one knowledge base. The
question's decision features describe the best candidate and its rivals after the candidate model ranked
them.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.matching.scoring import ItemScorer, Ranked

#: Candidates taken from each stage.
LEXICAL_K = 10
SEMANTIC_K = 10
#: Ranks are capped here (an item one stage did not rank gets it).
RANK_CAP = 12

LEXICAL_FEATURES = (
    "lex",
    "cos",
    "cov",
    "lex_rank",
    "lex_gap",
    "answerable",
    "lacks_main",
    "unasked_op",
    "missing_op",
    "named",
    "key_missing",
    "ask_cov",
)
SEMANTIC_FEATURES = ("sem", "sem_rank", "sem_gap", "sem_z", "sem_ask", "sem_ask_gap")
#: Candidate features per mode.
CANDIDATE_FEATURES: dict[str, tuple[str, ...]] = {
    "hybrid": LEXICAL_FEATURES + SEMANTIC_FEATURES,
    "lexical": LEXICAL_FEATURES,
    "semantic": SEMANTIC_FEATURES,
}
_DECISION_COMMON = ("p1", "p2", "gap", "n_close", "family", "length", "catalog")
#: Decision features per mode.
DECISION_FEATURES: dict[str, tuple[str, ...]] = {
    "hybrid": _DECISION_COMMON
    + ("cov", "cos", "lex_best", "lex_rank", "answerable", "lacks_main", "unasked_op", "missing_op", "named")
    + ("key_missing", "ask_cov", "cov_lead", "ask_lead", "lex_lead")
    + ("sem", "sem_z", "sem_best", "sem_rank", "agree", "sem_lead", "sem_ask", "sem_ask_lead"),
    "lexical": _DECISION_COMMON
    + ("cov", "cos", "lex_best", "answerable", "lacks_main", "unasked_op", "missing_op", "named")
    + ("key_missing", "ask_cov", "cov_lead", "ask_lead", "lex_lead"),
    "semantic": _DECISION_COMMON + ("sem", "sem_z", "sem_best", "sem_lead", "sem_ask", "sem_ask_lead"),
}
MODES = tuple(CANDIDATE_FEATURES)

_BRACKETS = re.compile(r"[（(].*")


@dataclass(frozen=True)
class Candidate:
    """One item considered for a question, with its features by name."""

    position: int
    values: dict[str, float]


def candidates(
    scorer: ItemScorer,
    content: str,
    semantic: np.ndarray | None,
    *,
    mode: str = "hybrid",
    ask: str = "",
    ask_semantic: np.ndarray | None = None,
) -> list[Candidate]:
    """The items both stages put forward for ``content`` (prepared text) with ``semantic`` item scores;
    ``ask`` is the prepared clause that asks (the end of a long story), or empty, and ``ask_semantic``
    the items' similarity to that clause (None: the whole message's)."""
    ranked = scorer.rank(content) if content and mode != "semantic" else []
    lexical: dict[int, tuple[int, Ranked | None]] = {
        r.index: (k, r) for k, r in enumerate(ranked[:LEXICAL_K])
    }
    order: list[int] = []
    if semantic is not None and len(semantic) and mode != "lexical":
        order = [int(i) for i in np.argsort(-semantic, kind="stable")[: max(SEMANTIC_K, RANK_CAP)]]
    semantic_top = order[:SEMANTIC_K]
    extra = [p for p in semantic_top if p not in lexical]
    if extra and content and mode == "hybrid":
        for r in scorer.score_items(content, extra):
            lexical.setdefault(r.index, (RANK_CAP, r))
    positions = list(dict.fromkeys([*(r.index for r in ranked[:LEXICAL_K]), *semantic_top]))
    if not positions:
        return []
    lex_best = ranked[0].score if ranked else 0.0
    sem_rank = {p: k for k, p in enumerate(order)}
    if semantic is not None and order:
        top = semantic[semantic_top]
        best, mean, spread = float(top[0]), float(top.mean()), float(top.std()) + 1e-6
        told = semantic if ask_semantic is None else ask_semantic
        told_best = float(told.max())
    out = []
    for position in positions:
        values: dict[str, float] = {}
        if mode != "semantic":
            rank, found = lexical.get(position, (RANK_CAP, None))
            values.update(_lexical_values(found, min(rank, RANK_CAP), lex_best))
            # A story names other things on the way; the clause that asks names the service.
            values["ask_cov"] = scorer.coverage(ask, position) if ask else values["cov"]
        if semantic is not None and order:
            similarity = float(semantic[position])
            values.update(
                sem=similarity,
                sem_rank=float(min(sem_rank.get(position, RANK_CAP), RANK_CAP)),
                sem_gap=best - similarity,
                sem_z=(similarity - mean) / spread,
                sem_best=best,
                sem_ask=float(told[position]),
                sem_ask_gap=told_best - float(told[position]),
            )
        out.append(Candidate(position, values))
    return out


def _lexical_values(r: Ranked | None, rank: int, lex_best: float) -> dict[str, float]:
    if r is None:
        return {
            "lex": 0.0,
            "cos": 0.0,
            "cov": 0.0,
            "lex_rank": float(rank),
            "lex_gap": lex_best,
            "answerable": 0.0,
            "lacks_main": 1.0,
            "unasked_op": 0.0,
            "missing_op": 0.0,
            "named": 0.0,
            "key_missing": 1.0,
        }
    return {
        "lex": r.score,
        "cos": r.cos,
        "cov": r.cov,
        "lex_rank": float(rank),
        "lex_gap": lex_best - r.score,
        "answerable": float(r.answerable),
        "lacks_main": float(r.lacks_main),
        "unasked_op": float(r.unasked_operation),
        "missing_op": float(r.missing_operation),
        "named": float(r.named > 0),
        "key_missing": r.missing,
    }


def base_name(name: str) -> str:
    """An item's name without its bracketed part: 住房公积金提取（租赁住房） → 住房公积金提取."""
    return _BRACKETS.sub("", name).strip()


def decision_values(
    ranked: Sequence[Candidate], probabilities: Sequence[float], names: Sequence[str], content: str
) -> dict[str, float]:
    """The question's decision features: the best candidate after ranking, and how its rivals stand."""
    best = ranked[0].values
    p1 = float(probabilities[0])
    p2 = float(probabilities[1]) if len(probabilities) > 1 else 0.0
    top_names = [base_name(names[c.position]) for c in ranked[:5]]
    values = {
        "p1": p1,
        "p2": p2,
        "gap": p1 - p2,
        "n_close": float(sum(1 for p in probabilities[:5] if p >= 0.5 * p1)),
        "family": float(sum(1 for name in top_names[1:] if name == top_names[0])),
        "length": float(min(len(content.replace(" ", "")), 40)),
        # Big catalogues (a province's 2,000 items, many alike) rank differently from a county's 80.
        "catalog": math.log10(max(len(names), 1)),
    }
    for key in (
        "cov",
        "cos",
        "lex_rank",
        "answerable",
        "lacks_main",
        "unasked_op",
        "missing_op",
        "named",
        "key_missing",
        "ask_cov",
        "sem",
        "sem_z",
        "sem_best",
        "sem_rank",
        "sem_ask",
    ):
        if key in best:
            values[key] = best[key]
    second = ranked[1].values if len(ranked) > 1 else {}
    leads = (("sem", "sem_lead"), ("cov", "cov_lead"), ("ask_cov", "ask_lead"), ("lex", "lex_lead"))
    for key, lead in (*leads, ("sem_ask", "sem_ask_lead")):
        if key in best:
            values[lead] = best[key] - second.get(key, 0.0)
    if "lex" in best:
        values["lex_best"] = max(c.values["lex"] for c in ranked)
    if "sem" in best and "lex" in best:
        by_lex = max(ranked, key=lambda c: c.values["lex"]).position
        by_sem = max(ranked, key=lambda c: c.values["sem"]).position
        values["agree"] = float(by_lex == ranked[0].position) + float(by_sem == ranked[0].position)
    return values
