"""Subscription-notification consent (one accept = one 订阅通知).

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subscription_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("openid_hash", sa.String(length=64), nullable=False),
        sa.Column("openid", sa.String(length=128), nullable=True),
        sa.Column("template_id", sa.String(length=128), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_subscription_consent_openid_hash", "subscription_consent", ["openid_hash"])


def downgrade() -> None:
    op.drop_index("ix_subscription_consent_openid_hash", table_name="subscription_consent")
    op.drop_table("subscription_consent")
