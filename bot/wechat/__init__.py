"""WeChat: the protocol adapter (verify, decrypt, parse, render, encrypt) and the API client, token, outbox.
The only room that imports wechatpy; it speaks the conversation's Message and Reply.
May import the conversation's message types and the store; never serving, commands or Flask.
"""
