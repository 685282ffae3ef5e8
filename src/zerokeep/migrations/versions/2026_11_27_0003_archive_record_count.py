"""archive_records.record_count: a row seals a batch of calls

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("archive_records", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("record_count", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("archive_records", schema=None) as batch_op:
        batch_op.drop_column("record_count")
