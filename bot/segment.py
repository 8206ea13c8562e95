"""Content words of a normalised message: jieba tokens minus question words (data/stopwords.txt).

Question words are removed as whole tokens, never as substrings, so 有 goes but 有限责任公司 stays.
The synonym words are added to a private jieba dictionary so 社保卡 or 户口本 stay one token.
"""

import functools
import logging

import jieba

from bot.normalize import DATA, read_table, read_words


@functools.cache
def _stopwords() -> frozenset[str]:
    return frozenset(read_words(DATA / "stopwords.txt"))


@functools.cache
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word, canonical in read_table(DATA / "synonyms.tsv"):
        tokenizer.add_word(word, freq=2000)
        tokenizer.add_word(canonical, freq=2000)
    return tokenizer


def tokens(normal: str) -> list[str]:
    """jieba tokens of a normalised text (spaces dropped)."""
    return [t for t in _tokenizer().lcut(normal, HMM=False) if t.strip()]


@functools.lru_cache(maxsize=65536)
def content_words(normal: str) -> str:
    """``normal`` without question words, content tokens joined by spaces where words were dropped."""
    kept: list[str] = []
    gap = False
    for token in tokens(normal):
        if token in _stopwords():
            gap = True
            continue
        if gap and kept:
            kept.append(" ")
        kept.append(token)
        gap = False
    return "".join(kept).strip()
