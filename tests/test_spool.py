"""bot.serving.spool: fsynced JSON lines, masked text only, drained exactly once even after a crash
mid-drain."""

import json
import os
import subprocess
import sys
import time

import pytest
from sqlmodel import Session, select

from bot.conversation.records import Question
from bot.matching.decision import Decision
from bot.serving.recording import DatabaseRecorder
from bot.serving.spool import BATCH, Spool, question_record, write_records
from bot.serving.spooling import SpoolingRecorder
from knowledge.models import QuestionLog, Rating
from knowledge.testing import memory_engine

DECISION = Decision(
    action="answer", item="SB-001", field=None, score=0.9, reason="match", scores=(("SB-001", 0.9),)
)


def question(index: int, text: str = "社保卡在哪办") -> Question:
    return Question(openid=f"oCitizen{index}", text=text, decision=DECISION, msg_id=str(10**17 + index))


@pytest.fixture
def engine(tmp_path):
    from knowledge.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path}/spool.sqlite3")
    upgrade(engine)
    yield engine
    engine.dispose()


def rows(engine) -> list[QuestionLog]:
    with Session(engine) as session:
        return list(session.exec(select(QuestionLog)))


def test_records_hold_masked_text_and_hashes_only(tmp_path):
    spool = Spool(tmp_path)
    spool.append(question_record(question(1, "我的身份证110105199003077777丢了，电话13912345678"), "key"))
    spool.close()
    (path,) = list(tmp_path.iterdir())
    line = path.read_text(encoding="utf-8")
    record = json.loads(line)
    assert "110105199003077777" not in line and "13912345678" not in line and "oCitizen1" not in line
    assert record["key"] == record["msg_id"] == str(10**17 + 1) and len(record["openid_hash"]) == 32


def test_drain_writes_each_record_once(tmp_path, engine):
    spool = Spool(tmp_path / "spool")
    for index in range(BATCH + 7):
        spool.append(question_record(question(index), "key"))
    write = lambda records: write_records(engine, records)  # noqa: E731
    assert spool.drain(write) == BATCH + 7
    assert len(rows(engine)) == BATCH + 7 and not spool.pending()
    assert all(row.openid is None and row.raw_text is None for row in rows(engine))
    assert spool.drain(write) == 0


def test_crash_mid_drain_does_not_double(tmp_path, engine):
    spool = Spool(tmp_path / "spool")
    for index in range(BATCH * 2 + 3):
        spool.append(question_record(question(index), "key"))
    calls = 0

    def crashing(records):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ConnectionError("database went away mid-drain")
        return write_records(engine, records)

    with pytest.raises(ConnectionError):
        spool.drain(crashing)
    assert len(rows(engine)) == BATCH and spool.pending()  # the first batch landed, the file stayed
    assert spool.drain(lambda records: write_records(engine, records)) == BATCH * 2 + 3
    assert len(rows(engine)) == BATCH * 2 + 3
    assert len({row.msg_id for row in rows(engine)}) == BATCH * 2 + 3


def test_a_question_recorded_unseen_is_not_doubled(engine):
    # The insert committed but the connection died before the answer: the spooled copy is skipped.
    DatabaseRecorder(engine, hash_key="key").question(question(5))
    assert write_records(engine, [question_record(question(5), "key")]) == 0
    assert len(rows(engine)) == 1


def test_ratings_are_spooled_and_drained_once(tmp_path, engine):
    class Down(DatabaseRecorder):
        def rating(self, **kwargs):
            raise ConnectionError("down")

    recorder = SpoolingRecorder(Down(engine, hash_key="key"), Spool(tmp_path / "spool"))
    recorder.rating(item_code="SB-001", score=5, openid="oCitizen")
    recorder.question(question(1))  # spooled too: the database is considered down for a while
    assert recorder.drain() == 2 and recorder.drain() == 0
    with Session(engine) as session:
        assert [r.score for r in session.exec(select(Rating))] == [5]
    assert len(rows(engine)) == 1


