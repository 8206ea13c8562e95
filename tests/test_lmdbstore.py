"""bot.serving.lmdbstore: one host's workers share claims and states; expiry, purge, forks and a broken file.

The behaviour every store shares (round trips, claim once, finish_many order, threads racing for a
claim) is tested in test_state.py with this store among the others.
"""

import multiprocessing
import os
from pathlib import Path

import lmdb
import pytest

from bot.conversation.state import MemoryStore
from bot.serving.fallback import FallbackStore
from bot.serving.lmdbstore import LmdbStore


def _claim_all(path: str, keys: list[str], start, results) -> None:
    store = LmdbStore(path)
    start.wait(10)
    results.put((os.getpid(), [key for key in keys if store.claim(key)]))


def test_processes_racing_for_claims_have_one_winner_each(tmp_path):
    # The workers of a gunicorn master: separate processes on one environment.
    path = str(tmp_path / "state")
    keys = [f"msg:{number}" for number in range(200)]
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [context.Process(target=_claim_all, args=(path, keys, start, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    start.set()
    won = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(30)
    claimed = [key for _, keys_won in won for key in keys_won]
    assert sorted(claimed) == sorted(keys)  # every key claimed, none twice
    assert LmdbStore(path).claim("msg:7") is False


def test_a_forked_child_falls_back_and_the_parent_keeps_its_environment(tmp_path, caplog):
    # LMDB cannot be used, nor reopened, in a child forked after the parent opened it (gunicorn's
    # master never opens it: workers open it lazily). Such a child answers from the fallback store,
    # and nothing of the parent's environment is touched.
    store = LmdbStore(tmp_path / "state")
    store.save("oParent", {"n": 1})
    context = multiprocessing.get_context("fork")
    results = context.Queue()

    def child() -> None:
        backed = FallbackStore(store, MemoryStore(), name="lmdb")
        results.put(backed.claim_and_load("msg:child", "oParent"))

    process = context.Process(target=child)
    process.start()
    assert results.get(timeout=30) == (True, None)  # answered, from the fallback
    process.join(30)
    assert process.exitcode == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["state"]  # nothing moved aside
    assert store.load("oParent") == {"n": 1} and store.claim("msg:parent")
    assert LmdbStore(tmp_path / "state").claim("msg:child")  # the child's claim went elsewhere


def _broken_store(path: Path) -> Path:
    """A store at ``path`` holding one state, its file then left unreadable (what a crash of the machine
    could leave)."""
    seed = LmdbStore(path)
    seed.save("oA", {"n": 1})
    seed.close()
    (path / "data.mdb").write_bytes(b"\xff" * 8192)
    return path


def _open_broken(path: str, results) -> None:
    store = LmdbStore(path)
    results.put(store.claim(f"msg:{os.getpid()}"))


def test_workers_finding_a_broken_environment_move_it_aside_once(tmp_path):
    path = _broken_store(tmp_path / "state")
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_open_broken, args=(str(path), results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    assert [results.get(timeout=60) for _ in workers] == [True] * 4
    for worker in workers:
        worker.join(30)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names[0] == "state" and names[1].startswith("state.broken-") and names[2:] == ["state.lock"]
    assert LmdbStore(path).load("oA") is None  # started empty: one store for every worker


def test_a_folder_made_again_by_another_worker_during_recovery_is_taken(tmp_path, monkeypatch):
    # A worker outside the recovery lock makes sure the folder exists (its first open) right after the
    # broken one was moved aside: the worker recovering opens that folder rather than failing.
    path = _broken_store(tmp_path / "state")
    moved = Path.rename

    def rename_then_made_again(self: Path, target):
        done = moved(self, target)
        self.mkdir()  # the other worker, between the move and the recreation
        return done

    monkeypatch.setattr(Path, "rename", rename_then_made_again)
    store = LmdbStore(path)
    assert store.claim("msg:1") is True and store.load("oA") is None


def test_a_folder_moved_aside_by_another_worker_before_the_open_is_waited_for(tmp_path, monkeypatch):
    # This worker made sure the folder exists; another, recovering, moved it aside before this one
    # opened it (seen once in CI as "No such file or directory"): wait for the recovery, open its successor.
    path = _broken_store(tmp_path / "state")
    opened = LmdbStore._environment
    calls = []

    def moved_first(self: LmdbStore):
        calls.append(self.path)
        if len(calls) == 1:  # moved while LMDB opened it (lmdb.open itself makes a missing folder)
            self.path.rename(self.path.with_name("state.broken-by-other"))
            raise lmdb.Error(f"{self.path}: No such file or directory")
        return opened(self)

    monkeypatch.setattr(LmdbStore, "_environment", moved_first)
    store = LmdbStore(path)
    assert store.claim("msg:1") is True and store.load("oA") is None
    assert len(calls) == 2 and (tmp_path / "state.broken-by-other" / "data.mdb").exists()


@pytest.fixture
def clock(monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr("bot.serving.lmdbstore.time.time", lambda: now[0])
    return now


def test_purge_deletes_what_expired_and_keeps_rewritten_states(tmp_path, clock):
    store = LmdbStore(tmp_path / "state", ttl=100, dedup_ttl=10)
    for number in range(5):
        store.claim_and_load(f"msg:{number}", f"o{number}")
        store.finish(f"msg:{number}", f"<xml>{number}</xml>", f"o{number}", {"n": number})
    clock[0] += 50  # replies expired, states not
    store.save("o0", {"n": "again"})  # rewritten: its first index entry is stale from now on
    assert store.purge(dry_run=True) == (5, 0)
    assert store.reply_for("msg:1") is None  # expired reads as absent, purged or not
    assert store.purge() == (5, 0)
    assert store.purge() == (0, 0)
    clock[0] += 60  # the first states expired; o0 was written again 60 s ago
    assert store.purge() == (0, 4)
    assert store.load("o0") == {"n": "again"} and store.load("o1") is None
    clock[0] += 100
    assert store.purge() == (0, 1)
    env = store._open()[0]
    with env.begin() as txn:
        for name in (b"reply", b"state", b"expiry"):
            assert txn.stat(env.open_db(name))["entries"] == 0, name


def test_finishing_pushes_purges_in_the_background_writer(tmp_path, clock):
    store = LmdbStore(tmp_path / "state", ttl=5, dedup_ttl=5)
    store.PURGE_EVERY = 10
    store.finish_many([(f"msg:{n}", "<xml/>", f"o{n}", {"n": n}) for n in range(9)])
    clock[0] += 10
    store.finish_many([("msg:new", "<xml/>", "oNew", {"n": 0})])  # the 10th finish purges
    env = store._open()[0]
    with env.begin() as txn:
        assert txn.stat(env.open_db(b"reply"))["entries"] == 1
        assert txn.stat(env.open_db(b"state"))["entries"] == 1


def test_an_unreadable_environment_is_moved_aside(tmp_path, caplog):
    path = _broken_store(tmp_path / "state")
    fresh = LmdbStore(path)
    assert fresh.claim_and_load("msg:1", "oA") == (True, None)  # started empty, and answering
    assert [p.name.startswith("state.broken-") for p in tmp_path.iterdir()].count(True) == 1
    assert "moved to" in caplog.text


def test_a_full_map_falls_back_and_keeps_answering(tmp_path):
    store = LmdbStore(tmp_path / "state", map_size=256 * 1024)
    backed = FallbackStore(store, MemoryStore(), name="lmdb")
    with pytest.raises(lmdb.MapFullError):
        store.finish_many([(f"msg:{n}", "答" * 2000, f"o{n}", {"n": n}) for n in range(200)])
    assert backed.claim_and_load("msg:after", "oA") == (True, None)
    backed.finish_many([(f"msg:{n}", "答" * 2000, f"o{n}", {"n": n}) for n in range(200)])
    assert backed.claim("msg:199") is False  # remembered by the fallback


def test_state_path_defaults_beside_the_sqlite_file(tmp_path):
    from bot.serving import runtime
    from webhook import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/hall.sqlite3", "WECHAT_TOKEN": "t"})
    assert runtime.state_store_kind(app) == "lmdb"
    assert Path(runtime.lmdb_path(app)) == tmp_path / "hall.sqlite3-state"
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/hall.sqlite3", "STATE_PATH": f"{tmp_path}/s"})
    assert Path(runtime.lmdb_path(app)) == tmp_path / "s"


@pytest.mark.parametrize(
    ("config", "kind"),
    [
        ({"DATABASE_URL": "sqlite:///{tmp}/a.sqlite3"}, "lmdb"),
        ({"DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:5432/x"}, "database"),
        ({"DATABASE_URL": "sqlite:///{tmp}/a.sqlite3", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "redis"),
        ({"DATABASE_URL": "sqlite://", "KB_FILE": "{tmp}/kb.json"}, "memory"),
        ({"DATABASE_URL": "sqlite://"}, "database"),  # in memory: nothing beside it, one process
        ({"DATABASE_URL": "sqlite:///{tmp}/a.sqlite3", "STATE_STORE": "database"}, "database"),
    ],
)
def test_auto_picks_the_store_for_the_deployment(tmp_path, config, kind):
    from bot.serving import runtime
    from webhook import create_app

    app = create_app({key: value.format(tmp=tmp_path) for key, value in config.items()})
    assert runtime.state_store_kind(app) == kind


def test_the_app_on_sqlite_claims_in_lmdb(tmp_path):
    from bot.serving import runtime
    from webhook import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/hall.sqlite3", "WECHAT_TOKEN": "t"})
    store = runtime.state_store(app)
    assert isinstance(store, FallbackStore) and isinstance(store.primary, LmdbStore)
    assert store.claim("msg:1") and not store.claim("msg:1")
    assert (tmp_path / "hall.sqlite3-state" / "data.mdb").exists()


def test_a_full_purge_runs_in_short_transactions(tmp_path, clock, monkeypatch):
    # `guidebot purge` runs while serving: no write transaction may hold every claim for long.
    store = LmdbStore(tmp_path / "state", ttl=5, dedup_ttl=5)
    store.PURGE_LIMIT = 3
    store.finish_many([(f"msg:{n}", "<xml/>", f"o{n}", None) for n in range(10)])
    clock[0] += 10
    batches: list[int | None] = []
    real = store._purge_batch

    def counted(now, limit, *, dry_run):
        batches.append(limit)
        return real(now, limit, dry_run=dry_run)

    monkeypatch.setattr(store, "_purge_batch", counted)
    assert store.purge(dry_run=True) == (10, 0) and batches == [None]  # a read: one transaction
    batches.clear()
    assert store.purge(limit=4) == (4, 0) and batches == [3, 1]
    batches.clear()
    assert store.purge() == (6, 0) and batches == [3, 3, 3]
    assert store.purge() == (0, 0)


def test_an_unknown_state_store_is_refused(tmp_path):
    from bot.serving import runtime
    from webhook import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/a.sqlite3", "STATE_STORE": "files"})
    with pytest.raises(ValueError, match="STATE_STORE must be auto, memory, lmdb, database or redis"):
        runtime.state_store(app)
