"""Conversation: a citizen's Message → the bot's Reply and what it did (answers, choices, situations, hours).
Holds the interfaces it writes through (state store, recorder, knowledge source) and their in-memory versions.
May import matching and the store; never serving, WeChat (wechatpy), HTTP or Flask.
"""
