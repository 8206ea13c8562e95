"""``guidebot purge``: the retention rules of ``bot.serving.purge``, from the command line."""

import os

import click

from bot.commands import script_app
from bot.serving.purge import BATCH, purge, purge_state_store
from bot.serving.remask import remask as remask_stored
from knowledge.db import display_url, get_engine, schema_status
from knowledge.import_jobs import JobStore


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="只统计，不修改数据库")
@click.option(
    "--batch", default=BATCH, show_default=True, type=click.IntRange(1, 100_000), help="每个事务处理的行数"
)
@click.option(
    "--remask",
    is_flag=True,
    help="按现行规则重新脱敏已保存的提问、操作日志、回归测试问题和事项别名（升级后运行一次）",
)
def purge_command(dry_run: bool, batch: int, remask: bool) -> None:
    """按隐私规则清理数据：原始提问和openid保留48小时，脱敏提问保留 RETENTION_DAYS 天，

    过期的客服消息和缓存删除。

    可在服务运行时执行（小批量、短事务），建议每小时由 cron 运行一次。
    """
    app = script_app()
    engine = get_engine(app)
    # Never connects to a missing SQLite file (that would leave an empty one behind, as cron without
    # the environment file did): the message says where it looked and what to load.
    status = schema_status(engine)
    if not status.ok:
        raise click.ClickException(f"{status.problem()}。数据库：{display_url(engine)}")
    report = purge(
        engine,
        retention_days=int(app.config["RETENTION_DAYS"]),
        outbox_days=int(app.config["OUTBOX_KEEP_DAYS"]),
        dry_run=dry_run,
        batch=batch,
    )
    replies, states = purge_state_store(app, dry_run=dry_run)
    report.replies_deleted += replies
    report.states_deleted += states
    click.echo(report.summary())
    uploads = JobStore(os.path.join(app.instance_path, "uploads"))
    if not dry_run:
        click.echo(f"已删除超过一天未确认的上传文件：{uploads.clean()} 个。")
    if remask:
        click.echo(remask_stored(engine, dry_run=dry_run, batch=batch).summary())
