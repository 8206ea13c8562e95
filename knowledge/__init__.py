"""The store: the knowledge base (schema, models, storage, lifecycle, interchange), accounts, audit, review
queue's queries, migrations. It never imports ``bot`` or the console; ``knowledge.console`` (the staff web
console) sits on top of it and gets the bot's callables from the app factory.
"""
