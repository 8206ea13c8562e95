"""bot.conversation.session: the state kept between messages, and a store that fails costs no answer."""

import datetime as dt

import pytest

from bot.conversation.hours import CHINA
from bot.conversation.knowledge import StaticKnowledge
from bot.conversation.messages import Message
from bot.conversation.session import Context, Session, schedule_of, turn_data, turn_of
from bot.conversation.state import MemoryStore
from bot.matching.decision import Turn
from knowledge.schema import load_kb


@pytest.fixture(scope="module")
def knowledge(county_kb_path) -> StaticKnowledge:
    return StaticKnowledge(load_kb(county_kb_path))


class CountingStore(MemoryStore):
    def __init__(self, *, fail: bool = False) -> None:
        super().__init__()
        self.saves = 0
        self.fail = fail

    def load(self, key):
        if self.fail:
            raise ConnectionError("store down")
        return super().load(key)

    def save(self, key, state):
        self.saves += 1
        if self.fail:
            raise ConnectionError("store down")
        super().save(key, state)


def message(openid: str = "oA") -> Message:
    return Message(kind="text", openid=openid, text="你好", msg_id="1")


def test_a_turn_survives_the_store_as_json():
    turn = Turn(item="SF-GA-003", candidates=("A", "B"), field="fee", extra={"topic": "身份证 遗失"})
    assert turn_of({"turn": turn_data(turn)}) == turn
    assert turn_of({}) is None


def test_nothing_before_and_nothing_after_spares_the_store_a_write(knowledge):
    store = CountingStore()
    context = Context(knowledge=knowledge, store=store)
    Session(message(), context).save()
    assert store.saves == 0
    session = Session(message(), context)
    session.state["streak"] = 1
    session.save()
    assert store.saves == 1 and store.load("oA") == {"streak": 1}


def test_a_store_that_fails_leaves_an_empty_memory_and_no_error(knowledge):
    session = Session(message(), Context(knowledge=knowledge, store=CountingStore(fail=True)))
    assert session.state == {}
    session.state["streak"] = 1
    session.save()  # logged, not raised


def test_the_current_item_and_its_situation_come_from_the_state(knowledge):
    store = MemoryStore()
    store.save(
        "oA",
        {
            "turn": turn_data(Turn(item="SF-GA-003")),
            "situation": {"item": "SF-GA-003", "name": "丢失、被盗补领"},
        },
    )
    session = Session(message(), Context(knowledge=knowledge, store=store))
    item = session.current_item()
    assert item is not None and item.code == "SF-GA-003"
    situation = session.current_situation(item)
    assert situation is not None and situation.name == "丢失、被盗补领"
    other = knowledge().item("SF-GA-001")
    assert other is not None and session.current_situation(other) is None


def test_hours_that_cannot_be_read_give_no_schedule():
    assert schedule_of("周一至周五 9:00-17:00", None) is not None
    assert schedule_of("看心情", None) is None
    monday = dt.datetime(2026, 12, 7, 10, 0, tzinfo=CHINA)
    schedule = schedule_of("周一至周五 9:00-17:00", None)
    assert schedule is not None and schedule.is_open(monday)
