"""bot.serving.recording: questions, handoffs and ratings stored masked, openids hashed."""

import json

import pytest
from sqlmodel import Session, select

from bot.conversation.records import MemoryRecorder, Question, hash_openid
from bot.matching.decision import Decision
from bot.serving.recording import DatabaseRecorder
from knowledge.db import make_engine, upgrade
from knowledge.models import QuestionLog, Rating

PII = "我身份证110101199003074514丢了，手机13912345678"


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/rec.sqlite3")
    upgrade(engine)
    yield engine
    engine.dispose()


def test_hash_is_keyed_and_stable():
    assert hash_openid("oA", "k1") == hash_openid("oA", "k1") != hash_openid("oA", "k2")
    assert "oA" not in hash_openid("oA", "k1")


def test_database_question_is_masked(engine):
    recorder = DatabaseRecorder(engine, hash_key="k")
    decision = Decision(
        "handoff",
        reason="low_confidence",
        score=0.41234567,
        scores=(("SF-GA-003", 0.41234567), ("SF-GA-001", 0.3)),
    )
    recorder.question(Question("oCitizen", PII, decision, "77"))
    with Session(engine) as session:
        row = session.exec(select(QuestionLog)).one()
    assert "110101199003074514" not in row.text and "13912345678" not in row.text
    assert row.raw_text is None  # masking changed the text: the original is not kept
    assert (row.msg_id, row.openid, row.action, row.reason, row.state) == (
        "77",
        "oCitizen",
        "handoff",
        "low_confidence",
        "open",
    )
    assert row.openid_hash == hash_openid("oCitizen", "k") and row.score == 0.4123
    assert json.loads(row.candidates) == [["SF-GA-003", 0.4123], ["SF-GA-001", 0.3]]


def test_database_ratings_and_most_asked(engine):
    recorder = DatabaseRecorder(engine, hash_key="k")
    for code in ("SF-RS-001", "SF-GA-003", "SF-RS-001"):
        recorder.question(Question("o", "社保卡", Decision("answer", item=code), None))
    recorder.question(Question("o", "天气", Decision("handoff", reason="out_of_scope"), None))
    recorder.rating(item_code="SF-RS-001", score=4, openid="oCitizen")
    assert recorder.most_asked(5) == ["SF-RS-001", "SF-GA-003"]
    with Session(engine) as session:
        rating = session.exec(select(Rating)).one()
    assert (rating.item_code, rating.score, rating.openid_hash) == (
        "SF-RS-001",
        4,
        hash_openid("oCitizen", "k"),
    )


def test_memory_recorder_matches():
    recorder = MemoryRecorder(hash_key="k")
    recorder.question(Question("oCitizen", PII, Decision("answer", item="SF-GA-003"), "1"))
    assert "110101199003074514" not in str(recorder.questions)
    assert recorder.most_asked(3) == ["SF-GA-003"]


def test_row_values_name_every_column_and_validate():
    # values() builds a plain dict for speed; it must still fill every column the model has.
    recorder = DatabaseRecorder(make_engine("sqlite://"), hash_key="k")
    decision = Decision(
        action="answer", reason="confident", item="A", field="fee", score=0.91234, scores=(("A", 0.9),)
    )
    values = recorder.values(Question(openid="oA", text="身份证多少钱", decision=decision, msg_id="9"))
    columns = {column.name for column in QuestionLog.__table__.columns} - {"id"}
    assert set(values) == columns
    row = QuestionLog.model_validate(values)  # the model accepts every value as it is
    assert row.score == 0.9123 and row.candidates == '[["A", 0.9]]' and row.created_at.tzinfo is not None