def test_the_file_of_a_dead_process_is_drained(tmp_path, engine):
    directory = tmp_path / "spool"
    record = question_record(question(9), "key")
    script = (
        "import json, sys; from bot.serving.spool import Spool; "
        "Spool(sys.argv[1]).append(json.loads(sys.argv[2]))"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(directory), json.dumps(record)], check=True, cwd=os.getcwd()
    )
    assert Spool(directory).drain(lambda records: write_records(engine, records)) == 1
    assert [row.msg_id for row in rows(engine)] == [record["msg_id"]]


def test_a_live_writer_keeps_its_file(tmp_path, engine):
    directory = tmp_path / "spool"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from bot.serving.spool import Spool; s = Spool(sys.argv[1]); "
            "s.append({'kind': 'question'}); print('ok', flush=True); time.sleep(30)",
            str(directory),
        ],
        stdout=subprocess.PIPE,
        cwd=os.getcwd(),
    )
    try:
        assert writer.stdout.readline().strip() == b"ok"
        handed: list[dict] = []
        assert Spool(directory).drain(handed.extend) == 0 and handed == []
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()
    assert len(list(directory.iterdir())) == 1


def test_a_drain_while_a_writer_opens_its_file_loses_nothing(tmp_path, monkeypatch):
    """Another process's drainer looks in between the writer's creating its file and locking it."""
    import fcntl

    directory = tmp_path / "spool"
    writer, other_process = Spool(directory), Spool(directory)
    real_flock, raced = fcntl.flock, []

    def flock(fd: int, operation: int) -> None:
        if not raced:  # the writer's own lock, the first taken
            raced.append(-1)  # the drainer's own locks go through unraced
            raced[0] = other_process.drain(lambda records: None)
        real_flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", flock)
    for index in range(3):
        writer.append(question_record(question(index), "key"))
    handed: list[dict] = []
    assert raced == [0] and writer.drain(handed.extend) == 3
    assert [record["msg_id"] for record in handed] == [str(10**17 + index) for index in range(3)]


def test_memory_engine_records_drain(tmp_path):
    engine = memory_engine()
    spool = Spool(tmp_path)
    spool.append(question_record(question(3), "key"))
    assert spool.drain(lambda records: write_records(engine, records)) == 1
    assert len(rows(engine)) == 1


def test_batched_questions_reach_the_database_once_flushed(tmp_path, engine):
    recorder = SpoolingRecorder(DatabaseRecorder(engine, hash_key="key"), Spool(tmp_path / "spool"))
    recorder.start_batching(interval=0.05, size=7)
    for index in range(30):
        recorder.question(question(index, "我的电话13912345678"))
    recorder.stop_batching()
    found = rows(engine)
    assert sorted(row.msg_id for row in found) == sorted(str(10**17 + index) for index in range(30))
    assert all("13912345678" not in row.text and row.raw_text is None for row in found)
    assert not recorder.spool.pending()
    recorder.question(question(99))  # after the flush: recorded on the caller's thread again
    assert len(rows(engine)) == 31


def test_a_batch_the_database_refuses_is_spooled_and_drained_once(tmp_path, engine):
    from sqlalchemy import create_engine

    broken = create_engine(f"sqlite:///{tmp_path}/missing/none.sqlite3")  # no such folder: cannot connect
    recorder = SpoolingRecorder(DatabaseRecorder(broken, hash_key="key"), Spool(tmp_path / "spool"))
    recorder.start_batching(interval=0.05)
    for index in range(12):
        recorder.question(question(index))
    recorder.stop_batching()
    assert recorder.spool.pending()
    drained = recorder.spool.drain(lambda records: write_records(engine, records))
    assert drained == 12 and len(rows(engine)) == 12
    assert recorder.spool.drain(lambda records: write_records(engine, records)) == 0
    broken.dispose()


