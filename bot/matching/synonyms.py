"""Synonyms (data/synonyms.tsv plus staff additions) and pinyin homophone correction.

``Synonyms`` rewrites colloquial or abbreviated words to one canonical word (户口本→户口簿, 驾照→驾驶证,
丢了→遗失). It is applied to questions and to knowledge-base phrases alike, so either side may use either
word. Each canonical word also maps to itself, so a canonical phrase that contains a shorter synonym
(往来港澳通行证 contains 港澳通行证) is left as it is.

``HomophoneFixer`` corrects pinyin-input typos (身分证, 社宝卡, 残积证, 注测) against the knowledge base's own
vocabulary: a 3–4 character span of the question that is not in the vocabulary but sounds exactly like one
vocabulary word (tones ignored) is replaced by it; a 2-character span must also match tones.
"""

import functools
import os
from collections import Counter
from collections.abc import Iterable, Mapping

# Only single characters are looked up: pypinyin's phrase dictionary (~55 MB) is not needed.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
from pypinyin import Style, lazy_pinyin  # noqa: E402

from bot.matching.normalize import DATA, Replacer, normalize, read_table  # noqa: E402


@functools.cache
def default_synonyms() -> tuple[tuple[str, str], ...]:
    """The generic synonym pairs shipped with guidebot (``data/synonyms.tsv``)."""
    return tuple(
        (normalize(word), normalize(canonical)) for word, canonical in read_table(DATA / "synonyms.tsv")
    )


class Synonyms:
    """Word → canonical word, longest word first, canonical words protected."""

    def __init__(self, extra: Mapping[str, str] | None = None) -> None:
        table: dict[str, str] = {}
        for word, canonical in default_synonyms():
            table[word] = canonical
        for word, canonical in (extra or {}).items():
            word, canonical = normalize(word), normalize(canonical)
            if word and canonical:
                table[word] = canonical
        for canonical in set(table.values()):
            table.setdefault(canonical, canonical)
        self.table = table
        self._replace = Replacer(table.items())
        # Pairs that sound alike (公基金 → 公积金, 身分证 → 身份证) are misspellings, not other words for it.
        self._respell = Replacer(
            (word, canonical)
            for word, canonical in table.items()
            if word != canonical and len(word) == len(canonical) and _sound(word) == _sound(canonical)
        )

    def canonical(self, text: str) -> str:
        """``text`` with every synonym replaced by its canonical word."""
        return self._replace(text)

    def respelled(self, text: str) -> str:
        """``text`` with only its misspelled words (those that sound like their canonical word) corrected:
        the wording kept, for the semantic stage."""
        return self._respell(text)


def _sound(word: str) -> tuple[str, ...]:
    return tuple(_char_pinyin(ch)[0] for ch in word)


@functools.lru_cache(maxsize=200000)
def _char_pinyin(char: str) -> tuple[str, str]:
    toned = lazy_pinyin(char, style=Style.TONE3, errors="default")[0]
    return toned.rstrip("12345"), toned


#: Characters that are words by themselves; the words they stood beside may be gone (在这 of 户口不在这 is
#: removed before the fixer reads it), so they are never taken for a typo.
_FUNCTION_CHARACTERS = frozenset(
    "不没在的了是有也都就还要会能可和与及把被给让叫对向从到吗呢吧啊"
    # Kin, said for whom the errand is (我爸户口…: no typo of 把户口).
    "爸妈爹娘爷奶哥姐弟妹叔婶姨舅姑孙媳婿"
)


#: Verbs of errands, said before what they act on (领补贴, 办低保, 交社保): before a word, a verb, not a typo.
_ERRAND_VERBS = frozenset("领办交补换开取拿报")


#: Words that end a question or a statement (能领不, 办了吗): at a clause's end never a typo.
_FINAL_PARTICLES = frozenset("不没吗呢吧啊了")


def _ends_clause(chars: list[str], position: int) -> bool:
    """Whether ``position`` is the last character of its clause (the text's end, a space or punctuation)."""
    after = position + 1
    return after >= len(chars) or not "\u4e00" <= chars[after] <= "\u9fff"


