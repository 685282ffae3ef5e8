"""zdr requests and email: the ZDR request workflow and the email outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 00:49:36.635058
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "email_messages",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error_kind", sa.String(length=80), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_messages")),
    )
    with op.batch_alter_table("email_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_messages_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_email_messages_status"), ["status"], unique=False)

    op.create_table(
        "zdr_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.String(length=40), nullable=False),
        sa.Column("requested_by_user_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("use_case", sa.Text(), nullable=False),
        sa.Column("data_categories", sa.JSON(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("previous_zdr_state", sa.String(length=16), nullable=False),
        sa.Column("reviewer", sa.String(length=80), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_zdr_requests_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["users.id"],
            name=op.f("fk_zdr_requests_requested_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zdr_requests")),
    )
    with op.batch_alter_table("zdr_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_zdr_requests_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_zdr_requests_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("zdr_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zdr_requests_status"))
        batch_op.drop_index(batch_op.f("ix_zdr_requests_organization_id"))

    op.drop_table("zdr_requests")
    with op.batch_alter_table("email_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_messages_status"))
        batch_op.drop_index(batch_op.f("ix_email_messages_next_attempt_at"))

    op.drop_table("email_messages")