def test_while_batching_nothing_touches_the_database_on_a_push(tmp_path, engine):
    # Ratings join the batch and the most-asked list is a cached copy: the request path never waits.
    database = DatabaseRecorder(engine, hash_key="key")
    recorder = SpoolingRecorder(database, Spool(tmp_path / "spool"))
    for index in range(3):
        database.question(question(index))
    recorder.start_batching(interval=0.05)
    try:
        assert recorder.batching
        calls: list[str] = []
        real_rating, real_most_asked = database.rating, database.most_asked
        database.rating = lambda **kw: (calls.append("rating"), real_rating(**kw))[1]
        database.most_asked = lambda limit: (calls.append("most_asked"), real_most_asked(limit))[1]
        assert recorder.most_asked(5) == ["SB-001"]  # read when batching started
        recorder.rating(item_code="SB-001", score=5, openid="oCitizen1")
        assert calls == []  # queued, not written by the caller
    finally:
        recorder.stop_batching()
    assert calls == ["rating"]  # written by the batch writer (flushed at stop)
    with Session(engine) as session:
        assert [r.score for r in session.exec(select(Rating))] == [5]
    assert not recorder.batching
    assert recorder.most_asked(5) == ["SB-001"]  # without batching: read from the database again
    assert calls[-1] == "most_asked"


def test_the_cached_most_asked_list_is_refreshed_by_the_drain_thread(tmp_path, engine):
    database = DatabaseRecorder(engine, hash_key="key")
    recorder = SpoolingRecorder(database, Spool(tmp_path / "spool"))
    recorder.MOST_ASKED_EVERY = 0.0
    recorder.start_batching(interval=0.01)
    recorder.start_drainer(interval=0.05)
    try:
        assert recorder.most_asked(5) == []
        database.question(question(1))
        deadline = time.monotonic() + 5
        while recorder.most_asked(5) != ["SB-001"] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert recorder.most_asked(5) == ["SB-001"]
    finally:
        recorder.stop_drainer()


KILLED_WORKER = """
import sys, time
from bot.conversation.records import Question
from bot.matching.decision import Decision
from bot.serving.recording import DatabaseRecorder
from bot.serving.spool import Spool
from bot.serving.spooling import SpoolingRecorder
from knowledge.db import make_engine

decision = Decision(action="answer", item="SB-001", field=None, score=0.9, reason="match")
recorder = SpoolingRecorder(DatabaseRecorder(make_engine(sys.argv[1]), hash_key="key"), Spool(sys.argv[2]))
recorder.start_batching(interval=60)  # the batch writer waits a minute: everything is still queued
for index in range(5):
    recorder.question(Question(f"oKilled{index}", "社保卡在哪办", decision, str(4 * 10**17 + index)))
recorder.rating(item_code="SB-001", score=4, openid="oKilled0")
print("queued", flush=True)
time.sleep(60)
"""


def test_what_a_killed_worker_had_queued_is_not_lost(tmp_path, engine):
    """Issue 15, finding 6: a worker killed outright (SIGKILL, or SIGBUS when its SQLite files turned
    read-only under its memory map) lost the questions its batch writer held."""
    directory = tmp_path / "spool"
    worker = subprocess.Popen(
        [sys.executable, "-c", KILLED_WORKER, str(engine.url), str(directory)],
        stdout=subprocess.PIPE,
        cwd=os.getcwd(),
    )
    try:
        assert worker.stdout.readline().strip() == b"queued"
    finally:
        worker.kill()  # no exit hooks, no flush
        worker.wait()
        worker.stdout.close()
    assert rows(engine) == []
    assert Spool(directory).drain(lambda records: write_records(engine, records)) == 6
    assert sorted(row.msg_id for row in rows(engine)) == [str(4 * 10**17 + i) for i in range(5)]
    with Session(engine) as session:
        assert [r.score for r in session.exec(select(Rating))] == [4]
    assert Spool(directory).drain(lambda records: write_records(engine, records)) == 0


def test_a_finished_batch_empties_the_journal(tmp_path, engine):
    recorder = SpoolingRecorder(DatabaseRecorder(engine, hash_key="key"), Spool(tmp_path / "spool"))
    recorder.start_batching(interval=0.01)
    for index in range(20):
        recorder.question(question(index))
    deadline = time.monotonic() + 10
    while len(rows(engine)) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    assert len(rows(engine)) == 20
    assert not recorder.spool.pending()  # nothing left for a drainer: the journal was emptied
    recorder.stop_batching()
    assert list((tmp_path / "spool").iterdir()) == []  # and removed on the way out
