"""The knowledge the conversation answers from: a built Matcher plus the hall.

:class:`StaticKnowledge` serves one knowledge base (a JSON file, tests);
``bot.serving.kbcache.DatabaseKnowledge`` serves the database's published items and rebuilds on change.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.matching.matcher import Matcher
from knowledge.schema import Hall, Item, KnowledgeBase

#: Items offered in the welcome and the 常办事项 menu when nothing has been asked yet.
COMMON_COUNT = 5


@dataclass(frozen=True)
class Knowledge:
    """One version of the knowledge base, ready to answer."""

    matcher: Matcher
    hall: Hall
    version: object = 0

    def item(self, code: str) -> Item | None:
        try:
            return self.matcher.item(code)
        except KeyError:
            return None

    @property
    def codes(self) -> list[str]:
        return [item.code for item in self.matcher.items]


def build(
    items: Sequence[Item], hall: Hall, *, synonyms: dict[str, str] | None = None, version: object = 0
) -> Knowledge:
    """Index ``items`` for answering."""
    return Knowledge(matcher=Matcher.build(items, synonyms=synonyms), hall=hall, version=version)


class StaticKnowledge:
    """One knowledge base, indexed once."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.knowledge = build(kb.items, kb.hall, version="static")

    def __call__(self) -> Knowledge:
        return self.knowledge

    #: A call never touches a database.
    ready = True


def common_codes(knowledge: Knowledge, most_asked: Sequence[str], count: int = COMMON_COUNT) -> list[str]:
    """Items to offer: the most asked ones still published, topped up with the first items."""
    codes: list[str] = [code for code in most_asked if knowledge.item(code) is not None][:count]
    for code in knowledge.codes:
        if len(codes) >= count:
            break
        if code not in codes:
            codes.append(code)
    return codes


KnowledgeSource = Callable[[], Knowledge]
