"""Word helpers of the lexical stage: item words, bigrams, operation and audience words, regions."""

import functools
import re
from collections.abc import Sequence

from bot.matching.index import ngrams
from bot.matching.normalize import DATA, read_words
from bot.matching.segment import tokens

_REGION = re.compile(r"^(?:中共)?(.{2,3}?)(?:省|市|县|区|自治州|自治县)")


@functools.lru_cache(maxsize=4096)
def item_words(text: str) -> list[str]:
    """The tokens of an item text (cached: the same names are scored for every question)."""
    return tokens(text)


def bigrams(text: str) -> list[str]:
    """Character bigrams of a content word; its single characters when it has one."""
    grams = [g for g in ngrams(text, (2,))]
    if not grams:  # a one-character content word still counts
        grams = [g for g in ngrams(text, (1,))]
    return grams


@functools.cache
def actions() -> tuple[frozenset[str], frozenset[str]]:
    """(all operation words, the default ones that cost no penalty), canonical forms."""
    words = read_words(DATA / "actions.txt")
    defaults = frozenset(w[1:] for w in words if w.startswith("="))
    return frozenset(w.lstrip("=") for w in words), defaults


@functools.cache
def documents() -> tuple[str, ...]:
    """Documents and cards citizens name (身份证, 驾驶证…) from data/documents.txt, canonical forms."""
    return tuple(read_words(DATA / "documents.txt"))


@functools.cache
def audiences() -> tuple[str, ...]:
    """Audience words (老年人, 残疾人…) from data/audiences.txt."""
    return tuple(read_words(DATA / "audiences.txt"))


def found(grams: Sequence[str], text: str) -> int:
    """How many of ``grams`` occur in ``text``."""
    return sum(g in text for g in grams)


def add_bigrams(vocabulary: set[str], text: str) -> None:
    """Add every character bigram of ``text`` to ``vocabulary``."""
    vocabulary.update(text[i : i + 2] for i in range(len(text) - 1))


def region(department: str) -> str:
    """The place a department belongs to (广州 for 广州市公安局), or empty."""
    match = _REGION.match(department)
    return match.group(1) if match else ""
