"""Decisions: a citizen message (plus the previous turn) to answer / clarify / handoff.

The ranking comes from ``bot.matching.scoring.ItemScorer``; this module decides what to do with it and
handles the
conversation (numbered picks, follow-ups, topic switches).

Decision (thresholds calibrated by grid search on county-dev and gd-dev; county-real only checked):
  answer   cov ≥ ANSWER_COVERAGE and answerable, and either best ≥ ANSWER_SCORE with best − second ≥
           ANSWER_MARGIN, or best ≥ DOMINANT_SCORE with best ≥ DOMINANT_RATIO × second (not for an item
           naming an unasked operation), or best ≥ CLEAR_SCORE
           with best ≥ CLEAR_RATIO × second when the best item has the question's heaviest key word, or
           best ≥ COVER_SCORE with coverage ≥ COVER_MIN and COVER_GAP above every other candidate's;
           or (named) best ≥ NAMED_SCORE with cov ≥ NAMED_COVERAGE when the question contains the best
           item's own name whole, longer than any rival's name it contains, and the item does the asked
           operation;
  clarify  best ≥ CLARIFY_SCORE and cov ≥ CLARIFY_COVERAGE: up to 5 items within CLARIFY_BAND of the best;
  handoff  otherwise (out_of_scope when cov is tiny, low_confidence when something partly fits);
           人工/客服 → human, 投诉/举报/态度差 → complaint, nothing left after normalising → empty.

Follow-ups use the previous Turn: a bare number picks a pending candidate; a message with no content words
(那要多少钱, 在哪办) applies to the previous item (or re-asks a pending clarification with the field); a
field question the previous item explains about as well as a new one (FOLLOW_UP_SLACK) stays on it; a vague
refinement (丢了, 租房的) is matched together with the previous topic (``Turn.extra["topic"]``, kept by
``turn_after``); a message mostly in words foreign to the knowledge base is not answered. A message that
names another item starts afresh (decided exactly as without context): key words (known nouns that name
some item, not field cues like 窗口) absent from the item or candidates under discussion carry
≥ TOPIC_SWITCH of its weight, and the message alone fits some item (coverage ≥ SWITCH_COVERAGE).
"""

import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from bot.matching.decision import Decision, Reason, Turn
from bot.matching.fields import CUE_TEXT, detect_field
from bot.matching.normalize import normalize
from bot.matching.scoring import ItemScorer, Ranked
from knowledge.schema import Item

# --- calibrated constants (bench/accuracy.py prints the effect of each) ---
#: A best item this far ahead (score ratio) is answered even below ANSWER_SCORE, if above DOMINANT_SCORE.
#: Prepared texts and rankings kept per Matcher (a few MiB at most).
CACHE_SIZE = 4096
DOMINANT_SCORE = 0.28
DOMINANT_RATIO = 2.5
#: Between the two: a best item CLEAR_RATIO ahead is answered from CLEAR_SCORE on when it contains the
#: question's most specific word (heaviest key word); an item lacking it (工伤异地就医备案 for
#: 医保异地就医备案) is another thing however far ahead it scores.
CLEAR_SCORE = 0.5
#: A best item that explains the question (coverage ≥ COVER_MIN) far better than every other candidate
#: (by COVER_GAP) is answered from COVER_SCORE on: the candidates do not differ in something the question
#: leaves open. Not when it lacks the question's most specific word or names an unasked operation
#: (补领婚姻登记证 for 婚姻登记要钱吗).
COVER_SCORE = 0.4
COVER_MIN = 0.6
COVER_GAP = 0.25
CLEAR_RATIO = 1.5
#: A best item whose own name (or alias) the question contains whole, longer than any rival's name found
#: there, is answered from NAMED_SCORE and NAMED_COVERAGE on: 档案接收 in a question that narrates where the
#: file comes from; 法律援助 against 法律援助律师执业许可, whose extra words the question never asks.
NAMED_SCORE = 0.4
NAMED_COVERAGE = 0.35
#: A best item that has every question word each rival has, and more (coverage at least SUPERSET_GAP
#: higher), is answered from SUPERSET_SCORE on: 重复缴费退款 against items sharing only 社会保险. The
#: question's heaviest word may then be absent from all of them (narrative: 同一个月).
SUPERSET_SCORE = 0.4
SUPERSET_GAP = 0.05
ANSWER_SCORE = 0.55
ANSWER_COVERAGE = 0.4
ANSWER_MARGIN = 0.04
CLARIFY_SCORE = 0.25
CLARIFY_COVERAGE = 0.25
CLARIFY_BAND = 0.12
#: A message whose content bigrams are mostly unknown to the whole knowledge base is a new, foreign topic.
FOREIGN_SHARE = 0.5
#: How much less of a field question the previous item may explain and still keep the conversation on it.
FOLLOW_UP_SLACK = 0.1
#: Share of a message's weight in key words absent from the item (or candidates) under discussion above
#: which the message is a new question, not a follow-up ...
TOPIC_SWITCH = 0.5
#: ... provided the message alone fits some item this well (coverage): a vague refinement (用于出国探亲)
#: whose words also occur elsewhere stays with the topic.
SWITCH_COVERAGE = 0.6
MAX_CANDIDATES = 5

