"""The load benchmark's floor: a bare Flask app that checks WeChat's signature and returns constant XML.

``gunicorn -w 2 bench.bare_flask:app`` with ``BENCH_TOKEN`` set (default ``bench-token``).
"""

import hashlib
import hmac
import os

from flask import Flask, Response, request

TOKEN = os.environ.get("BENCH_TOKEN", "bench-token")
REPLY = (
    "<xml><ToUserName><![CDATA[oCitizen]]></ToUserName><FromUserName><![CDATA[gh_bench]]></FromUserName>"
    "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[您好]]></Content></xml>"
)

app = Flask(__name__)


@app.post("/wechat")
def wechat() -> Response:
    parts = sorted([TOKEN, request.args.get("timestamp", ""), request.args.get("nonce", "")])
    expected = hashlib.sha1("".join(parts).encode()).hexdigest()
    if not hmac.compare_digest(expected, request.args.get("signature", "")):
        return Response("signature mismatch", status=403)
    request.get_data()  # read the body as a real handler would
    return Response(REPLY, mimetype="application/xml")
