"""The ``guidebot`` verbs: what staff and operators type, in Chinese.

Commands get the app from Flask's CLI machinery (the ``ScriptInfo`` that ``webhook.cli`` puts on the click
context, see :func:`script_app`), so none imports ``webhook.py``. They may import every room of ``bot`` and
the store (``knowledge``); ``webhook.py`` only registers them.
"""

import click
from flask import Flask
from flask.cli import ScriptInfo


def script_app() -> Flask:
    """The app of the running ``guidebot`` command, built once by the command's ``ScriptInfo``."""
    info = click.get_current_context().find_object(ScriptInfo)
    if info is None:  # a command invoked outside ``webhook.cli`` (a programming error, not a user's)
        raise RuntimeError("guidebot commands run under webhook.cli, which provides the app factory")
    return info.load_app()
