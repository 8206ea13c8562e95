"""Scoring of knowledge-base items for one message: the ranking the decision rules
(``bot.matching.matcher``) use.

Pipeline for one message: normalise (bot.matching.normalize: PII masked, width, 繁→简, 咋/啥, fillers) → field
cues removed (bot.matching.fields) → content words (question words removed as whole tokens,
bot.matching.segment) → pinyin
homophone fix against the knowledge base's own vocabulary → synonyms to canonical words → other one-character
typos (公积全, 社会保障卞) fixed against the names and aliases of the TOP_K items by cosine
(bot.matching.typos:
rapidfuzz ``process.extract`` with ``Levenshtein.distance``, score_cutoff 1; tried only when the content
has a character pair the knowledge base never uses) → score items.

Scoring of an item for content ``c`` (only the TOP_K items by ``cos`` are scored further):
  cos    best character 1–3-gram TF-IDF cosine between ``c`` and one of the item's phrases (name, the name
         without / inside brackets, aliases, FAQ questions), all prepared like questions;
  cov    IDF-weighted share of ``c``'s words found in the item's phrases and department; operation words
         (data/actions.txt) weigh ACTION_WEIGHT, words the knowledge base never uses, place names and
         numbers (ages, years) FOREIGN_WEIGHT; a word not found whole gets half credit for its bigrams;
  bonus  −ACTION_PENALTY when the item names an operation (补领, 注销…) the question does not, and again when
         the question names one the item lacks; ±REGION_BONUS when the question names the item's city or
         another; +HOME_BONUS for the hall's own level when no place is named (same-named items of 广东省 and
         广州市); −SIDE_PENALTY for a side service (进度查询, 预约) the question did not ask for.
  score = COS_WEIGHT·cos + (1−COS_WEIGHT)·cov + bonus.
An item is not answerable (clarify at most) when it is an unasked side service or lacks key words (known
nouns) carrying more than KEY_MISSING of the question's weight. ``Ranked`` also says whether the item lacks
the question's most specific word (its heaviest key word: not whole, not half its bigrams), whether that
word names some item or synonym-table concept, whether it names an unasked operation or lacks an asked one,
which question words it has, and how long a name of its the question contains whole (+NAMED_BONUS); an item
naming only audiences (data/audiences.txt) other than those the question names loses AUDIENCE_PENALTY.
"""

import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.matching import words as vocab
from bot.matching.fields import strip_field_words
from bot.matching.index import PhraseIndex, ngrams
from bot.matching.normalize import normalize, to_halfwidth
from bot.matching.segment import common_pairs, content_words, is_word, tokens
from bot.matching.synonyms import HomophoneFixer, Synonyms
from bot.matching.typos import candidate_words, correct
from knowledge.schema import Item

#: A content word: (word, its bigrams, weight, whether it is a key word).
Word = tuple[str, tuple[str, ...], float, bool]

# --- calibrated constants (bench/accuracy.py prints the effect of each) ---
COS_WEIGHT = 0.65
REGION_BONUS = 0.06
#: When the question names no place, items of the knowledge base's most common region (the hall's own
#: level, e.g. 广东省 departments) win ties with same-named items of other cities.
HOME_BONUS = 0.05
#: Weight of an operation word (data/actions.txt) against a noun in coverage, and the cost of an item
#: operation the question does not mention.
ACTION_WEIGHT = 0.5
ACTION_PENALTY = 0.08
#: An item that lacks key words (known nouns) carrying more than this share of the question's weight is
#: never answered (二手车过户 is not 二手房过户), only offered in a clarification.
KEY_MISSING = 0.7
#: Side services of another service (居住证办理进度查询, 四六级考试成绩查询, 结婚登记预约): never
#: answered unless the question asks for that side service (查, 进度, 预约, 成绩); it may still be
#: offered in a clarification. Record queries (社保权益记录查询打印, 资料查询) are services themselves.
SIDE_PENALTY = 0.3
_SIDE_SERVICE = re.compile(r"进度查询|成绩查询|预约$")
_SIDE_CUE = re.compile(r"查|进度|预约|约|成绩")
#: Cost of an item that names only audiences (data/audiences.txt) other than those the question names.
AUDIENCE_PENALTY = 0.2
#: Shortest name (characters, prepared) whose whole occurrence in a question makes the item "named".
NAMED_MIN = 4
#: Bonus of a named item: its whole name in the question beats a longer name sharing only its characters.
NAMED_BONUS = 0.05
#: Weight of a content word none of whose bigrams occurs anywhere in the knowledge base (place names,
#: narrative: "我和老公在C市工作十年"): it cannot tell items apart and should not sink the coverage.
FOREIGN_WEIGHT = 0.35
TOP_K = 12
#: A count of time or things said in words (一年, 一个月, 每年, 两次): like digits, it tells no item apart.
_COUNT = re.compile(
    r"[一二两三四五六七八九十百千几每半多]+个?(?:年|月|天|日|周|星期|小时|次|岁)|"
    # 一张, 两本 (how many), 最多, 最快 (how much): they name no item.
    r"[一二两三四五六七八九十几]+[张本份件]|最(?:多|少|长|短|快|慢|早|晚|高|低)"
)
_BRACKETS = re.compile(r"[（(]([^（）()]*)[）)]")


