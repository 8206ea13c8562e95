"""Typos that are not homophones (公积全, 营业执找, 社会保障卞) corrected against candidate items' words.

``bot.matching.synonyms.HomophoneFixer`` fixes pinyin-input typos; a wrong character picked by shape or by a
slip of the finger sounds different. Here a span of the question is compared with the words of the
items the question already points at (the TOP_K items by n-gram cosine: the other characters of the
word still match) using rapidfuzz with an explicit scorer:

    process.extract(span, words, scorer=Levenshtein.distance, score_cutoff=1, limit=2)

i.e. words of the same length at most one substituted character away. ``Levenshtein.distance`` is
chosen because on Chinese every character is a word-sized unit and one wrong character is exactly the
error being corrected; rapidfuzz's ``fuzz.WRatio`` (its default) mixes partial and token-set scores
meant for space-separated Latin text and gives any span containing a short common word a high score.

A span (3–6 Han characters) is replaced only when
  * it is not knowledge-base text already and the changed character sits in a character pair the
    knowledge base never uses (the typo is where the text stops matching),
  * it is not a word of general Chinese (二手车 is not a typo of 二手房), and the changed character does not
    form a word with its neighbours, inside the span or beyond it (前 of 家里前几天),
  * the changed character forms no knowledge-base pair with another character of the span, in either
    order (户口销了 is 销户口 said the other way round, not a typo of 户口簿),
  * exactly one candidate word is that close (two equally close words are ambiguous).
Two-character words are never corrected: one substitution there is usually another real word.
"""

import re
from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

MIN_SIZE = 3
MAX_SIZE = 6
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def candidate_words(texts: Iterable[str], split: Callable[[str], list[str]]) -> dict[int, list[str]]:
    """Distinct words of MIN_SIZE–MAX_SIZE Han characters in ``texts``, by length."""
    by_size: dict[int, set[str]] = {}
    for text in texts:
        # A three-character name whole too (居住证, which the tokeniser cuts into 居住 + 证).
        names = [chunk[:3] for chunk in text.split() if len(chunk) >= 3 and chunk[2] in "证卡本照"]
        for word in [*split(text), *names]:
            if MIN_SIZE <= len(word) <= MAX_SIZE and _HAN.match(word):
                by_size.setdefault(len(word), set()).add(word)
    return {size: sorted(words) for size, words in by_size.items()}


def _changed(span: str, word: str) -> int:
    return next(i for i, (a, b) in enumerate(zip(span, word, strict=True)) if a != b)


def _in_a_word(chars: list[str], position: int, common_word: Callable[[str], bool]) -> bool:
    """Whether the character at ``position`` is part of a 2–4 character word of the question, beyond the
    span too (前 of 家里前几天)."""
    for size in (2, 3, 4):
        for first in range(max(0, position - size + 1), position + 1):
            window = "".join(chars[first : first + size])
            if len(window) == size and " " not in window and common_word(window):
                return True
    return False


def correct(
    content: str,
    words: dict[int, list[str]],
    *,
    known_pair: Callable[[str], bool],
    common_word: Callable[[str], bool],
) -> str:
    """``content`` with one-character typos replaced by candidate ``words`` (longest span first)."""
    chars = list(content)
    start = 0
    while start < len(chars):
        for size in range(MAX_SIZE, MIN_SIZE - 1, -1):
            span = "".join(chars[start : start + size])
            choices = words.get(size)
            if len(span) < size or not choices or not _HAN.match(span) or common_word(span):
                continue
            pairs = [span[i : i + 2] for i in range(size - 1)]
            if all(known_pair(pair) for pair in pairs):
                continue  # knowledge-base text already
            found = process.extract(span, choices, scorer=Levenshtein.distance, score_cutoff=1, limit=2)
            close = [word for word, distance, _ in found if distance == 1]
            if len(close) != 1:
                continue
            word = close[0]
            at = _changed(span, word)
            inside = [pairs[i] for i in (at - 1, at) if 0 <= i < len(pairs)]
            if all(known_pair(pair) for pair in inside) or _in_a_word(chars, start + at, common_word):
                continue
            if any(known_pair(span[at] + c) or known_pair(c + span[at]) for c in span if c != span[at]):
                # Words out of the usual order (户口销了 is 销户口): the character forms a known word with
                # another of the span, so it is meant, not mistyped.
                continue
            chars[start : start + size] = list(word)
            start += size - 1
            break
        start += 1
    return "".join(chars)
