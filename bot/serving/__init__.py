"""Serving: a push in, a reply out within WeChat's deadline, once — runtime, delivery, dedup and state stores,
write-behind, recording with its spool, the database's knowledge cache, purge, gunicorn settings.
May import the rooms below it (WeChat, conversation, matching) and the store; never commands, Flask, console.
"""
