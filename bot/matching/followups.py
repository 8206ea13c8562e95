"""Follow-ups that move away from the item under discussion: a message naming a neighbour of the topic
(那丢了呢 after 驾驶证期满换证 → 驾驶证遗失补领), or key words naming something else altogether
(提取公积金 after 身份证补领). Pure functions of the lexical index (``ItemScorer``) and the message."""

from collections.abc import Callable, Sequence

import numpy as np

from bot.matching.decision import Turn
from bot.matching.fields import CUE_TEXT
from bot.matching.scoring import ItemScorer


def key_words(scorer: ItemScorer, text: str) -> set[str]:
    """The key words (nouns the knowledge base knows, two characters or more) of prepared ``text``."""
    return {w for w, _, _, key in scorer.weighted_words(text) if key and len(w) >= 2}


def new_words(scorer: ItemScorer, content: str, current: str, told: Callable[[str], str]) -> list[str]:
    """The words of ``content`` (two characters or more, no field cues) that the ``current`` item's names
    and situations lack (``told`` prepares a situation's name)."""
    item = scorer.items[scorer.position[current]]
    # The item's own words: its names and its situations (评定 of 行动不便无法到评定机构 is this item's,
    # though 重新评定 names a neighbour).
    own = " ".join(
        [scorer.name_text(scorer.position[current]), *(told(s.name) for s in item.situations or ())]
    )
    words = [w for w, *_ in scorer.weighted_words(content) if len(w) >= 2 and w not in CUE_TEXT]
    return [w for w in words if w not in own]


def renamed(scorer: ItemScorer, content: str, current: str, other: str, told: Callable[[str], str]) -> bool:
    """Whether ``content`` names ``other`` by a word of its names that the ``current`` item's names and
    situations lack (公证要多少钱 after 无犯罪记录证明 names 公证申办)."""
    return bool(naming_words(scorer, content, current, other, told))


def naming_words(
    scorer: ItemScorer,
    content: str,
    current: str,
    other: str,
    told: Callable[[str], str],
    *,
    keys_only: bool = False,
) -> list[str]:
    """The words of ``content`` that name ``other`` and that the ``current`` item's names and situations lack;
    with ``keys_only``, key words only (一年 of 多少钱一年 is a count, and names nothing)."""
    name = scorer.name_text(scorer.position[other])
    keys = key_words(scorer, content) if keys_only else None
    words = new_words(scorer, content, current, told)
    return [w for w in words if w in name and (keys is None or w in keys)]


def sibling_named(
    scorer: ItemScorer,
    content: str,
    current: str,
    codes: Sequence[str],
    *,
    told: Callable[[str], str],
    meaning: np.ndarray | None,
) -> str | None:
    """The one item among ``codes`` (the items nearest the topic with this message) that shares the
    ``current`` item's key words and whose names hold a word of ``content`` the current item's names and
    situations lack, provided the message (``meaning``: its similarity to each item, or None without the
    semantic stage) is closer in meaning to it; else None. ``told`` prepares a situation's name."""
    position = scorer.position
    new = new_words(scorer, content, current, told)
    if not new:
        return None
    topic = key_words(scorer, scorer.name_text(position[current]))
    named = [
        c
        for c in codes
        if c != current
        and c in position
        and any(w in scorer.name_text(position[c]) for w in new)
        # A neighbour shares the topic's key words (驾驶证 of 驾驶证遗失补领): 小孩的呢 after 港澳通行证
        # does not mean 身份证首次申领 although 孩子 is in its aliases.
        and topic & key_words(scorer, scorer.name_text(position[c]))
    ]
    if len(named) != 1:
        return None
    if meaning is not None and meaning[position[current]] >= meaning[position[named[0]]]:
        return None  # in meaning the message is still closer to the item under discussion
    return named[0]


def names_other_topic(scorer: ItemScorer, content: str, prev: Turn, share: float) -> bool:
    """Whether ``content``'s key words (nouns the knowledge base knows) carry at least ``share`` of its weight
    in words the item or candidates under discussion never mention: 提取公积金 after 身份证补领 is a new
    question."""
    codes = (prev.item, *prev.candidates)
    context = [scorer.item_texts[scorer.position[c]] for c in codes if c in scorer.position]
    if not context:
        return False
    words = scorer.weighted_words(content)
    total = sum(weight for _, _, weight, _ in words)
    new = sum(
        weight
        for word, _, weight, key in words
        if key
        and word not in CUE_TEXT
        and word in scorer.phrase_text
        and not any(word in text for text in context)
    )
    return total > 0 and new / total >= share
