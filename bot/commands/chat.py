"""``guidebot ask`` and ``guidebot chat``: the replies a citizen would get, without WeChat.

Both answer from the configured database by default (the published items, as the webhook does) or
from a guidebot-kb/1 JSON file with ``--kb``. The conversation state lives in memory and nothing is
recorded, so trying questions never fills the administrators' review queue.
"""

import itertools
import uuid

import click

from bot.commands import script_app
from bot.conversation.engine import Context, respond
from bot.conversation.messages import Message, Reply

_KB_OPTION = click.option(
    "--kb",
    "kb_path",
    type=click.Path(exists=True, dir_okay=False),
    help="使用该 guidebot-kb/1 JSON 文件，而不是数据库",
)


def cli_context(kb_path: str | None) -> Context:
    """A context answering like the webhook (same settings: service hours, holidays, semantic stage), with
    state in memory and no recording."""
    from bot.serving import runtime

    return runtime.trial_context(script_app(), kb_file=kb_path)


def show(reply: Reply) -> str:
    """A reply as the citizen would see it (or what WeChat does with it)."""
    if reply.kind == "transfer":
        return (reply.text + "\n" if reply.text else "") + "［转接人工客服］"
    if reply.kind == "empty":
        return "［不回复］"
    return reply.text


def _message(openid: str, text: str, number: int) -> Message:
    return Message(kind="text", openid=openid, text=text, msg_id=f"cli-{openid}-{number}")


@click.command()
@click.argument("question")
@_KB_OPTION
def ask(question: str, kb_path: str | None) -> None:
    """回答一个问题，打印市民会收到的回复。"""
    context = cli_context(kb_path)
    click.echo(show(respond(_message("cli", question, 1), context)))


@click.command()
@_KB_OPTION
def chat(kb_path: str | None) -> None:
    """在终端里模拟市民多轮对话（输入 /new 重新开始，/quit 或 Ctrl-D 退出）。"""
    context = cli_context(kb_path)
    openid = f"cli-{uuid.uuid4().hex[:8]}"
    click.echo("请输入问题，例如“身份证丢了怎么补办”。输入 /new 重新开始，/quit 退出。")
    for number in itertools.count(1):
        try:
            text = click.prompt("市民", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            click.echo()
            return
        if text.strip() in ("/quit", "/exit"):
            return
        if text.strip() == "/new":
            openid = f"cli-{uuid.uuid4().hex[:8]}"
            click.echo("（已重新开始对话）")
            continue
        click.echo("机器人> " + show(respond(_message(openid, text, number), context)))
