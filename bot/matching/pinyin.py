"""Pinyin typed in Latin letters ("shebaoka zenme ban", "gjj tiqu", "sfz diule") read back as Chinese words.

Citizens without a Chinese keyboard, or in a hurry, type pinyin or its initials. Each run of Latin letters is
segmented into words this knowledge base uses (item names, aliases, situations, their tokens) and common
question words, spelled in full pinyin or, for words of two characters or more, by their initials. A run
that does not segment completely (English, a code, a brand) is left as it is.
"""

import functools
import re
from collections.abc import Iterable, Sequence

from pypinyin import Style, lazy_pinyin

from bot.matching.normalize import DATA, normalize, read_words
from bot.matching.segment import tokens
from knowledge.schema import Item

#: Words citizens put around a service name, in full pinyin only (initials of these would match anything).
COMMON = (
    "怎么 怎么办 怎么办理 办理 办 补办 补 要 需要 什么 材料 多少钱 钱 多久 "
    "在哪 在哪里 哪里 去哪 能 能不能 可以 "
    "网上 手机 丢了 丢 坏了 换 过期 到期 提取 取 申请 领 开 交 查 查询 注销 变更 登记 证明 我 的 了 吗 呢 "
    "电话 地址 窗口 时间 几点 上班 周六 周末 条件 流程 费用 免费 收费 办证 新 首次 第一次 "
    "小孩 孩子 老人 "
    "退休 买房 租房 还贷 结婚 离婚 生孩子 出生 上户口 户口 身份证 社保 社保卡 医保 公积金 护照 驾照 "
    # How much, how long, who and where, as citizens ask it (zui duo neng dai duo shao, shuang fang dou jiao).
    "多少 最多 最高 最少 几天 几年 多长时间 带什么 带啥 贷多少 啥 咋 咋办 如何 还 也 都 双方 夫妻 一起 本人 "
    "家人 别人 代办 委托 办好 拿到 没有 是不是 可不可以 行不行 要不要 用 给 帮 老家 外地 今天 明天 现在 "
    "上午 下午 中午 晚上 贷款 额度 补贴 报销 一年 每月 每年 房子 父母 老公 老婆 儿子 女儿"
).split()
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z ']*[A-Za-z]|[A-Za-z]")
#: Longest key tried when segmenting (letters).
_MAX_KEY = 24


def _full(word: str) -> str:
    return "".join(lazy_pinyin(word)).replace("ü", "v")


def _initials(word: str) -> str:
    return "".join(lazy_pinyin(word, style=Style.FIRST_LETTER)).replace("ü", "v")


class PinyinReader:
    """Latin pinyin and initials → this knowledge base's words."""

    def __init__(self, words: Iterable[str]) -> None:
        self.full: dict[str, str] = {}
        self.initials: dict[str, str] = {}
        # Knowledge-base words first (longest first), then the common ones: a key keeps its first word.
        ordered = sorted({w for w in words if _is_han(w)}, key=lambda w: (-len(w), w))
        for word in [*ordered, *COMMON, *_question_words()]:
            if not _is_han(word):
                continue
            self.full.setdefault(_full(word), word)
            if len(word) >= 2 and word in ordered:
                self.initials.setdefault(_initials(word), word)

    def _segment(self, letters: str) -> list[str] | None:
        """The fewest words spelling ``letters`` (full pinyin preferred over initials), or None."""
        n = len(letters)
        # best[i]: (pieces, initials used, words) for letters[:i]
        best: list[tuple[int, int, list[str]] | None] = [None] * (n + 1)
        best[0] = (0, 0, [])
        for end in range(1, n + 1):
            for start in range(max(0, end - _MAX_KEY), end):
                previous = best[start]
                if previous is None:
                    continue
                key = letters[start:end]
                for table, cost in ((self.full, 0), (self.initials, 1)):
                    word = table.get(key)
                    if word is None:
                        continue
                    candidate = (previous[0] + 1, previous[1] + cost, [*previous[2], word])
                    current = best[end]
                    if current is None or candidate[:2] < current[:2]:
                        best[end] = candidate
        found = best[n]
        return found[2] if found is not None else None

    def read(self, text: str) -> str:
        """``text`` with every Latin run that spells known words replaced by them."""
        runs = list(_LATIN_RUN.finditer(text))
        if not runs:
            return text
        read = {match.span(): self._words(match.group(0)) for match in runs}
        letters = sum(len(match.group(0)) for match in runs)
        if 2 * sum(len(m.group(0)) for m in runs if read[m.span()] is not None) < letters:
            return text  # mostly not pinyin: English or codes, left for what reads them
        return _LATIN_RUN.sub(lambda m: read[m.span()] or m.group(0), text)

    def _words(self, run: str) -> str | None:
        letters = re.sub(r"[ ']", "", run.lower())
        if len(letters) < 2:
            return None
        words = self._segment(letters)
        return "".join(words) if words is not None else None


@functools.cache
def _question_words() -> tuple[str, ...]:
    return tuple(read_words(DATA / "stopwords.txt"))


def _is_han(word: str) -> bool:
    return bool(word) and all("\u4e00" <= ch <= "\u9fff" for ch in word)


def words_of(items: Sequence[Item]) -> list[str]:
    """The knowledge base's own words, for reading pinyin: names, aliases, situations and their tokens."""
    words: set[str] = set()
    for item in items:
        texts = [item.name, *(item.aliases or []), *(s.name for s in item.situations or [])]
        for text in texts:
            words.add(text)
            words.update(tokens(normalize(text)))
    return sorted(words)
