"""Console session versions (logout and password resets end every session) and the per-address limiter index.

Revision ID: 0004_sessions
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_sessions"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("console_user") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))
    op.create_index("ix_login_attempt_ip", "login_attempt", ["ip"])


def downgrade() -> None:
    op.drop_index("ix_login_attempt_ip", table_name="login_attempt")
    with op.batch_alter_table("console_user") as batch:
        batch.drop_column("session_version")
