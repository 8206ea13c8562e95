"""Which of a few options a message names in words: the words that set an option apart from the others
(租赁 in 住房公积金提取（租赁住房）, not 公积金) and, with the semantic stage, closeness in meaning.

Used for a numbered question answered in words, and for situations told in a story.
"""

from collections.abc import Sequence

import numpy as np

from bot.matching.normalize import normalize

#: A semantic lead this large over the runner-up settles a choice made in other words.
SEMANTIC_MARGIN = 0.02


#: Pairs that say how, not which: they never set an option apart ("用于出国探亲" is not "用于继承的…").
_FUNCTION_PAIRS = frozenset(
    "用于 对于 关于 或者 以及 及其 其他 相关 办理 申请 需要 可以 我是 我要 的话".split()
)


#: Characters that say how, not which (用 of 用于, 的, 了…).
_FUNCTION_CHARS = frozenset("用于的了是在和与或及我你他她它们这那有要办吗呢吧啊")


def _bigrams(text: str) -> set[str]:
    pairs = {text[i : i + 2] for i in range(len(text) - 1) if " " not in text[i : i + 2]}
    return pairs - _FUNCTION_PAIRS


def distinctive(options: Sequence[str]) -> list[set[str]]:
    """Each option's character bigrams that not every option shares."""
    grams = [_bigrams(normalize(option)) for option in options]
    common = set.intersection(*grams) if grams else set()
    return [g - common for g in grams]


def by_words(text: str, options: Sequence[str], topic: str = "") -> int | None:
    """The option whose distinctive words (pairs of characters no other option has as many of) ``text``
    says, or None. Strong evidence: a message naming 租赁 answers the numbered question. Words of
    ``topic`` (the item whose situations the options are) set no option apart."""
    said = _bigrams(normalize(text)) - _bigrams(normalize(topic))
    hits = [len(said & grams) for grams in distinctive(options)]
    best = max(hits, default=0)
    return hits.index(best) if best and hits.count(best) == 1 else None


def by_hint(
    text: str, options: Sequence[str], semantic: Sequence[float] | None = None, topic: str = ""
) -> int | None:
    """Weaker evidence, for a message that names no other item: one character only this option has (租 in
    租房的 → 租赁住房), else (with ``semantic``, the message's similarity to each option) the option
    clearly closest in meaning; ties on distinctive words are decided by meaning too. Words of ``topic``
    (the item the options are situations of) tell no option apart: 公积金 in 我老婆也有公积金 does not
    point to 使用公积金贷款购房."""
    said = _bigrams(normalize(text)) - _bigrams(normalize(topic))
    hits = [len(said & grams) for grams in distinctive(options)]
    best = max(hits, default=0)
    if not best:
        chars = set(normalize(text).replace(" ", "")) - _FUNCTION_CHARS - set(normalize(topic))
        owned = [set(normalize(option)) for option in options]
        unique = [
            o - set().union(*(other for j, other in enumerate(owned) if j != i)) for i, o in enumerate(owned)
        ]
        single = [i for i, mine in enumerate(unique) if chars & mine]
        if len(single) == 1:
            return single[0]
    if semantic is None or len(semantic) != len(options) or len(options) < 2:
        return None
    scores = np.asarray(semantic, dtype=float)
    candidates = [i for i, h in enumerate(hits) if h == best] if best else list(range(len(options)))
    candidates.sort(key=lambda i: -scores[i])
    if len(candidates) == 1 or scores[candidates[0]] - scores[candidates[1]] >= SEMANTIC_MARGIN:
        return candidates[0]
    return None
