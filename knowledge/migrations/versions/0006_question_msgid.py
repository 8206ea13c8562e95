"""A question is recorded once per MsgId: a unique index on ``question_log.msg_id``.

WeChat's retries of one message share its MsgId. Dedup normally stops a retry before it is answered,
but a claim made in Redis (or LMDB) that died, and made again in the database meanwhile, would answer
and record the same message twice; the index makes the second record a no-op wherever it comes from.
Rows already doubled are reduced to their first.

Revision ID: 0006_msgid
Revises: 0005_hall
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_msgid"
down_revision: str | None = "0005_hall"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM question_log WHERE msg_id IS NOT NULL AND id NOT IN "
            "(SELECT MIN(id) FROM question_log WHERE msg_id IS NOT NULL GROUP BY msg_id)"
        )
    )
    with op.batch_alter_table("question_log", schema=None) as batch_op:
        batch_op.create_index("ix_question_log_msg_id", ["msg_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("question_log", schema=None) as batch_op:
        batch_op.drop_index("ix_question_log_msg_id")
