"""Matching: a citizen's question → ranked items, the field asked, a decision (answer / clarify / hand off).
Pure functions and plain data over the knowledge base's items: normalise, segment, synonyms, score, decide.
May import the store's schema (``knowledge.schema``) only; never conversation, WeChat, serving or Flask.
"""
