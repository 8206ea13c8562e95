"""Console page timings on the 2,262-item Guangdong knowledge base (SQLite file, real bot callables).

Run: .venv/bin/python bench/console.py [KB_PATH]
Prints the median of 5 requests for each page, plus a publish through the regression gate (with the
regression questions the import seeds from every item's name, aliases and FAQ).
"""

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge import accounts, schema, storage  # noqa: E402
from knowledge.console import regression  # noqa: E402
from knowledge.db import make_engine, upgrade  # noqa: E402
from webhook import create_app  # noqa: E402

KB = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "kb" / "guangdong-2021.json"


def _token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, url
    return found.group(1)


def _median(client, url: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        engine = make_engine(url)
        upgrade(engine)
        kb = schema.load_kb(KB)
        with Session(engine) as session:
            report = storage.import_kb(session=session, kb=kb, author="bench", publish=True)
            accounts.create_user(session=session, username="ed", role="editor", password="bench-pass-1")
            accounts.create_user(session=session, username="rev", role="reviewer", password="bench-pass-1")
            cases = len(regression.list_cases(session=session))
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LOAD_DEMO": False})
        code = kb.items[0].code
        editor, reviewer = app.test_client(), app.test_client()
        for client, name in ((editor, "ed"), (reviewer, "rev")):
            client.post(
                "/admin/login",
                data={
                    "username": name,
                    "password": "bench-pass-1",
                    "csrf_token": _token(client, "/admin/login"),
                },
            )
        print(f"knowledge base: {KB.name}, {len(kb.items)} items, {cases} regression cases "
              f"({report.cases_added} seeded by the import)")
        editor.get("/admin/items/ask?q=warm-up")  # first live index build
        for label, page in [
            ("dashboard", "/admin/"),
            ("item list (page 1)", "/admin/items/"),
            ("item search", "/admin/items/?q=%E6%88%B7%E5%8F%A3"),
            ("item edit form", f"/admin/items/{code}"),
            ("item preview (all fields)", f"/admin/items/{code}/preview"),
            ("ask-box (live index)", "/admin/items/ask?q=%E6%80%8E%E4%B9%88%E5%8A%9E%E6%88%B7%E5%8F%A3"),
        ]:
            print(f"{label:28s} {_median(editor, page) * 1000:8.1f} ms")
        data = storage.get_item(session=Session(engine), code=code).data
        form = {
            "name": data["name"],
            "department": data["department"],
            "submit_review": "1",
            "materials-0-name": "bench material",
            "csrf_token": _token(editor, "/admin/items/"),
        }
        editor.post(f"/admin/items/{code}", data=form)
        start = time.perf_counter()
        reviewer.get(f"/admin/review/{code}")
        first_ms = (time.perf_counter() - start) * 1000
        review_ms = _median(reviewer, f"/admin/review/{code}", runs=3) * 1000
        print(f"{'review page, first (live run)':28s} {first_ms:8.1f} ms")
        print(f"{'review page (gate preview)':28s} {review_ms:8.1f} ms")
        start = time.perf_counter()
        response = reviewer.post(
            f"/admin/review/{code}/approve",
            data={"confirm_broken": "1", "csrf_token": _token(reviewer, "/admin/review/")},
        )
        print(
            f"{'approve through the gate':28s} {(time.perf_counter() - start) * 1000:8.1f} ms "
            f"(status {response.status_code})"
        )


if __name__ == "__main__":
    main()
