"""What the matcher decides for one citizen message, and what it remembers between turns.

These two small value types are the contract between the matching engine (``bot.matching.matcher``),
the conversation layer (``bot.conversation.engine``) and the ``guidebot match`` command.
"""

import dataclasses
from dataclasses import dataclass
from typing import Literal

Action = Literal["answer", "clarify", "handoff"]

#: Why a handoff or clarification was chosen; recorded for the administrators' review.
Reason = Literal[
    "confident",  # answer: one item clearly best
    "follow_up",  # answer: the item of the previous turn, a new field asked
    "picked",  # answer: the citizen picked a numbered candidate
    "told",  # answer: the one credible item, whose situation the story tells in its own words
    "named",  # answer: the one credible item, whose name or alias the message says whole
    "likely",  # answer: a field asked while a clarification was pending, about its only credible item
    "ambiguous",  # clarify: several items close together
    "human",  # handoff: the citizen asked for a person (人工/转人工)
    "complaint",  # handoff: 投诉
    "out_of_scope",  # handoff: nothing in the knowledge base fits
    "low_confidence",  # handoff: something fits, but not well enough to answer
    "empty",  # handoff: nothing left after normalisation (greeting, thanks, masked data only)
    "error",  # handoff: answering failed (the knowledge unreadable, a bug); the fallback was sent
]


@dataclass(frozen=True)
class Decision:
    """One action for one message: answer an item, ask which item, or hand off to a person."""

    action: Action
    item: str | None = None
    candidates: tuple[str, ...] = ()
    field: str | None = None
    score: float = 0.0
    reason: Reason = "confident"
    #: Per-candidate scores, best first, for the review queue and the console preview.
    scores: tuple[tuple[str, float], ...] = ()

    def as_json(self, message_id: object) -> dict[str, object]:
        """The ``guidebot match`` output line for this decision."""
        return {
            "id": message_id,
            "action": self.action,
            "item": self.item,
            "candidates": list(self.candidates),
            "field": self.field,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Turn:
    """What the matcher needs to know of the conversation so far.

    ``item`` is the item of the last answer (for "那要多少钱"-style follow-ups),
    ``candidates`` the numbered choices of a pending clarification (for a reply "2"),
    ``field`` the field asked last (for "那材料呢" after a fee question, or a pick after a
    field question).
    """

    item: str | None = None
    candidates: tuple[str, ...] = ()
    field: str | None = None
    extra: dict[str, object] = dataclasses.field(default_factory=dict)

    @staticmethod
    def after(decision: Decision, previous: "Turn | None" = None) -> "Turn":
        """The conversation state once ``decision`` has been acted on."""
        if decision.action == "answer":
            return Turn(item=decision.item, field=decision.field)
        if decision.action == "clarify":
            return Turn(candidates=decision.candidates, field=decision.field)
        # A handoff keeps the previous item so "那在哪办" after a complaint still works.
        return Turn(item=previous.item if previous else None)
