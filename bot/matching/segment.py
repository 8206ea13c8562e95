"""Content words of a normalised message: word tokens minus question words (data/stopwords.txt).

Question words are removed as whole tokens, never as substrings, so 有 goes but 有限责任公司 stays.
Segmentation is jieba's dictionary method (longest-probability path through the word DAG, no HMM),
re-implemented here over a trimmed copy of jieba's dictionary (words of frequency ≥ MIN_FREQUENCY, ~52k
words, ~15 MB instead of ~80 MB for jieba's own tokenizer) plus the synonym, operation and stop words, so
社保卡 or 户口本 stay one token. The dictionary is read once per process (about a second).
"""

import functools
import importlib.util
import math
import re
from pathlib import Path

import numpy as np

from bot.matching.normalize import DATA, read_table, read_words

MIN_FREQUENCY = 50
_HAN = re.compile(r"([\u4e00-\u9fff]+)")


@functools.cache
def _stopwords() -> frozenset[str]:
    return frozenset(read_words(DATA / "stopwords.txt"))


def _extra_words() -> set[str]:
    words = {w for pair in read_table(DATA / "synonyms.tsv") for w in pair}
    words.update(w.lstrip("=") for w in read_words(DATA / "actions.txt"))
    words.update(_stopwords())
    return words


def _jieba_dictionary() -> Path:
    spec = importlib.util.find_spec("jieba")  # locating the package does not import it
    if spec is None or spec.origin is None:
        raise RuntimeError("jieba is not installed")
    return Path(spec.origin).parent / "dict.txt"


#: Words of the general dictionary that citizens' messages say as two (我要领补贴 is 要 + 领, no 要领).
_SAID_APART = ("要领",)


@functools.cache
def _read_dictionary() -> tuple[dict[str, int], float, np.ndarray]:
    """Word and prefix frequencies (prefixes 0) and log of the total, like jieba's prefix dictionary; and
    the sorted hashes of all of jieba's 3–6 character words, rare ones included (a 2 MB array instead of
    a 26 MB set), to tell real words from typos."""
    freq: dict[str, int] = {}
    long_words: list[int] = []
    with open(_jieba_dictionary(), encoding="utf-8") as handle:
        for line in handle:
            parts = line.split(" ", 2)
            if len(parts) < 2:
                continue
            if 3 <= len(parts[0]) <= 6:
                long_words.append(hash(parts[0]))
            if int(parts[1]) >= MIN_FREQUENCY:
                freq[parts[0]] = int(parts[1])
    for word in _extra_words():
        freq[word] = max(freq.get(word, 0), 2000)
    for word in _SAID_APART:
        freq[word] = 0  # a prefix still, no longer a word
    total = sum(freq.values())
    for word in list(freq):
        for end in range(1, len(word)):
            freq.setdefault(word[:end], 0)
    return freq, math.log(total), np.unique(np.asarray(long_words, dtype=np.int64))


def _dictionary() -> tuple[dict[str, int], float]:
    freq, log_total, _ = _read_dictionary()
    return freq, log_total


def is_word(text: str) -> bool:
    """Whether ``text`` is a word of general Chinese: a 2-character word of the trimmed dictionary, or any
    3–6 character word of jieba's full dictionary (二手车 is a word, 公积全 is not)."""
    freq, _, long_words = _read_dictionary()
    if len(text) == 2 or not 3 <= len(text) <= 6:
        return freq.get(text, 0) > 0
    key = hash(text)
    at = int(np.searchsorted(long_words, key))
    return at < len(long_words) and int(long_words[at]) == key


@functools.cache
def common_pairs(min_frequency: int = 300) -> frozenset[str]:
    """Two-character words common in general Chinese (不到, 手工, 基金): never homophone typos."""
    freq, _ = _dictionary()
    return frozenset(w for w, f in freq.items() if len(w) == 2 and f >= min_frequency)


def _cut_han(block: str) -> list[str]:
    freq, log_total = _dictionary()
    size = len(block)
    dag: list[list[int]] = []
    for start in range(size):
        ends = []
        end = start
        fragment = block[start]
        while end < size and fragment in freq:
            if freq[fragment]:
                ends.append(end)
            end += 1
            fragment = block[start : end + 1]
        dag.append(ends or [start])
    route: list[tuple[float, int]] = [(0.0, 0)] * (size + 1)
    for start in range(size - 1, -1, -1):
        route[start] = max(
            (math.log(freq.get(block[start : end + 1]) or 1) - log_total + route[end + 1][0], end)
            for end in dag[start]
        )
    words, start = [], 0
    while start < size:
        end = route[start][1] + 1
        words.append(block[start:end])
        start = end
    return words


def tokens(normal: str) -> list[str]:
    """Word tokens of a normalised text (spaces dropped)."""
    words: list[str] = []
    for part in _HAN.split(normal):
        if not part:
            continue
        if _HAN.fullmatch(part):
            words.extend(_cut_han(part))
        else:
            words.extend(part.split())
    return words


@functools.lru_cache(maxsize=65536)
def content_words(normal: str) -> str:
    """``normal`` without question words; a space marks where words were dropped."""
    kept: list[str] = []
    gap = False
    for chunk in normal.split():
        # A clause that begins with a pronoun begins a word: 离婚 她… is no 离婚她 (which reads as a typo of
        # 离婚证). Other spaces join (国 境 外 of a bracketed 国（境）外 stays 国境外).
        gap = gap or chunk[0] in _PRONOUNS
        for token in tokens(chunk):
            if token in _stopwords():
                gap = True
                continue
            if gap and kept:
                kept.append(" ")
            kept.append(token)
            gap = False
    return "".join(kept).strip()


#: Characters that begin a clause's subject.
_PRONOUNS = frozenset("他她它我你俺咱您")