class HomophoneFixer:
    """Replace question spans that sound like knowledge-base words but are not in the vocabulary."""

    def __init__(
        self, phrases: Iterable[str], *, min_count: int = 1, known: frozenset[str] = frozenset()
    ) -> None:
        counts: Counter[str] = Counter()
        for phrase in phrases:
            for token in phrase.split():
                for size in (2, 3):
                    for start in range(len(token) - size + 1):
                        counts[token[start : start + size]] += 1
        self.vocabulary = set(counts)
        #: Character pairs that are real words elsewhere: a span containing one is not a typo.
        self.known = known
        by_sound: dict[tuple[str, ...], list[tuple[int, str]]] = {}
        for gram, count in counts.items():
            if count < min_count or not all("\u4e00" <= ch <= "\u9fff" for ch in gram):
                continue
            by_sound.setdefault(self._key(gram), []).append((count, gram))
        # The most frequent vocabulary span wins when several sound alike.
        self.by_sound = {key: max(grams)[1] for key, grams in by_sound.items()}

    @staticmethod
    def _key(gram: str) -> tuple[str, ...]:
        index = 1 if len(gram) == 2 else 0
        return tuple(_char_pinyin(ch)[index] for ch in gram)

    def _only_unknown_changed(self, chars: list[str], start: int, word: str) -> bool:
        """Each changed character must sit in unknown bigrams only (遗失了, 二建初始 stay as they are), and be
        no function character, a word by itself (不 of 户口不在这 is no typo of 户口簿)."""
        for offset, new in enumerate(word):
            position = start + offset
            if chars[position] == new:
                continue
            if chars[position] in _FUNCTION_CHARACTERS and not self._ends_a_name(chars, start, word, offset):
                return False
            for left in (position - 1, position):
                pair = "".join(chars[left : left + 2]) if left >= 0 else ""
                if len(pair) == 2 and (pair in self.vocabulary or pair in self.known):
                    return False
        return True

    def _ends_a_name(self, chars: list[str], start: int, word: str, offset: int) -> bool:
        """Whether the changed character ends a three-character word whose first two the text says and no
        common word is (新农和 → 新农合; 户口不 stays: 户口 is a word by itself), and is no question's last
        word (手机上能领不 is no 能领补 of 能领补贴)."""
        head = "".join(chars[start : start + 2])
        position = start + offset
        if chars[position] in _FINAL_PARTICLES and _ends_clause(chars, position):
            return False
        return len(word) == 3 and offset == 2 and head == word[:2] and head not in self.known

    def fix_function_characters(self, text: str) -> str:
        """``text`` with only the typos that replace a function character fixed (新农和 → 新农合)."""
        heads = (text[i - 2 : i] for i in range(2, len(text)) if text[i] in _FUNCTION_CHARACTERS)
        if not any(head in self.vocabulary and head not in self.known for head in heads):
            return text  # no name's first two characters before a function character: nothing to fix
        fixed = self.fix(text)
        if len(fixed) != len(text):
            return text
        changed = [i for i, (a, b) in enumerate(zip(text, fixed, strict=True)) if a != b]
        return fixed if changed and all(text[i] in _FUNCTION_CHARACTERS for i in changed) else text

    def fix(self, text: str) -> str:
        """``text`` with homophone typos replaced by vocabulary words (longest span first)."""
        chars = list(text)
        start = 0
        while start < len(chars):
            for size in (3, 2):
                gram = "".join(chars[start : start + size])
                if len(gram) < size or gram in self.vocabulary or " " in gram:
                    continue
                if not all("\u4e00" <= ch <= "\u9fff" for ch in gram):
                    continue
                word = self.by_sound.get(self._key(gram))
                if (
                    word is not None
                    and gram[0] in _ERRAND_VERBS
                    and word[0] != gram[0]
                    and gram[1:] in self.known
                ):
                    continue  # 领补贴 is 领 + 补贴, a verb before a word, not 高龄补贴's 龄补贴
                if word is not None and word != gram and self._only_unknown_changed(chars, start, word):
                    chars[start : start + size] = list(word)
                    start += size - 1
                    break
            start += 1
        return "".join(chars)
