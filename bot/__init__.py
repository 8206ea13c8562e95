"""The bot, in rooms that import downward only: commands > serving > wechat > conversation > matching.

Every room may import the store (``knowledge``); none imports ``webhook.py`` or the console. The rules are
import-linter contracts in pyproject.toml, checked by tests/test_imports.py.
"""
