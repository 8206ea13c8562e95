"""An item's whole record as text, and the words of a message that this record uses while few other items'
records do: a follow-up grounded in the item under discussion (可以寄到家里吗 after 护照补发, whose record
says 证件可邮寄; 万一找回来了还能用不, whose record says 找回后也不能使用).

Names and FAQ questions are matched by the lexical index; this is the rest of what a citizen reads (notes,
process steps, fees, the online note, FAQ answers), searched only on follow-ups, word by word.
"""

import functools
import math
import re
from collections.abc import Sequence

from bot.matching.normalize import to_halfwidth
from bot.matching.segment import tokens
from knowledge.schema import Item

#: A word that more than a third of the items' records use tells nothing about one item (申请, 材料).
DISTINCT_SHARE = 1 / 3
#: Characters that are words of grammar, not of content, when they stand alone (行不 → 不, 一年 → 一).
_GRAMMAR_CHARS = frozenset(
    "不没一了的是有在到去来个也还又再就都要会能想说给让把被和跟与或上下中里这那吧啊呀嘛呢吗么"
)
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
#: Resultative and directional complements: 找到 and 找回 are both 找 (the record says 找回后).
_COMPLEMENTS = frozenset("到回上下来去好完掉走出进起")


def record_text(item: Item, *, faq: bool = True) -> str:
    """Everything the item's record tells a citizen, as one lower-case half-width string; without its FAQ
    entries when ``faq`` is False (they may speak of other items, to tell them apart)."""
    parts: list[str] = [item.name, *(item.aliases or []), item.conditions or "", *(item.process or [])]
    for material in item.materials:
        parts += [material.name, material.note or ""]
    for situation in item.situations or ():
        parts += [situation.name, situation.note or ""]
        for material in situation.materials or ():
            parts += [material.name, material.note or ""]
    for block in (item.time_limit, item.fee, item.online):
        if block is not None:
            parts += [str(getattr(block, name, "") or "") for name in ("text", "note")]
    for entry in item.faq or () if faq else ():
        parts += [entry.q, entry.a]
    return to_halfwidth("\n".join(p for p in parts if p)).lower()


def content_tokens(content: str) -> list[str]:
    """The words of prepared ``content`` that could be found in a record: Chinese, not grammar alone."""
    words = [w for w in tokens(content) if _HAN.match(w) and (len(w) >= 2 or w not in _GRAMMAR_CHARS)]
    return [w[0] if len(w) == 2 and w[1] in _COMPLEMENTS and w[0] not in _GRAMMAR_CHARS else w for w in words]


def split_words(content: str) -> list[str]:
    """Two single characters in a row that the segmenter did not join (登 报 of 要登报不): a word it does not
    know, which a record may use whole (无需登报声明)."""
    found = tokens(content)
    return [
        a + b for a, b in zip(found, found[1:], strict=False) if len(a) == len(b) == 1 and _HAN.match(a + b)
    ]


class Records:
    """The records of one knowledge-base version, and how many of them use a word (cached per word)."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.texts = [record_text(item) for item in items]
        self._used = functools.lru_cache(maxsize=4096)(self._count)

    def _count(self, word: str) -> int:
        return sum(1 for text in self.texts if word in text)

    def used_by(self, word: str) -> int:
        """How many items' records use ``word``."""
        return self._used(word)  # type: ignore[no-any-return]

    def distinct(self, word: str) -> bool:
        """Whether few enough records use ``word`` for it to point at them."""
        return self.used_by(word) <= max(2.0, DISTINCT_SHARE * len(self.texts))

    def weight(self, word: str) -> float:
        """How much finding ``word`` in a sentence says (rarer across records: more)."""
        return math.log((len(self.texts) + 1) / (self.used_by(word) + 1)) + 1.0

    def grounded(self, content: str, position: int) -> list[str]:
        """The words of prepared ``content`` that the item at ``position``'s record uses and few others do."""
        text = self.texts[position]
        return [
            w for w in [*content_tokens(content), *split_words(content)] if w in text and self.distinct(w)
        ]
