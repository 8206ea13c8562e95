"""The load benchmark's peer: a WeRoBot robot that echoes text messages (signature checked, XML parsed).

``gunicorn -w 2 bench.werobot_echo:app`` with ``BENCH_TOKEN`` set (default ``bench-token``).
``robot.wsgi`` (a Bottle app) routes every path to the robot, so ``/wechat`` works as is.
"""

import os

from werobot import WeRoBot

robot = WeRoBot(token=os.environ.get("BENCH_TOKEN", "bench-token"))
robot.config["SESSION_STORAGE"] = False  # no session file: an echo needs none


@robot.text
def echo(message: object) -> str:
    return str(getattr(message, "content", ""))


app = robot.wsgi
