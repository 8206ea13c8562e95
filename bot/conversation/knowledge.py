"""The knowledge the conversation answers from: a built Matcher plus the hall.

:class:`StaticKnowledge` serves one knowledge base (a JSON file, tests);
``bot.serving.kbcache.DatabaseKnowledge`` serves the database's published items and rebuilds on change.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.matching.embedding import Embedder
from bot.matching.matcher import Matcher, SemanticStage
from bot.matching.semantic import SemanticIndex, VectorCache
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


@dataclass(frozen=True)
class SemanticSetup:
    """What the semantic stage needs: the model and the passage vector cache shared by the host's workers."""

    embedder: Embedder
    cache: VectorCache


def build(
    items: Sequence[Item],
    hall: Hall,
    *,
    synonyms: dict[str, str] | None = None,
    version: object = 0,
    semantic: SemanticSetup | None = None,
    extra: Mapping[str, Sequence[str]] | None = None,
) -> Knowledge:
    """Index ``items`` for answering; with ``semantic``, embed what the cache lacks first (blocking)."""
    knowledge = Knowledge(matcher=Matcher.build(items, synonyms=synonyms), hall=hall, version=version)
    if semantic is None:
        return knowledge
    return with_semantic(knowledge, semantic, extra=extra) or knowledge


def with_semantic(
    knowledge: Knowledge,
    semantic: SemanticSetup,
    *,
    extra: Mapping[str, Sequence[str]] | None = None,
    embed_missing: bool = True,
    should_stop: Callable[[], bool] = lambda: False,
) -> Knowledge | None:
    """``knowledge`` with the semantic stage attached; None when stopped, or when texts are missing from the
    cache and ``embed_missing`` is False (the caller embeds them in the background)."""
    items = knowledge.matcher.items
    index = SemanticIndex.build(
        items,
        semantic.embedder,
        semantic.cache,
        extra=extra,
        embed_missing=embed_missing,
        should_stop=should_stop,
    )
    if index is None:
        return None
    matcher = knowledge.matcher.with_semantic(SemanticStage(index, semantic.embedder))
    return Knowledge(matcher=matcher, hall=knowledge.hall, version=knowledge.version)


class StaticKnowledge:
    """One knowledge base, indexed once (with the semantic stage when given, embedding what is missing)."""

    def __init__(self, kb: KnowledgeBase, semantic: SemanticSetup | None = None) -> None:
        self.knowledge = build(kb.items, kb.hall, version="static", semantic=semantic)

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
