"""Log lines: time, level, process and event on each; JSON that parses and holds no raw openid or question;
an outage's repeated failures summarised (bot/serving/logs.py, bot/serving/observe.py)."""

import io
import json
import logging
import re
from pathlib import Path

import pytest

from bot.serving import logs
from tests.service_support import APP_ID, TOKEN, new_msg_id, signed_args, text_xml
from webhook import create_app

MINIMAL = Path(__file__).parent / "fixtures" / "kb" / "minimal.json"
OPENID = "oRawOpenid_5u7PmAxQz"
QUESTION = "身份证丢了怎么补办，我的手机13812345678"


def record(
    message: str = "database unavailable; spooling %s", *args, level=logging.WARNING, exc=None, **extra
):
    made = logging.LogRecord("bot.serving.spooling", level, __file__, 1, message, args or ("questions",), exc)
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def test_text_lines_carry_time_level_process_and_event():
    line = logs.TextFormatter().format(record(event="spool", msg_id="42"))
    assert re.match(
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d WARNING \[\d+\] spool: "
        r"database unavailable; spooling questions msg_id=42$",
        line,
    ), line


def test_json_lines_parse_and_keep_a_traceback_on_the_same_line():
    try:
        raise ConnectionError("server closed the connection")
    except ConnectionError:
        import sys

        line = logs.JsonFormatter().format(record(exc=sys.exc_info(), msg_id="42", latency_ms=12.5))
    assert "\n" not in line
    data = json.loads(line)
    assert (
        data["level"] == "WARNING"
        and data["event"] == "bot.serving.spooling"
        and isinstance(data["pid"], int)
    )
    assert data["msg_id"] == "42" and data["latency_ms"] == 12.5
    assert data["error"] == "ConnectionError" and "server closed the connection" in data["traceback"]
    assert re.match(r"^\d{4}-\d\d-\d\dT", data["time"])


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def captured():
    """The root logger writing through a formatter and a RepeatFilter with a fake clock into a buffer."""
    stream, clock = io.StringIO(), Clock()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    repeats = logs.RepeatFilter(window=60.0, clock=clock)
    handler.addFilter(repeats)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream, clock, repeats
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_an_outage_writes_one_traceback_and_one_summary_not_hundreds(captured):
    stream, clock, repeats = captured
    log = logging.getLogger("bot.serving.spooling")
    for _ in range(300):
        try:
            raise ConnectionRefusedError("connection refused")
        except ConnectionRefusedError:
            log.exception("cannot record a batch of %d questions in the database", 5)
        clock.now += 0.1
    log.warning("something else")  # another kind passes at once
    assert len(lines(stream)) == 2
    clock.now += 60
    logging.getLogger("guidebot.push").info("msg 1")  # the next line flushes the summary
    written = lines(stream)
    assert [line.get("repeated") for line in written] == [None, None, 299, None]
    assert "traceback" in written[0] and "traceback" not in written[2]
    assert written[2]["message"].startswith("repeated 299 more times")
    # The same kind after the window: written in full again.
    try:
        raise ConnectionRefusedError("connection refused")
    except ConnectionRefusedError:
        log.exception("cannot record a batch of %d questions in the database", 5)
    assert "traceback" in lines(stream)[-1]


def test_pending_summaries_are_written_at_exit(captured):
    stream, clock, repeats = captured
    log = logging.getLogger("bot.serving.fallback")
    for _ in range(5):
        log.warning("redis store failed (%s); using the fallback store", "ConnectionError")
    assert len(lines(stream)) == 1
    repeats.flush()
    assert lines(stream)[-1]["repeated"] == 4


def test_json_push_lines_hold_hashes_and_ids_never_openids_or_text(captured, tmp_path):
    stream, _clock, _repeats = captured
    app = create_app(
        {
            "TESTING": True,
            "KB_FILE": str(MINIMAL),
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
            "WECHAT_TOKEN": TOKEN,
            "WECHAT_APP_ID": APP_ID,
        }
    )
    client = app.test_client()
    msg_id = new_msg_id()
    for _ in range(2):  # the second is WeChat's retry
        response = client.post(
            "/wechat",
            query_string={**signed_args(), "openid": OPENID},
            data=text_xml(QUESTION, msg_id, OPENID).encode(),
        )
        assert response.status_code == 200
    client.post("/wechat", query_string={**signed_args(), "signature": "0" * 40}, data=b"<xml/>")
    text = stream.getvalue()
    assert OPENID not in text and "13812345678" not in text and "身份证丢了" not in text
    pushes = [line for line in lines(stream) if line["event"] == "push"]
    assert [line["action"] for line in pushes] == ["answer", "duplicate"]
    first = pushes[0]
    assert first["msg_id"] == msg_id and first["type"] == "text" and first["item"] == "T-001"
    assert re.fullmatch(r"[0-9a-f]{32}", first["openid_hash"]) and first["latency_ms"] >= 0
    assert any(line["level"] == "WARNING" and "refused" in line["message"] for line in lines(stream))


def test_logconfig_routes_gunicorn_through_the_same_handler_and_drops_its_access_log():
    config = logs.logconfig_dict("JSON", "warning")
    assert config["formatters"]["guidebot"]["()"].endswith("JsonFormatter")
    assert config["root"]["level"] == "WARNING"
    assert config["loggers"]["gunicorn.error"] == {"level": "WARNING", "handlers": [], "propagate": True}
    assert config["loggers"]["gunicorn.access"]["propagate"] is False  # its lines carry openids
    assert logs.logconfig_dict("yaml", "loud")["root"]["level"] == "INFO"