@dataclass(frozen=True)
class Ranked:
    """One scored item for one content string."""

    index: int
    score: float
    cos: float
    cov: float
    answerable: bool = True
    #: The item lacks the question's most specific word (its heaviest key word).
    lacks_main: bool = False
    #: The item names an operation (补领, 注销…) the question does not.
    unasked_operation: bool = False
    #: The question names an operation (查询, 注销…) the item lacks.
    missing_operation: bool = False
    #: ... and that word names some item or is a synonym-table concept (医疗保险), not narrative like
    #: 同一个月 that no item name uses.
    lacks_named_main: bool = False
    #: The question's words the item has (whole, or at least half of their bigrams).
    words: frozenset[str] = frozenset()
    #: Length of the longest of the item's names (name, name without brackets, aliases) found whole in
    #: the question; 0 when none of at least NAMED_MIN characters is.
    named: int = 0
    #: Share of the question's weight in key words (known nouns) the item lacks.
    missing: float = 0.0


class ItemScorer:
    """Items scored against a message's content words, over one knowledge-base version."""

    def __init__(
        self,
        items: Sequence[Item],
        synonyms: Synonyms,
        index: PhraseIndex,
        fixer: HomophoneFixer,
        regions: list[str],
        vocabulary: frozenset[str],
        item_texts: list[str],
        item_names: list[tuple[str, ...]],
    ) -> None:
        all_actions, defaults = vocab.actions()
        specific = all_actions - defaults
        self.action_words = all_actions
        self.specific_actions = tuple(sorted(specific))
        by_name: dict[str, tuple[frozenset[str], bool, frozenset[str]]] = {}
        for item in items:
            if item.name not in by_name:
                name = synonyms.canonical(normalize(item.name))
                operations = frozenset(a for a in specific if a in name)
                # 首次、延期、换发、补发…居留证件: one item for every operation, the default included.
                # 往来港澳通行证及签注: the document itself and its endorsement.
                general = (len(operations) > 1 and any(d in name for d in defaults)) or any(
                    "及" + a in name for a in operations
                )
                audiences = frozenset(a for a in vocab.audiences() if a in name)
                by_name[item.name] = (operations, general, audiences)
        self.item_actions = [by_name[item.name][0] for item in items]
        #: Items naming several operations and a default one: they serve a question naming none.
        self.item_general = [by_name[item.name][1] for item in items]
        self.item_audiences = [by_name[item.name][2] for item in items]
        self.side_service = [
            bool(_SIDE_SERVICE.search(_BRACKETS.sub("", item.name).strip())) for item in items
        ]
        self.items = list(items)
        self.codes = [item.code for item in self.items]
        self.by_code = {item.code: item for item in self.items}
        self.position = {code: i for i, code in enumerate(self.codes)}
        self.synonyms = synonyms
        self.index = index
        self.fixer = fixer
        self.regions = regions
        self.region_names = frozenset(r for r in regions if r)
        counted = Counter(r for r in regions if r)
        self.home_region = counted.most_common(1)[0][0] if counted else ""
        self.vocabulary = vocabulary
        self.item_texts = item_texts
        self.item_names = item_names
        #: All item phrases in one string: is a word used to name some item at all?
        self.phrase_text = "\n".join(dict.fromkeys(item_texts))
        # Per scorer, so a new knowledge-base version (a new scorer) never sees old entries.
        self._weighted = functools.lru_cache(maxsize=4096)(self._weighted_words)
        #: Canonical words of the synonym table: service concepts even where no item here is named so.
        self.concepts = frozenset(synonyms.table.values())

    # --- building ---
    @staticmethod
    def _phrases(item: Item) -> list[str]:
        raw = [item.name, _BRACKETS.sub(" ", item.name)]
        raw += [inner for inner in _BRACKETS.findall(item.name) if len(inner) >= 2]
        raw += list(item.aliases or [])
        raw += [entry.q for entry in item.faq or []]
        return raw

    @classmethod
    def build(cls, items: Sequence[Item], *, synonyms: Mapping[str, str] | None = None) -> "ItemScorer":
        """Index ``items`` (names, aliases, FAQ questions, departments); ``synonyms`` are staff additions."""
        table = Synonyms(synonyms)
        normal: dict[str, str] = {}
        prepared: dict[str, str] = {}
        phrase_ids: dict[str, int] = {}
        owners: list[list[int]] = []
        item_texts: list[str] = []
        vocabulary: set[str] = set()
        seen_text: set[str] = set()
        departments: dict[str, str] = {}
        joined: dict[frozenset[str], str] = {}
        item_names: list[tuple[str, ...]] = []
        name_sets: dict[tuple[str, ...], tuple[str, ...]] = {}
        for position, item in enumerate(items):
            texts: set[str] = set()
            for raw in cls._phrases(item):
                if raw not in prepared:
                    # The uncached functions: knowledge-base phrases would only crowd the question caches.
                    normal[raw] = normalize.__wrapped__(raw)
                    prepared[raw] = table.canonical(content_words.__wrapped__(strip_field_words(normal[raw])))
                if prepared[raw]:
                    texts.add(prepared[raw])
            names = [item.name, _BRACKETS.sub(" ", item.name), *(item.aliases or [])]
            compact = tuple(sorted({prepared[n].replace(" ", "") for n in names if prepared[n]}))
            item_names.append(name_sets.setdefault(compact, compact))
            for text in texts:
                phrase_id = phrase_ids.setdefault(text, len(phrase_ids))
                if phrase_id == len(owners):
                    owners.append([])
                owners[phrase_id].append(position)
            if item.department not in departments:
                departments[item.department] = table.canonical(normalize(item.department))
                vocab.add_bigrams(vocabulary, departments[item.department])
            key = frozenset(texts)
            if key not in joined:
                joined[key] = " ".join(sorted(texts))
                vocab.add_bigrams(vocabulary, joined[key])
            item_texts.append(joined[key] + " " + departments[item.department])
            body = "\n".join(
                [item.conditions or "", *(item.process or []), *(m.name for m in item.materials)]
            )
            if body not in seen_text:  # identical texts (one item under several departments) once
                seen_text.add(body)
                # Knowledge-base text is simplified already: the cheap part of normalisation suffices.
                vocab.add_bigrams(vocabulary, table.canonical(to_halfwidth(body).lower()))
        fixer = HomophoneFixer(list(set(normal.values())) + list(table.table), known=common_pairs())
        index = PhraseIndex(list(phrase_ids), owners)
        regions = [vocab.region(item.department) for item in items]
        vocabulary.discard(" ")
        return cls(items, table, index, fixer, regions, frozenset(vocabulary), item_texts, item_names)

    def prepare(self, text: str) -> str:
        """The content words of a message, typo-corrected and canonical, as matched against phrases."""
        normal = normalize(text)
        # A function character that is a homophone typo (新农和: 和 for 合) is fixed before function words go;
        # other typos are fixed in the content words below.
        content = content_words(strip_field_words(self.fixer.fix_function_characters(normal)))
        content = self.synonyms.canonical(self.fixer.fix(content))
        if self._unknown_pair(content):
            # Other typos, against the words of the items the rest of the question points at, and those
            # each word holding the typo points at (居往证 in a long story about work and 户口).
            texts: set[str] = set()
            typos = (token for token in content.split() if self._unknown_pair(token))
            for part in dict.fromkeys([content, *typos]):  # a one-word message is scored once
                cosines = self.index.item_scores(part, len(self.items))
                if cosines.any():
                    top = np.argpartition(-cosines, min(TOP_K, len(cosines) - 1))[:TOP_K]
                    # Names and aliases only: FAQ questions hold narrative words (家里人) typos never aim at.
                    texts |= {self.name_text(int(i)) for i in top if cosines[i] > 0}
            if texts:
                words = candidate_words(sorted(texts), vocab.item_words)
                fixed = correct(content, words, known_pair=self._known_pair, common_word=is_word)
                if fixed != content:
                    content = self.synonyms.canonical(fixed)
        return content

    def name_text(self, position: int) -> str:
        """The item's name and aliases, prepared like questions' words (canonical)."""
        item = self.items[position]
        return " ".join(self.synonyms.canonical(normalize(t)) for t in [item.name, *(item.aliases or [])])

    def _known_pair(self, pair: str) -> bool:
        return pair in self.vocabulary or pair in self.index.idf

    def _unknown_pair(self, content: str) -> bool:
        return any(
            not self._known_pair(content[i : i + 2])
            for i in range(len(content) - 1)
            if " " not in content[i : i + 2]
        )

    def item(self, code: str) -> Item:
        """The item with this code (KeyError when unknown)."""
        return self.by_code[code]

    def rank(self, content: str) -> list[Ranked]:
        """Items for ``content`` (prepared text), best first, at most TOP_K."""
        if not content:
            return []
        cosines = self.index.item_scores(content, len(self.items))
        if not cosines.any():
            return []
        top = np.argpartition(-cosines, min(TOP_K, len(cosines) - 1))[:TOP_K]
        return self._score(content, cosines, [int(i) for i in top if cosines[i] > 0])

    def score_items(self, content: str, positions: Sequence[int]) -> list[Ranked]:
        """``rank``'s scoring of the items at ``positions`` (found another way: the semantic stage), best
        first; an item sharing no character n-gram with ``content`` scores with cos 0."""
        if not content or not positions:
            return []
        cosines = self.index.item_scores(content, len(self.items))
        return self._score(content, cosines, list(positions))

    def _score(self, content: str, cosines: np.ndarray, positions: Sequence[int]) -> list[Ranked]:
        words = self.weighted_words(content)
        named = {r for r in self.region_names if r in content}
        side_asked = bool(_SIDE_CUE.search(content))
        asked = [a for a in self.specific_actions if a in content]
        audiences = {a for a in vocab.audiences() if a in content}
        compact = content.replace(" ", "")
        keys = [(weight, word, grams) for word, grams, weight, key in words if key]
        _, main_word, main_grams = max(keys) if keys else (0.0, "", ())
        main_named = bool(main_word) and (main_word in self.phrase_text or main_word in self.concepts)
        ranked = []
        for i in positions:
            cos = float(cosines[i])
            cov, missing = self._word_coverage(words, int(i))
            bonus = 0.0
            operations = self.item_actions[i]
            unasked_operation = (
                bool(operations)
                and not any(a in content for a in operations)
                and not (self.item_general[i] and not asked)
            )
            if unasked_operation:
                bonus -= ACTION_PENALTY
            missing_operation = any(a not in self.item_texts[i] for a in asked)
            if missing_operation:
                bonus -= ACTION_PENALTY  # 营业执照怎么注销: the 设立 item does not 注销
            if audiences and self.item_audiences[i] and not audiences & self.item_audiences[i]:
                bonus -= AUDIENCE_PENALTY  # 企业退休人员: not the 机关事业单位 item
            if named:
                bonus += REGION_BONUS if self.regions[i] in named else -REGION_BONUS
            elif self.home_region and self.regions[i] == self.home_region and len(self.region_names) > 1:
                bonus += HOME_BONUS
            side_unasked = self.side_service[i] and not side_asked
            if side_unasked:
                bonus -= SIDE_PENALTY  # the main service must rank above its progress query
            name_hit = max(
                (len(n) for n in self.item_names[i] if len(n) >= NAMED_MIN and n in compact), default=0
            )
            if name_hit and not missing_operation:
                bonus += NAMED_BONUS
            score = COS_WEIGHT * cos + (1 - COS_WEIGHT) * cov + bonus
            answerable = not side_unasked and missing <= KEY_MISSING
            text = self.item_texts[i]
            # Lacking: not there whole, and not even half of its bigrams (期满换 is found in 有效期满).
            found = vocab.found(main_grams, text)
            lacks_main = bool(main_word) and main_word not in text and 2 * found < len(main_grams)
            has = frozenset(
                w for w, grams, _, _ in words if w in text or 2 * vocab.found(grams, text) >= len(grams)
            )
            flags = (lacks_main, unasked_operation, missing_operation, lacks_main and main_named)
            ranked.append(Ranked(int(i), score, cos, cov, answerable, *flags, has, name_hit, missing))
        ranked.sort(key=lambda r: (-r.score, self.codes[r.index]))
        return ranked

    def foreign_share(self, content: str) -> float:
        """Share of the bigrams of ``content``'s words that appear nowhere in the knowledge base. Pairs across
        two words (满就 of 期满就是) are no one's words, and a character alone tells nothing: not counted."""
        words = [word for word, *_ in self.weighted_words(content) if len(word) >= 2]
        grams = [g for word in words for g in vocab.bigrams(word)]
        if not grams:
            return 0.0
        return sum(1 for g in grams if not self._known_pair(g)) / len(grams)

    def coverage(self, content: str, position: int) -> float:
        return self._word_coverage(self.weighted_words(content), position)[0]

    def _merged_tokens(self, content: str) -> list[str]:
        """Tokens, with a single character joined to its neighbour when the knowledge base uses the pair
        (居住+证 → 居住证): the general dictionary does not know every document name."""
        merged: list[str] = []
        for token in tokens(content):
            if (
                merged
                and (len(token) == 1 or len(merged[-1]) == 1)
                and len(merged[-1]) + len(token) <= 3
                and merged[-1] + token in self.fixer.vocabulary
            ):
                merged[-1] += token
            else:
                merged.append(token)
        return merged

    def weighted_words(self, content: str) -> tuple[Word, ...]:
        """Content words: bigrams, weight (the rarest bigram's IDF) and whether it is a key word (a noun the
        knowledge base knows, not an operation). Cached: a push asks for the same content's words
        several times (ranking, the follow-up checks), and bursts repeat the same questions."""
        return self._weighted(content)

    def _weighted_words(self, content: str) -> tuple[Word, ...]:
        words = []
        for word in self._merged_tokens(content):
            grams = tuple(ngrams(word, (2,))) or (word,)
            weight = max(self.index.idf.get(g, self.index.unknown_idf) for g in grams)
            key = False
            if word in self.action_words:
                weight *= ACTION_WEIGHT
            elif (
                word.isdigit()
                or _COUNT.fullmatch(word)
                or any(region in word for region in self.region_names)
                or not any(g in self.vocabulary for g in grams)
            ):
                # Place names (示范县, 广州), numbers (ages, years: 10岁) and words the knowledge base never
                # uses cannot tell items apart; a named place still moves the region bonus.
                weight *= FOREIGN_WEIGHT
            else:
                key = len(word) > 1
            words.append((word, grams, weight, key))
        return tuple(words)

    def _word_coverage(self, words: Sequence[Word], position: int) -> tuple[float, float]:
        """IDF-weighted share of the content words the item's phrases contain (half credit for bigrams),
        and the share of key words it lacks."""
        text = self.item_texts[position]
        total = covered = missing = 0.0
        for word, word_grams, weight, key in words:
            total += weight
            if word in text:
                covered += weight
                continue
            found = sum(g in text for g in word_grams)
            if len(word_grams) > 1:
                covered += weight * 0.5 * found / len(word_grams)
            if key and found < len(word_grams):
                missing += weight
        return (covered / total, missing / total) if total else (0.0, 0.0)