def test_postgres_batches_store_the_same_rows_as_sqlite(engine):
    # On PostgreSQL, batches go in through COPY; the rows must come out as an INSERT's would.
    from knowledge.testing import PostgresUnavailable, postgres_database

    decision = Decision(
        action="answer", reason="confident", item="A", field=None, score=0.5, scores=(("A", 0.5),)
    )
    questions = [
        Question(openid="oA", text=PII, decision=decision, msg_id="1"),
        Question(openid="oB", text="社保卡\t在哪办\n\\N", decision=decision, msg_id=None),
    ]
    try:
        with postgres_database("guidebot_test_rec") as url:
            pg = make_engine(url)
            upgrade(pg)
            found = {}
            for name, target in (("sqlite", engine), ("postgres", pg)):
                recorder = DatabaseRecorder(target, hash_key="k")
                recorder.insert_rows([recorder.values(q) for q in questions])
                with Session(target) as session:
                    found[name] = [
                        row.model_dump(exclude={"id"})
                        for row in session.exec(select(QuestionLog).order_by(QuestionLog.id))
                    ]
            pg.dispose()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    assert len(found["postgres"]) == 2 and found["postgres"][1]["text"] == "社保卡\t在哪办\n\\N"
    assert found["postgres"][0]["created_at"].tzinfo is not None
    for pg_row, sqlite_row in zip(found["postgres"], found["sqlite"], strict=True):
        assert {k: v for k, v in pg_row.items() if k != "created_at"} == {
            k: v for k, v in sqlite_row.items() if k != "created_at"
        }
        assert abs((pg_row["created_at"] - sqlite_row["created_at"]).total_seconds()) < 60


def test_cached_hashes_and_masks_are_what_they_cache():
    # Cached per text and per openid (a burst repeats them): the cache must not change a value.
    import hashlib
    import hmac

    from bot.conversation.records import _masked, hash_openid
    from bot.matching.pii import mask_personal_data
    from bot.serving.recording import _candidates_json

    text = "我的身份证号110101199003074477，手机13812345678，怎么补办"
    assert _masked(text) == mask_personal_data(text) == _masked(text)
    assert "110101199003074477" not in _masked(text) and "13812345678" not in _masked(text)
    for key in ("k1", "k2"):
        expected = hmac.new(key.encode(), b"oCitizen", hashlib.sha256).hexdigest()[:32]
        assert hash_openid("oCitizen", key) == expected == hash_openid("oCitizen", key)
    assert hash_openid("oCitizen", "k1") != hash_openid("oCitizen", "k2")
    assert _candidates_json((("SF-1", 0.123456), ("社保", 0.5))) == '[["SF-1", 0.1235], ["社保", 0.5]]'


@pytest.mark.parametrize("backend", ["sqlite-file", "sqlite-memory", "postgres"])
def test_a_msgid_is_recorded_once_whatever_path_it_takes(engine, backend):
    """Issue 15, findings 7 and 8: a retry answered twice (its claim moved between stores during an outage)
    must not be recorded twice. Every insert path skips a MsgId already recorded."""
    from knowledge.testing import PostgresUnavailable, memory_engine, postgres_database

    decision = Decision(action="answer", reason="confident", item="A", field=None, score=0.5)

    def run(target) -> list[str | None]:
        recorder = DatabaseRecorder(target, hash_key="k")
        recorder.question(Question("oA", "社保卡在哪办", decision, "4242"))
        recorder.insert_rows(
            [
                recorder.values(Question("oA", "社保卡在哪办", decision, "4242")),
                recorder.values(Question("oA", "换个问题", decision, "4343")),
                recorder.values(Question("oA", "事件", decision, None)),
                recorder.values(Question("oA", "事件", decision, None)),
            ]
        )
        with Session(target) as session:
            return sorted((row.msg_id or "") for row in session.exec(select(QuestionLog)))

    if backend == "sqlite-file":
        assert run(engine) == ["", "", "4242", "4343"]
    elif backend == "sqlite-memory":
        assert run(memory_engine()) == ["", "", "4242", "4343"]
    else:
        try:
            with postgres_database("guidebot_test_rec_once") as url:
                pg = make_engine(url)
                upgrade(pg)
                assert run(pg) == ["", "", "4242", "4343"]
                pg.dispose()
        except PostgresUnavailable as exc:
            pytest.skip(f"PostgreSQL tests skipped: {exc}")
