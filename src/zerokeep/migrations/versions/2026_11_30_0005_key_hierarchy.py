"""key hierarchy: organization_keys; encryption_keys wrapped by them, one per (org, purpose)

Revision ID: 20261130_keys
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261130_keys"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organization_keys",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.String(length=40), nullable=False),
        sa.Column("master_key_id", sa.String(length=32), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_keys")),
        sa.UniqueConstraint("organization_id", name=op.f("uq_organization_keys_organization_id")),
    )
    # Before this revision two processes could race to create the same day's key; keep every
    # row (archive records point at them) but give the extras a distinct purpose.
    op.execute(
        "UPDATE encryption_keys SET purpose = purpose || '~' || id WHERE id NOT IN ("
        "SELECT MIN(id) FROM encryption_keys GROUP BY organization_id, purpose)"
    )
    with op.batch_alter_table("encryption_keys", schema=None) as batch_op:
        batch_op.alter_column(
            "purpose", existing_type=sa.String(length=32), type_=sa.String(length=128)
        )
        batch_op.add_column(sa.Column("organization_key_id", sa.String(length=40), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_encryption_keys_organization_key_id"),
            ["organization_key_id"],
            unique=False,
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_encryption_keys_organization_id"), ["organization_id", "purpose"]
        )


def downgrade() -> None:
    with op.batch_alter_table("encryption_keys", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_encryption_keys_organization_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_encryption_keys_organization_key_id"))
        batch_op.drop_column("organization_key_id")
        batch_op.alter_column(
            "purpose", existing_type=sa.String(length=128), type_=sa.String(length=32)
        )
    op.drop_table("organization_keys")
