"""The hall record under review: its revisions, and the state of its newest one on the hall row.

The hall a database already has becomes revision 1 (published), so history starts from it.

Revision ID: 0005_hall
Revises: 0004_sessions
"""

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_hall"
down_revision: str | None = "0004_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIELDS = ("name", "address", "hours", "phone", "complaint_phone", "website")


def upgrade() -> None:
    with op.batch_alter_table("hall", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("status", sa.String(), nullable=False, server_default="published"))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("updated_by", sa.String(), nullable=False, server_default=""))
    op.create_table(
        "hall_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("comment", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    connection = op.get_bind()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # naive UTC, as the app stores it
    row = connection.execute(sa.text(f"SELECT {', '.join(_FIELDS)} FROM hall WHERE id = 1")).first()
    if row is not None:
        snapshot = {name: value for name, value in zip(_FIELDS, row, strict=True) if value is not None}
        revisions = sa.table(
            "hall_revision",
            sa.column("number", sa.Integer()),
            sa.column("author", sa.String()),
            sa.column("created_at", sa.DateTime()),
            sa.column("summary", sa.String()),
            sa.column("snapshot", sa.JSON()),
            sa.column("status", sa.String()),
        )
        connection.execute(
            revisions.insert().values(
                number=1,
                author="升级",
                created_at=now,
                summary="升级前的大厅信息",
                snapshot=json.loads(json.dumps(snapshot, ensure_ascii=False)),
                status="published",
            )
        )
        connection.execute(sa.text("UPDATE hall SET revision = 1 WHERE id = 1"))
    connection.execute(sa.text("UPDATE hall SET updated_at = :now"), {"now": now})
    with op.batch_alter_table("hall", schema=None) as batch_op:
        batch_op.alter_column("updated_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column("revision", existing_type=sa.Integer(), server_default=None)
        batch_op.alter_column("status", existing_type=sa.String(), server_default=None)
        batch_op.alter_column("updated_by", existing_type=sa.String(), server_default=None)


def downgrade() -> None:
    op.drop_table("hall_revision")
    with op.batch_alter_table("hall", schema=None) as batch_op:
        batch_op.drop_column("updated_by")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("status")
        batch_op.drop_column("revision")