_HUMAN = re.compile(r"转人工|人工客服|人工服务|人工坐席|找人工|接人工|要人工|真人|客服|^人工$|找个人")
_COMPLAINT = re.compile(r"投诉|举报|态度(太|很|真|非常)?(差|恶劣|不好)")
_PICK = re.compile(r"^(?:选|第)?([1-9]|[一二三四五六七八九])(?:个|项|条|号)?$")
_CN_DIGITS = "一二三四五六七八九"


class _Surface(NamedTuple):
    """What one message's text says before any matching: a pure function of the text."""

    normal: str
    field: str | None
    complaint: bool
    human: bool
    #: The number a bare pick ("2", "第二个") names, or None.
    pick: int | None


def _surface(text: str) -> _Surface:
    normal = normalize(text)
    pick = _PICK.match(normal.replace(" ", ""))
    number = None
    if pick:
        digit = pick.group(1)
        number = int(digit) if digit.isdigit() else _CN_DIGITS.index(digit) + 1
    return _Surface(
        normal,
        detect_field(text) if normal else None,
        bool(_COMPLAINT.search(normal)),
        bool(_HUMAN.search(normal)),
        number,
    )


class Matcher:
    """Item and field matching over one knowledge-base version; build once, then ``decide`` per message."""

    def __init__(self, scorer: ItemScorer) -> None:
        self.scorer = scorer
        self.items = scorer.items
        self.codes = scorer.codes
        self.position = scorer.position
        # Pure functions of the text over this index version, cached per Matcher: a publish builds a
        # new Matcher, so a cached result never outlives its knowledge base. Bursts after an
        # announcement repeat the same questions, and every push prepares its text twice.
        self._prepare = functools.lru_cache(maxsize=CACHE_SIZE)(scorer.prepare)
        self._rank = functools.lru_cache(maxsize=CACHE_SIZE)(lambda content: tuple(scorer.rank(content)))
        # The decision on the ranking alone (a frozen Decision, safe to share) and the message's
        # surface (field, 人工/投诉, a bare pick) are pure functions of the text too.
        self._surface = functools.lru_cache(maxsize=CACHE_SIZE)(_surface)
        self._fresh_for = functools.lru_cache(maxsize=CACHE_SIZE)(
            lambda content, field: self._fresh(self._rank(content), field)
        )

    @classmethod
    def build(cls, items: Sequence[Item], *, synonyms: Mapping[str, str] | None = None) -> "Matcher":
        """Index ``items`` (names, aliases, FAQ questions, departments); ``synonyms`` are staff additions."""
        return cls(ItemScorer.build(items, synonyms=synonyms))

    def prepare(self, text: str) -> str:
        """The content words of a message, typo-corrected and canonical, as matched against phrases."""
        return self._prepare(text)  # type: ignore[no-any-return]

    def rank(self, content: str) -> list[Ranked]:
        """``ItemScorer.rank`` of prepared ``content``, cached (a fresh list each call)."""
        return list(self._rank(content))

    def item(self, code: str) -> Item:
        """The item with this code (KeyError when unknown)."""
        return self.scorer.item(code)

    def _scores(self, ranked: Sequence[Ranked]) -> tuple[tuple[str, float], ...]:
        return tuple((self.codes[r.index], round(r.score, 4)) for r in ranked[:MAX_CANDIDATES])

    def _fresh(self, ranked: Sequence[Ranked], field: str | None) -> Decision:
        """Answer, clarify or hand off on the ranking alone."""
        if not ranked:
            return Decision("handoff", field=field, reason="out_of_scope")
        best = ranked[0]
        second = ranked[1].score if len(ranked) > 1 else 0.0
        scores = self._scores(ranked)
        confident = best.score >= ANSWER_SCORE and best.score - second >= ANSWER_MARGIN
        # Not on the ratio alone for an unasked operation: 车牌过户 is not the 二手房转移登记 item.
        dominant = (
            best.score >= DOMINANT_SCORE
            and best.score >= DOMINANT_RATIO * second
            and not best.unasked_operation
        )
        clear = best.score >= CLEAR_SCORE and best.score >= CLEAR_RATIO * second and not best.lacks_main
        rival_cov = max((r.cov for r in ranked[1:MAX_CANDIDATES]), default=0.0)
        explained = (
            best.score >= COVER_SCORE
            and best.cov >= COVER_MIN
            and best.cov - rival_cov >= COVER_GAP
            and not best.lacks_main
            and not best.unasked_operation
        )
        rivals = ranked[1:MAX_CANDIDATES]
        named = (
            best.named > 0
            and not best.missing_operation
            and best.score >= NAMED_SCORE
            and best.cov >= NAMED_COVERAGE
            and all(r.named < best.named for r in rivals)
            and (not best.lacks_main or all(r.lacks_main for r in rivals))
        )
        superset = (
            best.score >= SUPERSET_SCORE
            and not best.unasked_operation
            and not best.lacks_named_main
            and bool(rivals)
            and all(r.words <= best.words and best.cov - r.cov >= SUPERSET_GAP for r in rivals)
        )
        covered = best.cov >= ANSWER_COVERAGE and (confident or dominant or clear or explained or superset)
        if (covered or named) and best.answerable:
            return Decision(
                "answer",
                item=self.codes[best.index],
                field=field,
                score=best.score,
                reason="confident",
                scores=scores,
            )
        if best.score >= CLARIFY_SCORE and best.cov >= CLARIFY_COVERAGE:
            close = [r for r in ranked if r.score >= best.score - CLARIFY_BAND][:MAX_CANDIDATES]
            if len(close) == 1:  # clear winner but below the answer bar: ask rather than guess
                close = list(ranked[:2])
            return Decision(
                "clarify",
                candidates=tuple(self.codes[r.index] for r in close),
                field=field,
                score=best.score,
                reason="ambiguous",
                scores=scores,
            )
        reason: Reason = "out_of_scope" if best.cov < CLARIFY_COVERAGE / 2 else "low_confidence"
        return Decision("handoff", field=field, score=best.score, reason=reason, scores=scores)

    @staticmethod
    def _strong(decision: Decision) -> bool:
        return decision.action == "answer"

    def decide(self, text: str, previous: Turn | None = None) -> Decision:
        """What to do with one citizen message, given the previous turn of the conversation."""
        prev = previous or Turn()
        surface: _Surface = self._surface(text)
        if not surface.normal:
            return Decision("handoff", reason="empty")
        field = surface.field
        if surface.complaint:
            return Decision("handoff", field=field, reason="complaint")
        if surface.human:
            return Decision("handoff", field=field, reason="human")
        number = surface.pick
        if number is not None and prev.candidates:
            if 1 <= number <= len(prev.candidates):
                code = prev.candidates[number - 1]
                return Decision("answer", item=code, field=field or prev.field, score=1.0, reason="picked")
            return Decision("clarify", candidates=prev.candidates, field=prev.field, reason="ambiguous")
        content = self.prepare(text)
        topic = str(prev.extra.get("topic", "")) if prev.extra else ""
        if not content:
            if prev.item:
                return Decision(
                    "answer", item=prev.item, field=field or prev.field, score=1.0, reason="follow_up"
                )
            if prev.candidates:
                return Decision(
                    "clarify", candidates=prev.candidates, field=field or prev.field, reason="ambiguous"
                )
            return Decision("handoff", field=field, reason="empty")
        ranked: Sequence[Ranked] = self._rank(content)
        fresh: Decision = self._fresh_for(content, field)
        if (
            fresh.action == "answer"
            and prev.item in self.position
            and fresh.item != prev.item
            and field is not None
            and self.scorer.coverage(content, self.position[prev.item]) >= ranked[0].cov - FOLLOW_UP_SLACK
        ):
            # A field question that the previous item explains about as well as the new one stays on topic.
            return Decision(
                "answer",
                item=prev.item,
                field=field,
                score=fresh.score,
                reason="follow_up",
                scores=fresh.scores,
            )
        if self._strong(fresh) or not (prev.item or prev.candidates):
            return fresh
        if (
            fresh.action != "handoff"
            and ranked[0].cov >= SWITCH_COVERAGE
            and self._names_other_topic(content, prev)
        ):
            return fresh  # 提取公积金 after 身份证补领: a new question, not a refinement
        if len(content.replace(" ", "")) > 3 and self.scorer.foreign_share(content) > FOREIGN_SHARE:
            return (
                fresh if fresh.action != "answer" else Decision("handoff", field=field, reason="out_of_scope")
            )
        if prev.candidates and not prev.item and field is not None and fresh.action != "answer":
            # "电话多少" while a clarification is pending: ask the same question again, now with the field.
            return Decision("clarify", candidates=prev.candidates, field=field, reason="ambiguous")
        if topic:
            combined: Decision = self._fresh_for(topic + " " + content, field)
            if combined.action == "answer" and combined.item is not None:
                if combined.item in prev.candidates or combined.item == prev.item:
                    return dataclasses.replace(combined, reason="follow_up")
                # A new item only when the new words themselves point at it.
                covered = self.scorer.coverage(content, self.position[combined.item])
                if covered >= ANSWER_COVERAGE:
                    return combined
            on_topic = (
                combined.scores[:1] == ()
                or combined.scores[0][0] == prev.item
                or (combined.action == "clarify" and prev.item in combined.candidates)
            )
            if prev.item and on_topic and fresh.action != "answer":
                # "用于出国探亲" after 亲属关系公证: the refinement still points at the item being discussed.
                return Decision(
                    "answer",
                    item=prev.item,
                    field=field or prev.field,
                    score=combined.score,
                    reason="follow_up",
                    scores=combined.scores,
                )
        if prev.item and (field is not None or fresh.action == "handoff"):
            return Decision(
                "answer",
                item=prev.item,
                field=field or prev.field,
                score=fresh.score,
                reason="follow_up",
                scores=fresh.scores,
            )
        return fresh

    def _names_other_topic(self, content: str, prev: Turn) -> bool:
        """Whether ``content``'s key words (nouns the knowledge base knows) mostly name something the item
        or candidates under discussion never mention: 提取公积金 after 身份证补领 is a new question."""
        codes = (prev.item, *prev.candidates)
        context = [self.scorer.item_texts[self.position[c]] for c in codes if c in self.position]
        if not context:
            return False
        words = self.scorer.weighted_words(content)
        total = sum(weight for _, _, weight, _ in words)
        new = sum(
            weight
            for word, _, weight, key in words
            if key
            and word not in CUE_TEXT
            and word in self.scorer.phrase_text
            and not any(word in text for text in context)
        )
        return total > 0 and new / total >= TOPIC_SWITCH

    def turn_after(self, text: str, decision: Decision, previous: Turn | None = None) -> Turn:
        """The Turn after ``decision``, remembering the topic words for vague refinements (丢了, 租房的)."""
        turn = Turn.after(decision, previous)
        content = self.prepare(text)
        prev_topic = str(previous.extra.get("topic", "")) if previous and previous.extra else ""
        if decision.reason in ("follow_up", "picked", "empty", "human", "complaint"):
            topic = prev_topic or content
        elif decision.action == "handoff" and decision.reason == "out_of_scope":
            topic = ""
        else:
            topic = content
        return dataclasses.replace(turn, extra={"topic": topic})

    def replay(self, messages: Sequence[str]) -> Turn:
        """The Turn after the citizen's earlier ``messages`` (oldest first), for stateless callers."""
        turn: Turn | None = None
        for message in messages:
            decision = self.decide(message, turn)
            turn = self.turn_after(message, decision, turn)
        return turn or Turn()
