"""The citizen's message and the bot's reply as plain data, independent of HTTP and wechatpy.

``bot.wechat.protocol`` turns a WeChat push into a :class:`Message`; ``bot.conversation.engine.respond``
turns a
message into a :class:`Reply`; ``bot.wechat.protocol`` renders the reply back into WeChat XML. The CLI and
the tests drive the conversation with these types directly.
"""

from dataclasses import dataclass
from typing import Literal

#: text, voice, image, video, location, link, event, or unknown (anything WeChat may add later).
MessageKind = Literal["text", "voice", "image", "video", "location", "link", "event", "unknown"]


@dataclass(frozen=True)
class Message:
    """One push from a citizen: a message or an event."""

    kind: MessageKind
    openid: str
    text: str = ""
    msg_id: str | None = None
    create_time: int = 0
    #: Lower-case event type for events (subscribe, unsubscribe, click, view, scan, ...).
    event: str | None = None
    event_key: str | None = None
    #: WeChat's speech-to-text for voice messages, when the account has it enabled.
    recognition: str | None = None
    #: The official account (ToUserName), so a reply can name its sender.
    account: str = ""
    #: Subscription-notification events: (TemplateId, accept/reject, or the sent event's ErrorStatus).
    subscriptions: tuple[tuple[str, str], ...] = ()

    @property
    def dedup_key(self) -> str:
        """The key WeChat's retries share: MsgId, or FromUserName + CreateTime + Event + EventKey."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"event:{self.openid}|{self.create_time}|{self.event or ''}|{self.event_key or ''}"

    @property
    def said(self) -> str:
        """What the citizen said: the text, or the recognised speech of a voice message ("" for neither)."""
        return (self.recognition if self.kind == "voice" else self.text) or ""

    @property
    def log_ref(self) -> str:
        """How logs name this push: the MsgId, or the event and its time (never the openid)."""
        if self.msg_id:
            return f"msg {self.msg_id}"
        return f"event {self.event or '?'} at {self.create_time}"


ReplyKind = Literal["text", "transfer", "empty"]
#: What a reply did: about one item (answer), a numbered question (clarify), to a person (handoff), about
#: the hall itself (hall), or anything answered without an item (smalltalk: thanks, greetings, emergencies).
Action = Literal["answer", "clarify", "handoff", "hall", "smalltalk", ""]


@dataclass(frozen=True)
class Reply:
    """What the citizen gets (a text, a handoff to the customer-service desk, or nothing) and what it did.

    A handoff in service hours is ``kind="transfer"`` with ``text`` the notice the citizen sees first, sent
    as a customer-service message before the transfer (a bare transfer shows nothing).
    """

    kind: ReplyKind
    text: str = ""
    action: Action = ""
    item: str | None = None
    field: str | None = None
    situation: str | None = None
    #: Item codes or situation names offered by a numbered question, in order.
    choices: tuple[str, ...] = ()
    #: Why a handoff: human, complaint, out_of_scope, low_confidence, unanswered.
    reason: str = ""

    @staticmethod
    def say(text: str, action: Action = "", **what: object) -> "Reply":
        return Reply("text", text, action, **what)  # type: ignore[arg-type]

    @staticmethod
    def transfer(notice: str = "", **what: object) -> "Reply":
        return Reply("transfer", notice, "handoff", **what)  # type: ignore[arg-type]

    @staticmethod
    def nothing() -> "Reply":
        return Reply("empty")

    def as_json(self) -> dict[str, object]:
        """The ``guidebot converse`` view of this reply."""
        return {
            "text": self.text,
            "action": self.action or None,
            "item": self.item,
            "field": self.field,
            "situation": self.situation,
            "choices": list(self.choices),
        }
